"""M4: the header inspector sends a real request through the site's own MIDDLEWARE."""

import pytest

from demos.middleware_kit import LOCAL_TOOLS


def added_by(step, header):
    """The layers whose way out added this header."""
    return [e.layer for e in step.trace if e.phase == "out" and header in e.added]


def changed_by(step, header):
    return [e.layer for e in step.trace if e.phase == "out" and header in e.changed]


def test_each_header_is_set_by_the_layer_that_owns_it(run_demo):
    step = run_demo("middleware.headers").steps[0]
    assert added_by(step, "Content-Length") == ["CommonMiddleware"]
    assert added_by(step, "X-Frame-Options") == ["XFrameOptionsMiddleware"]
    assert added_by(step, "Vary") == ["SessionMiddleware"]
    assert added_by(step, "Set-Cookie") == ["SessionMiddleware"]
    assert step.response_headers["Set-Cookie"].startswith("sessionid=")
    assert added_by(step, "Content-Encoding") == ["GZipMiddleware"]
    assert added_by(step, "ETag") == ["ConditionalGetMiddleware"]
    assert added_by(step, "X-Request-ID") == ["RequestIDMiddleware"]
    assert added_by(step, "Server-Timing") == ["ServerTimingMiddleware"]
    assert added_by(step, "X-Lab-Queries") == ["ServerTimingMiddleware"]
    assert step.facts["Content-Encoding"] == "gzip"
    assert step.facts["Vary"] == "Cookie, Accept-Encoding"
    assert step.facts["X-Frame-Options"] == "DENY"


def test_gzip_above_conditional_get_rewrites_length_and_weakens_the_etag(run_demo):
    step = run_demo("middleware.headers").steps[0]
    assert "GZipMiddleware" in changed_by(step, "Content-Length")
    assert changed_by(step, "ETag") == ["GZipMiddleware"]
    assert step.facts["ETag"].startswith('W/"')
    assert int(step.facts["Content-Length"]) == step.facts["Body bytes sent"]


def test_the_body_really_is_gzip(run_demo):
    lab = run_demo("middleware.headers", revalidate=False)
    assert lab.steps[0].response_headers["Content-Encoding"] == "gzip"


def test_query_count_header_matches_the_queries_the_lab_saw(run_demo):
    step = run_demo("middleware.headers").steps[0]
    assert int(step.facts["X-Lab-Queries"]) == len(step.queries) > 0
    assert step.facts["Server-Timing"].startswith("app;dur=")


def test_without_gzip_and_session_those_headers_do_not_appear(run_demo):
    step = run_demo("middleware.headers", gzip=False, touch_session=False, revalidate=False).steps[0]
    assert step.facts["Content-Encoding"] == "(absent)"
    assert step.facts["Vary"] == "(absent)"
    assert step.facts["ETag"] != "(absent)"  # ConditionalGet is still on


def test_revalidating_with_the_etag_gets_a_304_and_no_body(run_demo):
    lab = run_demo("middleware.headers", touch_session=False)
    again = lab.get("Again, with If-None-Match")
    assert again.facts["Final response"] == "304 Not Modified"
    assert again.facts["Body bytes sent"] == 0


def test_gzip_streams_a_streaming_response_through_the_site_stack(run_demo):
    lab = run_demo(
        "middleware.compose", order="GZip,RequestID,RequestLog,ServerTiming,Common", path="/sandbox/middleware/stream/"
    )
    step = lab.steps[0]
    assert step.response_headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in step.response_headers
    assert "X-Request-ID" in step.response_headers and "Server-Timing" in step.response_headers
    assert step.facts["Body"].endswith("gzip-encoded")


def test_streaming_body_survives_the_site_middleware_intact(run_demo):
    step = run_demo("middleware.production", path="/sandbox/middleware/stream/").steps[0]
    assert step.facts["Streaming body, read once by the client"] == "".join(f"chunk {i}\n" for i in range(5))
    assert step.facts["X-Lab-Queries"] == "0"


def test_gzip_without_accept_encoding_keeps_the_body_but_still_varies(run_demo):
    step = run_demo("middleware.headers", accept_encoding=False, revalidate=False).steps[0]
    assert step.facts["Content-Encoding"] == "(absent)"
    assert step.facts["Vary"] == "Cookie, Accept-Encoding"


def test_session_adds_vary_and_gzip_extends_it(run_demo):
    step = run_demo("middleware.headers", revalidate=False).steps[0]
    assert added_by(step, "Vary") == ["SessionMiddleware"]
    assert changed_by(step, "Vary") == ["GZipMiddleware"]
    (vary,) = [e.changed["Vary"] for e in step.trace if e.phase == "out" and "Vary" in e.changed]
    assert vary == ("Cookie", "Cookie, Accept-Encoding")


def test_the_site_layers_add_a_request_id_timing_and_query_count(run_demo):
    import re

    step = run_demo("middleware.headers", revalidate=False).steps[0]
    assert re.fullmatch(r"[0-9a-f]{32}", step.facts["X-Request-ID"])
    assert re.fullmatch(
        r'app;dur=[\d.]+;desc="inner layers and view", sql;dur=[\d.]+;desc="\d+ queries"', step.facts["Server-Timing"]
    )


def test_with_default_inputs_the_second_request_is_a_304_with_no_body(run_demo):
    lab = run_demo("middleware.headers")
    again = lab.get("Again, with If-None-Match")
    assert again.request_headers["If-None-Match"] == lab.steps[0].facts["ETag"]
    assert again.facts["Final response"] == "304 Not Modified"
    assert again.facts["Body bytes sent"] == 0


def test_without_conditional_get_there_is_no_etag_and_no_second_request(run_demo):
    lab = run_demo("middleware.headers", conditional_get=False)
    assert lab.steps[0].facts["ETag"] == "(absent)"
    assert [s.label for s in lab.steps] == ["GET /sandbox/middleware/books/?touch_session=1"]


def test_gzip_pads_identical_pages_to_different_sizes(run_demo):
    # BREACH mitigation: up to 100 random bytes in the gzip header. Five runs all equal would be ~1e-8 likely.
    sizes = {run_demo("middleware.headers", revalidate=False).steps[0].facts["Body bytes sent"] for _ in range(5)}
    assert len(sizes) > 1


def test_conditional_get_above_gzip_hashes_the_padded_bytes_so_etags_never_repeat(run_demo):
    etags = {
        run_demo("middleware.compose", order="ConditionalGet,GZip,Common").steps[0].response_headers["ETag"]
        for _ in range(5)
    }
    assert len(etags) > 1
    right_way_round = {
        run_demo("middleware.compose", order="GZip,ConditionalGet,Common").steps[0].response_headers["ETag"]
        for _ in range(3)
    }
    assert len(right_way_round) == 1


@pytest.mark.django_db
def test_the_inspector_card_shows_each_header_the_lesson_names(seeded, client, settings):
    settings.LAB_RATE_LIMIT = 0
    data = {name: "on" for name in ("gzip", "conditional_get", "accept_encoding", "touch_session", "revalidate")}
    response = client.post("/demos/middleware.headers/run/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    for shown in (
        "Content-Length",
        "X-Frame-Options",
        "DENY",
        "Vary",
        "Cookie, Accept-Encoding",
        "Content-Encoding",
        "gzip",
        "ETag",
        "W/&quot;",
        "X-Request-ID",
        "Server-Timing",
        "app;dur=",
        "X-Lab-Queries",
        "304 Not Modified",
    ):
        assert shown in html, shown


def test_the_inspector_stack_is_the_sites_middleware_without_the_toolbar(run_demo, settings):
    step = run_demo("middleware.headers", gzip=False, conditional_get=False, revalidate=False).steps[0]
    layers = [e.layer for e in step.trace if e.phase == "in" and e.layer != "view"]
    expected = [p.rsplit(".", 1)[-1] for p in settings.MIDDLEWARE if not p.startswith(LOCAL_TOOLS)]
    assert layers == [name for name in expected if name != "MaintenanceModeMiddleware"]  # off: MiddlewareNotUsed
