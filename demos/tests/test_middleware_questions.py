"""The model answers of the middleware lessons' "Check yourself" questions, asserted from the demos they name.

(03's DEBUG_PROPAGATE_EXCEPTIONS answer is asserted in test_middleware_hooks.py, 06-sync-async's in
test_middleware_async.py, 07's in test_middleware_testing.py, the capstone's in test_capstone.py.)
"""

from demos.middleware_kit import sequence


def seq(lab, key="request"):
    return sequence(lab.get(key).trace)


def test_01_onion_answers(run_demo):
    lab = run_demo("middleware.onion", order="C,A,B")
    assert lab.headline_text.startswith("in C, A, B, out B, A, C; __init__ ran B, A, C, once for both requests")
    assert lab.get("second_request").facts["init_calls"] == 0
    unused = run_demo("middleware.onion", b_unused=True)
    assert unused.headline_text.startswith(
        "B removed itself (MiddlewareNotUsed); in A, C, out C, A; __init__ ran C, B, A"
    )
    assert seq(unused, "first_request") == ["A.before", "C.before", "A.view", "C.view", "C.after", "A.after"]
    answers = run_demo("middleware.onion", b_answers=True).get("first_request")
    assert sequence(answers.trace) == ["A.before", "B.before", "B.after", "A.after"]
    assert answers.facts["body"] == "B answered without calling the layers below.\n"
    assert answers.facts["final_response"] == "200 OK"
    facts = lab.get("first_request").facts
    assert (facts["resolver_match_in_call"], facts["resolver_match_in_process_view"]) == ("None", "mw-hooks")


def test_02_hooks_answers(run_demo):
    a = run_demo("middleware.hooks", scenario="short_view", layer="A")
    c = run_demo("middleware.hooks", scenario="short_view", layer="C")
    assert [e for e in seq(a) if e.endswith(".view")] == ["A.view"]
    assert [e for e in seq(c) if e.endswith(".view")] == ["A.view", "B.view", "C.view"]
    for lab, layer in ((a, "A"), (c, "C")):
        assert lab.get("request").facts["body"] == f"{layer}.process_view answered; the view never ran.\n"
        assert lab.get("request").facts["statuses"] == "C=200, B=200, A=200"
    for layer, hooks in (("C", ["C.exception"]), ("A", ["C.exception", "B.exception", "A.exception"])):
        lab = run_demo("middleware.hooks", scenario="handle_exc", layer=layer)
        assert [e for e in seq(lab) if e.endswith(".exception")] == hooks
        assert lab.get("request").facts["statuses"] == "C=200, B=200, A=200"
    template = run_demo("middleware.hooks", scenario="template")
    assert template.get("request").facts["body"] == "touched=C,B,A\n"
    assert [e for e in seq(template) if "template" in e] == [
        "C.template_response",
        "B.template_response",
        "A.template_response",
    ]
    missing = run_demo("middleware.hooks", scenario="no_match")
    assert not [e for e in seq(missing) if e.endswith((".view", ".exception"))]
    assert missing.get("request").facts["statuses"] == "C=404, B=404, A=404"


def test_03_errors_answers(run_demo):
    facts = run_demo("middleware.errors", scenario="view_raises").get("request").facts
    assert (facts["statuses"], facts["signals"], facts["caught"]) == ("C=500, B=500, A=500", 1, 0)
    a = run_demo("middleware.errors", scenario="middleware_raises", layer="A").get("request").facts
    c = run_demo("middleware.errors", scenario="middleware_raises", layer="C").get("request").facts
    assert a["statuses"] == "(no layer saw a response)" and c["statuses"] == "B=500, A=500"
    assert a["process_exception"] == c["process_exception"] == "none"
    inner = run_demo("middleware.errors", scenario="inner_404", layer="B").get("request").facts
    assert inner["statuses"] == "A=404" and inner["signals"] == 0
    assert inner["django_request_log"] == "Not Found: /sandbox/middleware/hooks/"
    # The DEBUG_PROPAGATE_EXCEPTIONS answer (3 catches, 4 signals, no response) runs a child process:
    # test_middleware_hooks.py asserts those facts already.


def test_04_ordering_answers(run_demo):
    page = run_demo("middleware.headers").get("get_page")
    vary = {e.layer: (e.added.get("Vary"), e.changed.get("Vary")) for e in page.trace if e.phase == "out"}
    assert vary["SessionMiddleware"] == ("Cookie", None)
    assert vary["GZipMiddleware"] == (None, ("Cookie", "Cookie, Accept-Encoding"))
    assert page.facts["vary"] == "Cookie, Accept-Encoding"
    plain = run_demo("middleware.headers", conditional_get=False)
    assert plain.get("get_page").facts["etag"] == "(absent)"
    assert "revalidate" not in [s.key for s in plain.steps]
    wrong = run_demo("middleware.compose", order="Auth,Session").get("request")
    assert wrong.facts["final_response"] == "500 Internal Server Error"
    assert wrong.error.startswith(
        "The Django authentication middleware requires session middleware to be installed. Edit your MIDDLEWARE "
        "setting to insert 'django.contrib.sessions.middleware.SessionMiddleware' before "
        "'django.contrib.auth.middleware.AuthenticationMiddleware'."
    )
    assert sequence(wrong.trace) == ["AuthenticationMiddleware.before"]
    composed = run_demo("middleware.compose", order="XFrame,CustomHeader,A", path="/sandbox/middleware/hooks/")
    added = [name for e in composed.get("request").trace if e.phase == "out" for name in e.added]
    assert added.index("X-Custom-Header") < added.index("X-Frame-Options")


def test_05_production_answers(run_demo):
    echoed = run_demo("middleware.production", request_id="class-demo-42").get("request")
    assert echoed.facts["request_id_received"] == "class-demo-42"
    assert echoed.log[0].startswith("DEBUG sandbox.requests [class-demo-42] method=GET path=/sandbox/middleware/books/")
    refused = run_demo("middleware.production", request_id="two words").get("request")
    fresh = refused.facts["request_id_received"]
    assert len(fresh) == 32 and int(fresh, 16) >= 0
    assert refused.log[0].startswith(f"DEBUG sandbox.requests [{fresh}]")
    assert echoed.facts["x_lab_queries"] == "1" and len(echoed.queries) == 1
    for path, token, status in (
        ("/sandbox/middleware/api/books/", False, "401 Unauthorized"),
        ("/sandbox/middleware/api/books/", True, "200 OK"),
        ("/sandbox/middleware/api/health/", False, "200 OK"),
    ):
        step = run_demo("middleware.production", path=path, send_token=token).get("request")
        assert step.facts["final_response"] == status
        assert "ApiTokenMiddleware.view" in sequence(step.trace)
    down = run_demo("middleware.production", maintenance=True).get("request")
    assert down.facts["retry_after"] == "120" and down.facts["final_response"] == "503 Service Unavailable"
    assert [e.removesuffix(".before") for e in sequence(down.trace) if e.endswith(".before")] == [
        "RequestIDMiddleware",
        "RequestLogMiddleware",
        "ServerTimingMiddleware",
        "SessionMiddleware",
        "CommonMiddleware",
        "AuthenticationMiddleware",
        "ApiTokenMiddleware",
        "MaintenanceModeMiddleware",
    ]
    assert down.log[0].startswith("INFO ")
