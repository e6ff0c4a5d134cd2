"""Static files through WhiteNoise (caching.static-files): the Cache-Control each mode really gets.

Tests run with DEBUG=False (pytest-django) and plain StaticFilesStorage, so the
test settings are measured as they are, after a real `collectstatic` into a
temporary STATIC_ROOT; development and classroom modes are then measured by
switching the settings they differ in, as `make run` and `make serve` do.
"""

import pytest
from django.core.management import call_command

from lab import registry

CLASSROOM_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
TEN_YEARS = 10 * 365 * 24 * 60 * 60


@pytest.fixture
def collected(settings, tmp_path):
    """`collectstatic` into a fresh STATIC_ROOT, with whatever storage the test has set."""

    def collect():
        settings.STATIC_ROOT = tmp_path / "static"
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin", "debug_toolbar"])

    return collect


def test_in_the_test_settings_collected_files_get_max_age_60(run_demo, collected):
    collected()
    lab = run_demo("caching.static-files")
    assert lab.get("mode").facts["mode"] == "classroom (DEBUG=False)"
    step = lab.get("get_static")
    assert step.label == "GET /static/vendor/htmx.min.js"
    assert step.facts["served_by_whitenoise"] is True
    assert step.facts["status"] == 200 and step.facts["body_bytes"] > 0
    assert step.facts["cache_control"] == "max-age=60, public"
    assert (
        lab.headline_text == "/static/vendor/htmx.min.js: Cache-Control: max-age=60, public, in classroom (DEBUG=False)"
    )


def test_in_development_mode_every_use_revalidates_and_gets_a_304(run_demo, settings):
    settings.DEBUG = True  # WhiteNoise then finds files in the app folders, with autorefresh
    lab = run_demo("caching.static-files")
    step = lab.get("get_static")
    assert step.facts["served_by_whitenoise"] is True
    assert step.facts["cache_control"] == "max-age=0, public"
    again = lab.get("revalidate")
    assert (again.facts["status"], again.facts["body_bytes"]) == (304, 0)
    assert again.response_headers["ETag"] == step.response_headers["ETag"]
    (status,) = registry.get("caching.static-files").predictions
    assert status.grade(lab, "304") == (True, "304")


def test_in_classroom_mode_the_hashed_file_is_immutable_and_the_plain_name_is_not(run_demo, settings, collected):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": CLASSROOM_STORAGE}}
    collected()
    lab = run_demo("caching.static-files")
    url = lab.get("mode").facts["url"]
    assert url.startswith("/static/vendor/htmx.min.") and url != "/static/vendor/htmx.min.js"
    step = lab.get("get_static")
    assert step.facts["cache_control"] == f"max-age={TEN_YEARS}, public, immutable"
    assert step.response_headers["Content-Encoding"] in {"gzip", "br"}
    assert step.response_headers["Vary"] == "Accept-Encoding"
    plain = lab.get("get_plain")
    assert plain.facts["cache_control"] == "max-age=60, public"


def test_before_collectstatic_the_report_says_what_to_run_instead_of_failing(run_demo, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "empty"
    lab = run_demo("caching.static-files")
    step = lab.get("get_static")
    assert step.facts["served_by_whitenoise"] is False and step.facts["status"] == 404
    assert "collectstatic" in step.facts["why"] and "collectstatic" in lab.headline_text
    assert [p.answer(lab) for p in registry.get("caching.static-files").predictions] == [""]  # not measured


def test_the_demo_closes_the_file_without_finishing_the_request(run_demo, settings):
    """response.close() would send request_finished, and Django's receiver would close the run's connection."""
    from django.core.signals import request_finished

    settings.DEBUG = True
    finished = []

    def on_finished(**kwargs):
        finished.append(True)

    request_finished.connect(on_finished)
    try:
        lab = run_demo("caching.static-files")
    finally:
        request_finished.disconnect(on_finished)
    assert lab.get("get_static").facts["status"] == 200
    assert finished == []
