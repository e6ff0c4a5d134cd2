"""M5: the site's own middleware (sandbox/middleware.py), through the production demo."""

import logging
import re

import pytest
from django.core.exceptions import MiddlewareNotUsed

from demos.middleware_kit import LOCAL_TOOLS
from sandbox.middleware import MaintenanceModeMiddleware


def produce(run_demo, **inputs):
    return run_demo("middleware.production", **inputs).get("request")


def test_a_sane_incoming_request_id_is_echoed_and_logged(run_demo):
    step = produce(run_demo, request_id="class-demo-42")
    assert step.facts["request_id_received"] == "class-demo-42"
    assert step.facts["log_lines"] == 1
    (line,) = step.log
    # A healthy request logs at DEBUG: the report shows it, the site's INFO-level console does not.
    assert line.startswith(
        "DEBUG sandbox.requests [class-demo-42] method=GET path=/sandbox/middleware/books/ status=200"
    )
    assert f"queries={step.facts['x_lab_queries']}" in line


def test_an_unsafe_request_id_is_replaced_by_a_fresh_one(run_demo):
    step = produce(run_demo, request_id="evil id\nwith newline")
    received = step.facts["request_id_received"]
    assert re.fullmatch(r"[0-9a-f]{32}", received)
    assert f"[{received}]" in step.log[0]


def test_no_request_id_sent_means_one_is_generated(run_demo):
    step = produce(run_demo, request_id="")
    assert re.fullmatch(r"[0-9a-f]{32}", step.facts["request_id_received"])


def test_server_timing_reports_the_query_count_the_lab_saw(run_demo):
    step = produce(run_demo)
    queries = len(step.queries)
    assert step.facts["x_lab_queries"] == str(queries)
    assert re.fullmatch(
        rf'app;dur=[\d.]+;desc="[^"]+", sql;dur=[\d.]+;desc="{queries} queries"', step.facts["server_timing"]
    )


def test_maintenance_mode_still_gets_an_id_and_a_log_line(run_demo):
    step = produce(run_demo, maintenance=True)
    assert step.facts["final_response"] == "503 Service Unavailable"
    assert step.facts["retry_after"] == "120"
    assert step.log[0].startswith(
        "INFO sandbox.requests [class-demo-42] method=GET path=/sandbox/middleware/books/ status=503"
    )


def test_maintenance_middleware_removes_itself_when_the_switch_is_off(settings):
    settings.LAB_MAINTENANCE_MODE = False
    try:
        MaintenanceModeMiddleware(lambda request: None)
    except MiddlewareNotUsed as exc:
        assert str(exc) == "Maintenance mode is off."
    else:
        raise AssertionError("expected MiddlewareNotUsed")


def test_api_views_need_a_token_unless_marked_public(run_demo):
    denied = produce(run_demo, path="/sandbox/middleware/api/books/")
    assert denied.facts["final_response"] == "401 Unauthorized"
    assert denied.response_headers["WWW-Authenticate"] == 'Bearer realm="lab"'
    assert denied.log[0].startswith("INFO sandbox.requests") and "status=401" in denied.log[0]
    allowed = produce(run_demo, path="/sandbox/middleware/api/books/", send_token=True)
    assert allowed.facts["final_response"] == "200 OK"
    assert produce(run_demo, path="/sandbox/middleware/api/health/").facts["final_response"] == "200 OK"


@pytest.mark.django_db
def test_at_the_sites_info_level_only_requests_needing_attention_build_a_log_record(client):
    created = []

    class Count(logging.Filter):
        def filter(self, record):
            created.append(record.levelname)
            return False  # counted, not printed

    logger = logging.getLogger("sandbox.requests")
    counter = Count()
    logger.addFilter(counter)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        client.get("/sandbox/ping/")
        assert created == []
        client.get("/sandbox/middleware/no-such-page/")
        assert created == ["INFO"]
    finally:
        logger.removeFilter(counter)
        logger.setLevel(old_level)


@pytest.mark.django_db
@pytest.mark.parametrize("incoming", ["abc\n", "two words", "x" * 65, "ünïcode", ""])
def test_request_id_middleware_replaces_anything_but_a_short_plain_token(incoming):
    from lab.handler import send

    response = send(
        ["sandbox.middleware.RequestIDMiddleware"], "/sandbox/middleware/hooks/", headers={"X-Request-ID": incoming}
    )
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


TOOLBAR = "debug_toolbar.middleware.DebugToolbarMiddleware"


@pytest.mark.django_db
def test_locally_the_toolbar_replaces_server_timing_and_its_headers_panel_shows_the_sites(seeded, client, settings):
    """What 05-production.md's note says about the toolbar, checked against the toolbar that is installed."""
    if TOOLBAR not in settings.MIDDLEWARE:
        pytest.skip("the debug toolbar is not in MIDDLEWARE (DEBUG was off at start-up)")
    settings.DEBUG = True
    settings.ROOT_URLCONF = "lessons.tests.toolbar_urls"
    response = client.get("/sandbox/middleware/books/?touch_session=1")
    assert response.status_code == 200
    final = response["Server-Timing"]
    assert "SQLPanel_sql_time" in final and "app;dur=" not in final
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert response["X-Lab-Queries"] == "1"

    panel = client.get(
        "/__debug__/render_panel/", {"request_id": response["djdt-request-id"], "panel_id": "HeadersPanel"}
    )
    rows = dict(re.findall(r"<td>([^<]+)</td>\s*<td>([^<]*)</td>", panel.json()["content"]))
    assert rows["Server-Timing"].startswith("app;dur=")
    assert rows["Server-Timing"].endswith("desc=&quot;1 queries&quot;")
    assert rows["X-Request-ID"] == response["X-Request-ID"]
    assert rows["X-Lab-Queries"] == "1"
    assert "Set-Cookie" not in rows and response.cookies["sessionid"].value
    assert int(rows["Content-Length"]) < int(response["Content-Length"])  # before the toolbar inserted itself


def test_the_sites_layers_sit_where_the_lesson_says(settings):
    stack = [p for p in settings.MIDDLEWARE if not p.startswith(LOCAL_TOOLS)]
    if "sandbox.middleware.RequestIDMiddleware" not in stack:
        pytest.skip("LAB_SITE_MIDDLEWARE=0 drops the site's layers")
    assert stack[:5] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "sandbox.middleware.RequestIDMiddleware",
        "sandbox.middleware.RequestLogMiddleware",
        "sandbox.middleware.ServerTimingMiddleware",
    ]
    assert stack[-1] == "sandbox.middleware.MaintenanceModeMiddleware"


@pytest.mark.django_db
def test_every_page_of_the_site_carries_the_request_id_and_query_count(client):
    response = client.get("/middleware/")
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert response["X-Lab-Queries"].isdigit()
    assert response["Server-Timing"].startswith("app;dur=")


def test_the_demo_formats_log_lines_like_the_sites_console_without_the_timestamp(settings):
    from demos.middleware_prod import LOG_FORMAT

    console = settings.LOGGING["formatters"]["request"]["format"]
    assert console == "%(asctime)s " + LOG_FORMAT._fmt


def test_the_production_headline_and_predictions_come_from_the_response(run_demo):
    from lab import registry

    echoed, queries = registry.get("middleware.production").predictions
    lab = run_demo("middleware.production")
    assert lab.headline_text == "200 OK; X-Request-ID echoed; X-Lab-Queries: 1; one log line at DEBUG level"
    assert (echoed.answer(lab), queries.answer(lab)) == ("Yes", "1")
    refused = run_demo("middleware.production", request_id="two words", maintenance=True)
    assert refused.headline_text == (
        "503 Service Unavailable; X-Request-ID refused: a fresh id came back; X-Lab-Queries: 0; one log line at INFO level"
    )
    assert (echoed.answer(refused), queries.answer(refused)) == ("No", "0")
