"""M4: the onion composer. Real middleware, real misorders, and input validation through the real view."""

import json
import re
from html import unescape as html_unescape

import pytest

from demos.middleware_kit import CATALOGUE


def compose(run_demo, order, path="/sandbox/middleware/hooks/", **inputs):
    return run_demo("middleware.compose", order=order, path=path, **inputs).get("request")


def test_startproject_default_stack_answers_with_its_headers(run_demo):
    step = compose(run_demo, "Security,Session,Common,Csrf,Auth,Messages,XFrame")
    assert step.facts["final_response"] == "200 OK"
    assert step.response_headers["X-Frame-Options"] == "DENY"
    assert step.response_headers["X-Content-Type-Options"] == "nosniff"
    assert step.response_headers["Referrer-Policy"] == "same-origin"
    assert step.response_headers["Cross-Origin-Opener-Policy"] == "same-origin"
    (figure,) = step.figures
    assert '<svg class="onion"' in figure.html


def test_auth_above_session_shows_djangos_improperly_configured_message(run_demo):
    step = compose(run_demo, "Auth,Session")
    assert step.error_type == "django.core.exceptions.ImproperlyConfigured"
    assert step.error.startswith("The Django authentication middleware requires session middleware to be installed.")


def test_reading_request_user_above_auth_fails_and_below_auth_sees_anonymous(run_demo):
    above = compose(run_demo, "WhoAmI,Session,Auth")
    assert above.error == "'WSGIRequest' object has no attribute 'user'"
    below = compose(run_demo, "Session,Auth,WhoAmI")
    assert below.response_headers["X-Lab-User"] == "AnonymousUser"


def test_maintenance_mode_answers_503_with_retry_after(run_demo):
    step = compose(run_demo, "RequestID,Maintenance,A")
    assert step.facts["final_response"] == "503 Service Unavailable"
    assert step.response_headers["Retry-After"] == "120"
    assert "X-Request-ID" in step.response_headers
    assert not any(e.layer == "A" and e.phase == "in" for e in step.trace)


def test_login_required_redirects_unless_the_view_is_exempt(run_demo):
    stack = "Session,Auth,LoginRequired"
    redirected = compose(run_demo, stack, "/sandbox/middleware/hooks/")
    assert redirected.facts["final_response"] == "302 Found"
    assert redirected.response_headers["Location"] == "/accounts/login/?next=/sandbox/middleware/hooks/"
    assert compose(run_demo, stack, "/sandbox/middleware/open/").facts["final_response"] == "200 OK"


def test_api_token_middleware_guards_api_views_except_public_ones(run_demo):
    assert compose(run_demo, "ApiToken", "/sandbox/middleware/api/books/").facts["final_response"] == "401 Unauthorized"
    ok = compose(run_demo, "ApiToken", "/sandbox/middleware/api/books/", send_token=True)
    assert ok.facts["final_response"] == "200 OK"
    assert compose(run_demo, "ApiToken", "/sandbox/middleware/api/health/").facts["final_response"] == "200 OK"


def post(client, settings, order):
    settings.LAB_RATE_LIMIT = 0
    return client.post(
        "/demos/middleware.compose/run/",
        {"order": order, "path": "/sandbox/middleware/hooks/"},
        HTTP_HX_REQUEST="true",
    )


@pytest.mark.django_db
def test_composer_rejects_an_unknown_middleware_name_with_400(client, settings):
    response = post(client, settings, "Session,os.system,Auth")
    assert response.status_code == 400
    assert "Unknown middleware: os.system" in response.content.decode()


@pytest.mark.django_db
def test_composer_rejects_an_over_long_stack_with_400(client, settings):
    names = list(CATALOGUE)[:17]
    response = post(client, settings, ",".join(names))
    assert response.status_code == 400
    assert "At most 16 layers" in response.content.decode()


@pytest.mark.django_db
def test_composer_rejects_duplicates_with_400(client, settings):
    response = post(client, settings, "A,B,A")
    assert response.status_code == 400
    assert "repeated: A" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug",
    [
        "middleware.onion",
        "middleware.custom-header",
        "middleware.hooks",
        "middleware.errors",
        "middleware.headers",
        "middleware.compose",
        "middleware.production",
        "middleware.async",
    ],
)
def test_every_middleware_demo_runs_with_its_default_inputs_through_the_run_view(seeded, client, settings, slug):
    from lab import registry

    settings.LAB_RATE_LIMIT = 0
    # The errors demo's inner request sends got_request_exception; the test client would re-raise it.
    client.raise_request_exception = False
    demo = registry.get(slug)
    response = client.post(f"/demos/{slug}/run/", demo.post_data(), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    for section in demo.reports:
        assert f'data-report="{section}"' in html
    assert "The demo failed unexpectedly" not in html


def test_custom_header_is_added_before_x_frame_options_on_the_way_out(run_demo):
    step = compose(run_demo, "XFrame,CustomHeader,A", "/sandbox/middleware/hooks/")
    adders = [(e.layer, list(e.added)) for e in step.trace if e.phase == "out" and e.layer != "view"]
    assert adders == [
        ("A", []),
        ("CustomHeaderMiddleware", ["X-Custom-Header"]),
        ("XFrameOptionsMiddleware", ["X-Frame-Options"]),
    ]


def test_who_am_i_above_auth_names_the_missing_attribute_as_an_attribute_error(run_demo):
    step = compose(run_demo, "WhoAmI,Session,Auth")
    assert step.error_type == "AttributeError"
    assert step.facts["final_response"] == "500 Internal Server Error"


def test_the_step_shows_the_stack_as_a_real_middleware_setting(run_demo):
    step = compose(run_demo, "RequestID,Maintenance,A")
    assert step.code == (
        "MIDDLEWARE = [\n"
        "    'sandbox.middleware.RequestIDMiddleware',\n"
        "    'sandbox.middleware.MaintenanceModeMiddleware',  # built with enabled=True for this run\n"
        "    'sandbox.example_middleware.A',\n"
        "]\n\n# GET /sandbox/middleware/hooks/"
    )


def test_the_composer_headline_and_prediction_give_the_status_of_the_stack_built(run_demo):
    from lab import registry

    (status,) = registry.get("middleware.compose").predictions
    ok = run_demo("middleware.compose")
    assert ok.headline_text == "200 OK through 7 layers"
    assert status.grade(ok, "200") == (True, "200")
    misordered = run_demo("middleware.compose", order="Auth,Session")
    assert misordered.headline_text == "500 Internal Server Error through 2 layers: ImproperlyConfigured"
    assert status.answer(misordered) == "500"
    for order, path, answer in [
        ("Session,Auth,LoginRequired", "/sandbox/middleware/hooks/", "302"),
        ("ApiToken", "/sandbox/middleware/api/books/", "401"),
        ("A", "/sandbox/middleware/no-such-page/", "404"),
        ("RequestID,Maintenance", "/sandbox/middleware/hooks/", "503"),
    ]:
        lab = run_demo("middleware.compose", order=order, path=path)
        assert status.answer(lab) == answer
        assert answer in status.choices


@pytest.mark.django_db
def test_the_stack_field_is_a_text_field_the_stack_editor_script_enhances(seeded, client):
    html = client.get("/middleware/ordering/").content.decode()
    (field,) = re.findall(r"<input[^>]*data-stack-editor[^>]*>", html)
    assert 'type="text"' in field and 'name="order"' in field
    assert 'value="Security,Session,Common,Csrf,Auth,Messages,XFrame"' in field
    assert json.loads(html_unescape(re.search(r'data-choices="([^"]*)"', field)[1])) == list(CATALOGUE)
    assert 'data-max="16"' in field
    assert '<script src="/static/js/stack-editor.js" defer></script>' in html
    assert "<script>" not in html.split('data-demo="middleware.compose"', 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db
def test_a_bad_stack_gets_its_message_next_to_the_field_with_the_fields_label(client, settings):
    response = post(client, settings, "Session,Nope")
    assert response.status_code == 400
    html = response.content.decode()
    (slot,) = re.findall(r'<p class="demo-field__error" id="demo-middleware-compose-order-error"[^>]*>[^<]*</p>', html)
    assert 'hx-swap-oob="true"' in slot and 'role="alert"' in slot
    assert "MIDDLEWARE, outermost first: Unknown middleware: Nope." in slot
    # The other fields' slots are swapped in empty, so an earlier message goes away.
    assert '<p class="demo-field__error" id="demo-middleware-compose-path-error" hx-swap-oob="true"></p>' in html


@pytest.mark.django_db
def test_without_javascript_the_messages_stay_in_the_report_with_their_labels(client, settings):
    settings.LAB_RATE_LIMIT = 0
    response = client.post(
        "/demos/middleware.compose/run/",
        {"order": "Session,Nope", "path": "/sandbox/middleware/hooks/", "lesson": "middleware/ordering"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "<strong>MIDDLEWARE, outermost first</strong>: Unknown middleware: Nope." in html
    assert "hx-swap-oob" not in html
