"""M4: the header inspector sends a real request through the site's own MIDDLEWARE."""

import pytest

from demos.middleware_kit import LOCAL_TOOLS


def added_by(step, header):
    """The layers whose way out added this header."""
    return [e.layer for e in step.trace if e.phase == "out" and header in e.added]


def changed_by(step, header):
    return [e.layer for e in step.trace if e.phase == "out" and header in e.changed]


def test_each_header_is_set_by_the_layer_that_owns_it(run_demo):
    step = run_demo("middleware.headers").get("get_page")
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
    assert step.facts["content_encoding"] == "gzip"
    assert step.facts["vary"] == "Cookie, Accept-Encoding"
    assert step.facts["x_frame_options"] == "DENY"


def test_gzip_above_conditional_get_rewrites_length_and_weakens_the_etag(run_demo):
    step = run_demo("middleware.headers").get("get_page")
    assert "GZipMiddleware" in changed_by(step, "Content-Length")
    assert changed_by(step, "ETag") == ["GZipMiddleware"]
    assert step.facts["etag"].startswith('W/"')
    assert int(step.facts["content_length"]) == step.facts["body_bytes"]


def test_the_body_really_is_gzip(run_demo):
    lab = run_demo("middleware.headers", revalidate=False)
    assert lab.get("get_page").response_headers["Content-Encoding"] == "gzip"


def test_query_count_header_matches_the_queries_the_lab_saw(run_demo):
    step = run_demo("middleware.headers").get("get_page")
    assert int(step.facts["x_lab_queries"]) == len(step.queries) > 0
    assert step.facts["server_timing"].startswith("app;dur=")


def test_without_gzip_and_session_those_headers_do_not_appear(run_demo):
    step = run_demo("middleware.headers", gzip=False, touch_session=False, revalidate=False).get("get_page")
    assert step.facts["content_encoding"] == "(absent)"
    assert step.facts["vary"] == "(absent)"
    assert step.facts["etag"] != "(absent)"  # ConditionalGet is still on


def test_revalidating_with_the_etag_gets_a_304_and_no_body(run_demo):
    lab = run_demo("middleware.headers", touch_session=False)
    again = lab.get("revalidate")
    assert again.facts["final_response"] == "304 Not Modified"
    assert again.facts["body_bytes"] == 0


def test_gzip_streams_a_streaming_response_through_the_site_stack(run_demo):
    lab = run_demo(
        "middleware.compose", order="GZip,RequestID,RequestLog,ServerTiming,Common", path="/sandbox/middleware/stream/"
    )
    step = lab.get("request")
    assert step.response_headers["Content-Encoding"] == "gzip"
    assert "Content-Length" not in step.response_headers
    assert "X-Request-ID" in step.response_headers and "Server-Timing" in step.response_headers
    assert step.facts["body"].endswith("gzip-encoded")


def test_streaming_body_survives_the_site_middleware_intact(run_demo):
    step = run_demo("middleware.production", path="/sandbox/middleware/stream/").get("request")
    assert step.facts["streaming_body"] == "".join(f"chunk {i}\n" for i in range(5))
    assert step.facts["x_lab_queries"] == "0"


def test_gzip_without_accept_encoding_keeps_the_body_but_still_varies(run_demo):
    step = run_demo("middleware.headers", accept_encoding=False, revalidate=False).get("get_page")
    assert step.facts["content_encoding"] == "(absent)"
    assert step.facts["vary"] == "Cookie, Accept-Encoding"


def test_session_adds_vary_and_gzip_extends_it(run_demo):
    step = run_demo("middleware.headers", revalidate=False).get("get_page")
    assert added_by(step, "Vary") == ["SessionMiddleware"]
    assert changed_by(step, "Vary") == ["GZipMiddleware"]
    (vary,) = [e.changed["Vary"] for e in step.trace if e.phase == "out" and "Vary" in e.changed]
    assert vary == ("Cookie", "Cookie, Accept-Encoding")


def test_the_site_layers_add_a_request_id_timing_and_query_count(run_demo):
    import re

    step = run_demo("middleware.headers", revalidate=False).get("get_page")
    assert re.fullmatch(r"[0-9a-f]{32}", step.facts["x_request_id"])
    assert re.fullmatch(
        r'app;dur=[\d.]+;desc="inner layers and view", sql;dur=[\d.]+;desc="\d+ queries"', step.facts["server_timing"]
    )


def test_with_default_inputs_the_second_request_is_a_304_with_no_body(run_demo):
    lab = run_demo("middleware.headers")
    again = lab.get("revalidate")
    assert again.request_headers["If-None-Match"] == lab.get("get_page").facts["etag"]
    assert again.facts["final_response"] == "304 Not Modified"
    assert again.facts["body_bytes"] == 0


def test_without_conditional_get_there_is_no_etag_and_no_second_request(run_demo):
    lab = run_demo("middleware.headers", conditional_get=False)
    assert lab.get("get_page").facts["etag"] == "(absent)"
    assert [s.key for s in lab.steps] == ["get_page"]


def test_gzip_pads_identical_pages_to_different_sizes(run_demo):
    # BREACH mitigation: up to 100 random bytes in the gzip header. Five runs all equal would be ~1e-8 likely.
    sizes = {run_demo("middleware.headers", revalidate=False).get("get_page").facts["body_bytes"] for _ in range(5)}
    assert len(sizes) > 1


def test_conditional_get_above_gzip_hashes_the_padded_bytes_so_etags_never_repeat(run_demo):
    etags = {
        run_demo("middleware.compose", order="ConditionalGet,GZip,Common").get("request").response_headers["ETag"]
        for _ in range(5)
    }
    assert len(etags) > 1
    right_way_round = {
        run_demo("middleware.compose", order="GZip,ConditionalGet,Common").get("request").response_headers["ETag"]
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
    step = run_demo("middleware.headers", gzip=False, conditional_get=False, revalidate=False).get("get_page")
    layers = [e.layer for e in step.trace if e.phase == "in" and e.layer != "view"]
    expected = [p.rsplit(".", 1)[-1] for p in settings.MIDDLEWARE if not p.startswith(LOCAL_TOOLS)]
    assert layers == [name for name in expected if name != "MaintenanceModeMiddleware"]  # off: MiddlewareNotUsed


def test_the_inspector_headline_counts_the_headers_and_layers_from_the_trace(run_demo):
    lab = run_demo("middleware.headers")
    step = lab.get("get_page")
    changed = [e for e in step.trace if e.phase == "out" and e.layer != "view" and (e.added or e.changed)]
    entered = [e for e in step.trace if e.phase == "in" and e.layer != "view"]
    names = {name for e in changed for name in [*e.added, *e.changed]}
    assert lab.headline_text == (
        f"{len(names)} headers set or changed on the way out, by {len(changed)} of the {len(entered)} layers; "
        "If-None-Match got 304 Not Modified"
    )
    assert {"Content-Length", "Vary", "ETag", "X-Frame-Options", "Content-Encoding"} <= names
    assert lab.focus_key == "get_page"


def test_the_inspector_predictions_are_graded_from_the_run(run_demo):
    from lab import registry

    vary, revalidated = registry.get("middleware.headers").predictions
    lab = run_demo("middleware.headers")
    assert vary.answer(lab) == "SessionMiddleware"
    assert revalidated.answer(lab) == "304 Not Modified, with an empty body"
    quiet = run_demo("middleware.headers", touch_session=False, revalidate=False)
    assert vary.answer(quiet) == "No layer adds it"  # GZip still adds Vary: Accept-Encoding, but not Cookie
    assert revalidated.answer(quiet) == "There is no second request"
