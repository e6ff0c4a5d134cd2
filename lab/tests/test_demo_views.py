"""Running a demo over HTTP: POST only, CSRF, bad input as a 400, rate limits as a 429."""

import pytest
from django.test import Client

from sandbox.models import Book

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_run_returns_the_report_fragment_to_htmx(client, seeded, probe_demo):
    response = client.post("/demos/core.probe/run/", {"times": "2"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-report-for="core.probe"' in html
    assert 'data-report="sql"' in html
    assert "UPDATE" in html


def test_run_refuses_get(client, probe_demo):
    assert client.get("/demos/core.probe/run/").status_code == 405


def test_run_of_an_unknown_demo_is_404(client, db):
    assert client.post("/demos/nope.nothing/run/", **HTMX).status_code == 404
    assert client.post("/demos/..%2F..%2Fetc/run/", **HTMX).status_code == 404


def test_invalid_input_is_a_400_with_a_message_in_the_card(client, seeded, probe_demo):
    response = client.post("/demos/core.probe/run/", {"times": "lots"}, **HTMX)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Some inputs need fixing" in html
    assert "Enter a whole number." in html


def test_out_of_range_input_is_a_400(client, seeded, probe_demo):
    assert client.post("/demos/core.probe/run/", {"times": "500"}, **HTMX).status_code == 400


def test_run_needs_a_csrf_token(seeded, probe_demo):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/demos/core.probe/run/", {"times": "1"}, **HTMX).status_code == 403


def test_too_many_runs_get_a_429_with_a_clear_message(client, seeded, probe_demo, settings):
    settings.LAB_RATE_LIMIT = 2
    codes = [client.post("/demos/core.probe/run/", {"times": "1"}, **HTMX).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    response = client.post("/demos/core.probe/run/", {"times": "1"}, **HTMX)
    assert "faster than the lab allows" in response.content.decode()


def test_rate_limits_are_per_learner(seeded, probe_demo, settings):
    settings.LAB_RATE_LIMIT = 1
    first, second = Client(), Client()
    assert first.post("/demos/core.probe/run/", {"times": "1"}, **HTMX).status_code == 200
    assert first.post("/demos/core.probe/run/", {"times": "1"}, **HTMX).status_code == 429
    assert second.post("/demos/core.probe/run/", {"times": "1"}, **HTMX).status_code == 200


def test_a_run_never_changes_canonical_data(client, seeded, probe_demo):
    client.post("/demos/core.probe/run/", {"times": "1"}, **HTMX)
    assert Book.objects.get(title="A1").stock == 10


@pytest.mark.django_db
def test_reset_removes_only_the_learners_own_rows(client, seeded, settings):
    from lab.learners import SESSION_KEY
    from sandbox.models import Publisher

    session = client.session
    session[SESSION_KEY] = "aaaaaaaaaaaaaaaa"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key  # signed cookies: the key is the data
    Publisher.objects.create(name="mine", learner="aaaaaaaaaaaaaaaa")
    Publisher.objects.create(name="theirs", learner="bbbbbbbbbbbbbbbb")
    response = client.post("/demos/reset/", {"confirm": "yes"}, **HTMX)
    assert response.status_code == 200
    assert "1 row removed" in response.content.decode()
    assert list(Publisher.objects.exclude(learner="").values_list("name", flat=True)) == ["theirs"]
    assert Publisher.objects.filter(learner="").count() == 3
