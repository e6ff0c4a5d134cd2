"""The debug toolbar is served in local lab mode only: never with DEBUG off."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from lessons.toolbar import show_toolbar

ROOT = Path(settings.BASE_DIR)


@override_settings(DEBUG=True, ROOT_URLCONF="lessons.tests.toolbar_urls")
def test_with_debug_on_the_toolbar_is_in_the_page_and_its_urls_resolve(client, content):
    from django.urls import resolve

    response = client.get("/orm/lazy/")
    html = response.content.decode()
    assert 'id="djDebug"' in html
    assert "hx-preserve" in html  # survives htmx swaps
    assert resolve("/__debug__/render_panel/").namespace == "djdt"


@override_settings(DEBUG=False)
def test_with_debug_off_show_toolbar_says_no(rf):
    assert show_toolbar(rf.get("/")) is False


@override_settings(DEBUG=True)
def test_with_debug_on_but_no_toolbar_urls_show_toolbar_says_no(rf):
    assert show_toolbar(rf.get("/")) is False


SCRIPT = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
home = client.get("/")
panel = client.get("/__debug__/render_panel/")
print(json.dumps({
    "debug": settings.DEBUG,
    "apps": "debug_toolbar" in settings.INSTALLED_APPS,
    "home_status": home.status_code,
    "home_has_toolbar": "djDebug" in home.content.decode() or "djdt" in home.content.decode(),
    "panel_status": panel.status_code,
}))
"""


def test_with_debug_off_at_start_up_the_toolbar_is_never_served():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "LAB_STATIC_MANIFEST": "0",  # plain static storage: no collectstatic manifest needed
    }
    env.pop("LAB_TOOLBAR", None)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {
        "debug": False,
        "apps": False,
        "home_status": 200,
        "home_has_toolbar": False,
        "panel_status": 404,
    }
