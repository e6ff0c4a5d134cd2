"""The CSRF token put into cached pages: valid, and cheap for a returning learner."""

from django.middleware.csrf import _unmask_cipher_token
from django.test import Client

from lessons.views import _masked_token


def test_a_returning_learner_gets_a_token_that_unmasks_to_their_cookie_secret(seeded):
    client = Client(enforce_csrf_checks=True)
    client.get("/")  # first visit: Django sets the CSRF cookie
    secret = client.cookies["csrftoken"].value
    html = client.get("/orm/seeing-the-sql/").content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert _unmask_cipher_token(token) == secret


def test_the_masked_token_is_computed_once_per_secret(seeded):
    client = Client()
    client.get("/")
    _masked_token.cache_clear()
    client.get("/orm/seeing-the-sql/")
    client.get("/signals/dispatcher/")
    assert _masked_token.cache_info().misses == 1


def test_a_demo_run_posted_with_the_cached_token_passes_the_csrf_check(seeded, settings):
    settings.LAB_RATE_LIMIT = 0
    client = Client(enforce_csrf_checks=True)
    client.get("/")
    html = client.get("/orm/seeing-the-sql/").content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post("/demos/caching.fragment/run/", {"csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
