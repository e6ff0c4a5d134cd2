"""M4: the onion composer. Real middleware, real misorders, and input validation through the real view."""

import pytest

from demos.middleware_kit import CATALOGUE


def compose(run_demo, order, path="/sandbox/middleware/hooks/", **inputs):
    return run_demo("middleware.compose", order=order, path=path, **inputs).steps[0]


def test_startproject_default_stack_answers_with_its_headers(run_demo):
    step = compose(run_demo, "Security,Session,Common,Csrf,Auth,Messages,XFrame")
    assert step.facts["Final response"] == "200 OK"
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
    assert step.facts["Final response"] == "503 Service Unavailable"
    assert step.response_headers["Retry-After"] == "120"
    assert "X-Request-ID" in step.response_headers
    assert not any(e.layer == "A" and e.phase == "in" for e in step.trace)


def test_login_required_redirects_unless_the_view_is_exempt(run_demo):
    stack = "Session,Auth,LoginRequired"
    redirected = compose(run_demo, stack, "/sandbox/middleware/hooks/")
    assert redirected.facts["Final response"] == "302 Found"
    assert redirected.response_headers["Location"] == "/accounts/login/?next=/sandbox/middleware/hooks/"
    assert compose(run_demo, stack, "/sandbox/middleware/open/").facts["Final response"] == "200 OK"


def test_api_token_middleware_guards_api_views_except_public_ones(run_demo):
    assert compose(run_demo, "ApiToken", "/sandbox/middleware/api/books/").facts["Final response"] == "401 Unauthorized"
    ok = compose(run_demo, "ApiToken", "/sandbox/middleware/api/books/", send_token=True)
    assert ok.facts["Final response"] == "200 OK"
    assert compose(run_demo, "ApiToken", "/sandbox/middleware/api/health/").facts["Final response"] == "200 OK"


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
    assert step.facts["Final response"] == "500 Internal Server Error"


def test_the_step_shows_the_stack_as_a_real_middleware_setting(run_demo):
    step = compose(run_demo, "RequestID,Maintenance,A")
    assert step.code == (
        "MIDDLEWARE = [\n"
        "    'sandbox.middleware.RequestIDMiddleware',\n"
        "    'sandbox.middleware.MaintenanceModeMiddleware',  # switched on for this run\n"
        "    'sandbox.example_middleware.A',\n"
        "]"
    )
