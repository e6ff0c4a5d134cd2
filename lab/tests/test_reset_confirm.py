"""'Reset my sandbox' asks before it resets, with JavaScript (htmx) and without."""

from __future__ import annotations

import pytest
from django.test import Client

from lab.learners import SESSION_KEY
from sandbox.models import Publisher

HTMX = {"HTTP_HX_REQUEST": "true"}
LEARNER = "aaaaaaaaaaaaaaaa"


@pytest.fixture
def learner_client(client, seeded, settings) -> Client:
    session = client.session
    session[SESSION_KEY] = LEARNER
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key  # signed cookies: the key is the data
    Publisher.objects.create(name="mine", learner=LEARNER)
    return client


def mine() -> int:
    return Publisher.objects.filter(learner=LEARNER).count()


def test_the_header_button_without_javascript_gets_a_confirm_page_and_nothing_is_deleted(learner_client):
    response = learner_client.post("/demos/reset/", {"next": "/orm/lazy/"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Reset my sandbox?</h1>" in html
    assert 'name="confirm" value="yes"' in html and 'href="/orm/lazy/"' in html  # yes, or go back
    assert mine() == 1


def test_the_confirm_page_is_also_a_plain_link(learner_client):
    assert learner_client.get("/demos/reset/?next=/orm/").status_code == 200
    assert mine() == 1


def test_confirming_resets_and_goes_back(learner_client):
    response = learner_client.post("/demos/reset/", {"next": "/orm/lazy/", "confirm": "yes"})
    assert response["Location"] == "/orm/lazy/"
    assert mine() == 0


def test_with_htmx_the_question_comes_into_the_header_and_only_yes_resets(learner_client):
    asked = learner_client.post("/demos/reset/", {"next": "/"}, **HTMX).content.decode()
    assert 'class="reset-ask"' in asked and "data-reset-cancel" in asked
    assert mine() == 1
    done = learner_client.post("/demos/reset/", {"next": "/", "confirm": "yes"}, **HTMX).content.decode()
    assert "1 row removed" in done
    assert mine() == 0


def test_the_confirm_page_never_links_off_the_site(learner_client):
    html = learner_client.get("/demos/reset/?next=https://evil.example/").content.decode()
    assert "evil.example" not in html
