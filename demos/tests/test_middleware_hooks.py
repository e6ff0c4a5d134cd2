"""M2 and M3: the other hooks, and errors inside the onion (MIDDLEWARE = [A, B, C])."""

from demos.middleware_kit import sequence


def words(step):
    return ", ".join(sequence(step.trace))


def run_hooks(run_demo, scenario, layer="B"):
    return run_demo("middleware.hooks", scenario=scenario, layer=layer).get("request")


def test_process_view_response_skips_later_hooks_and_the_view_but_not_the_way_out(run_demo):
    step = run_hooks(run_demo, "short_view", "B")
    assert words(step) == "A.before, B.before, C.before, A.view, B.view, C.after, B.after, A.after"
    assert "the view never ran" in step.facts["body"]


def test_process_exception_runs_bottom_up_and_stops_at_the_layer_that_answers(run_demo):
    step = run_hooks(run_demo, "handle_exc", "B")
    exceptions = [w for w in sequence(step.trace) if w.endswith(".exception")]
    assert exceptions == ["C.exception", "B.exception"]
    assert step.facts["statuses"] == "C=200, B=200, A=200"


def test_template_response_is_edited_by_each_layer_bottom_up(run_demo):
    step = run_hooks(run_demo, "template")
    assert step.facts["body"] == "touched=C,B,A\n"


def test_unresolved_url_skips_process_view_and_process_exception(run_demo):
    step = run_hooks(run_demo, "no_match")
    words = sequence(step.trace)
    assert not [w for w in words if w.endswith((".view", ".exception"))]
    assert step.facts["statuses"] == "C=404, B=404, A=404"


def run_errors(run_demo, scenario, layer="C"):
    return run_demo("middleware.errors", scenario=scenario, layer=layer).get("request")


def test_view_error_reaches_every_outer_layer_as_a_500(run_demo):
    step = run_errors(run_demo, "view_raises")
    assert step.facts["statuses"] == "C=500, B=500, A=500"
    assert step.facts["process_exception"] == "C, B, A"
    assert step.facts["caught"] == 0
    assert step.facts["signals"] == 1
    assert (step.error_type, step.error) == ("RuntimeError", "the view failed")
    assert "Internal Server Error: /sandbox/middleware/boom/" in step.facts["django_request_log"]


def test_middleware_error_skips_process_exception_and_the_inner_layers(run_demo):
    step = run_errors(run_demo, "middleware_raises", "B")
    assert words(step) == "A.before, B.before, A.after"
    assert step.facts["statuses"] == "A=500"
    assert step.facts["process_exception"] == "none"
    assert step.error == "B failed in __call__"


def test_http404_from_an_inner_middleware_arrives_as_a_404_response(run_demo):
    step = run_errors(run_demo, "inner_404", "C")
    assert step.facts["statuses"] == "B=404, A=404"
    assert step.facts["process_exception"] == "none"
    assert step.facts["signals"] == 0
    assert "Not Found: /sandbox/middleware/hooks/" in step.facts["django_request_log"]


def test_process_template_response_returning_none_is_an_error_naming_the_hook(db):
    from lab.handler import send
    from lab.testing import recorded
    from sandbox.example_middleware import LoggingMiddleware

    class Forgetful(LoggingMiddleware):
        name = "F"

        def process_template_response(self, request, response):
            return None  # the bug: the response is lost

    with recorded() as lab:
        response = send([("Forgetful", Forgetful)], "/sandbox/middleware/tr/")
    assert response.status_code == 500
    (error,) = [e.note for e in lab.trace if e.layer == "handler"]
    assert error == (
        "ValueError: Forgetful.process_template_response didn't return an HttpResponse object. It returned None instead."
    )


def test_the_layer_that_answers_in_process_view_is_the_last_view_line(run_demo):
    for layer, views in [("A", ["A.view"]), ("C", ["A.view", "B.view", "C.view"])]:
        step = run_hooks(run_demo, "short_view", layer)
        assert [w for w in sequence(step.trace) if w.endswith(".view")] == views
        assert step.facts["body"] == f"{layer}.process_view answered; the view never ran.\n"


def test_process_exception_handled_by_a_or_c(run_demo):
    for layer, calls in [("C", ["C.exception"]), ("A", ["C.exception", "B.exception", "A.exception"])]:
        step = run_hooks(run_demo, "handle_exc", layer)
        assert [w for w in sequence(step.trace) if w.endswith(".exception")] == calls
        assert step.facts["statuses"] == "C=200, B=200, A=200"


def test_a_middleware_raising_in_a_or_c(run_demo):
    outer = run_errors(run_demo, "middleware_raises", "A")
    assert outer.facts["statuses"] == "(no layer saw a response)"
    assert outer.facts["final_response"] == "500 Internal Server Error"
    inner = run_errors(run_demo, "middleware_raises", "C")
    assert inner.facts["statuses"] == "B=500, A=500"
    assert inner.facts["process_exception"] == "none"


def test_http404_raised_in_b_reaches_a_as_a_404_and_django_logs_not_found(run_demo):
    step = run_errors(run_demo, "inner_404", "B")
    assert step.facts["statuses"] == "A=404"
    assert step.facts["django_request_log"] == "Not Found: /sandbox/middleware/hooks/"


def test_with_debug_propagate_exceptions_the_error_escapes_through_every_layer(run_demo):
    step = run_errors(run_demo, "propagate")
    assert step.facts["escaped"] == "RuntimeError: the view failed"
    assert (step.error_type, step.error) == ("RuntimeError", "the view failed")
    assert words(step) == (
        "A.before, B.before, C.before, A.view, B.view, C.view, C.exception, B.exception, A.exception"
    )
    assert step.facts["caught"] == 3
    # One signal at each boundary: the innermost handler's and each layer's convert_exception_to_response.
    assert step.facts["signals"] == 4
    assert step.facts["django_request_log"] == "(nothing)"
    assert '<svg class="onion"' in step.figures[0].html


def test_the_site_itself_never_propagates_exceptions(settings):
    assert settings.DEBUG_PROPAGATE_EXCEPTIONS is False


def test_the_propagate_step_shows_the_setting_and_request_the_child_used(run_demo):
    step = run_errors(run_demo, "propagate")
    assert step.code.endswith("]\nDEBUG_PROPAGATE_EXCEPTIONS = True\n# GET /sandbox/middleware/boom/")
    assert "statuses" in step.facts and step.facts["statuses"] == "(no layer saw a response)"


def test_the_hooks_headline_is_computed_from_the_trace(run_demo):
    cases = {
        ("short_view", "B"): "process_view ran A, B; B answered, so the view never ran; out C, B, A",
        ("handle_exc", "B"): "process_view ran A, B, C; the view ran; process_exception ran C, B and B answered; "
        "out C, B, A",
        ("template", "B"): "process_view ran A, B, C; the view ran; process_template_response ran C, B, A: "
        "touched=C,B,A; out C, B, A",
        ("no_match", "B"): "No URL matched: no process_view, no process_exception; every layer saw 404",
    }
    for (scenario, layer), headline in cases.items():
        lab = run_demo("middleware.hooks", scenario=scenario, layer=layer)
        assert lab.headline_text == headline
        assert lab.focus_key == "request"


def test_the_hooks_predictions_are_graded_from_the_run(run_demo):
    from lab import registry

    view_ran, a_saw = registry.get("middleware.hooks").predictions
    skipped = run_demo("middleware.hooks", scenario="short_view", layer="C")
    assert view_ran.grade(skipped, "No") == (True, "No")
    missing = run_demo("middleware.hooks", scenario="no_match")
    assert (view_ran.answer(missing), a_saw.answer(missing)) == ("No", "404")
    handled = run_demo("middleware.hooks", scenario="handle_exc", layer="A")
    assert (view_ran.answer(handled), a_saw.answer(handled)) == ("Yes", "200")


def test_the_errors_headline_and_predictions(run_demo):
    from lab import registry

    caught, a_saw = registry.get("middleware.errors").predictions
    view = run_demo("middleware.errors", scenario="view_raises")
    assert view.headline_text == "The view raised: C, B, A saw 500; try/except around get_response fired 0 times"
    assert (caught.answer(view), a_saw.answer(view)) == ("No", "500")
    inner = run_demo("middleware.errors", scenario="inner_404", layer="C")
    assert inner.headline_text == "C raised: B, A saw 404; try/except around get_response fired 0 times"
    outer = run_demo("middleware.errors", scenario="middleware_raises", layer="A")
    assert a_saw.answer(outer) == "None: the exception passed through A"
    assert outer.headline_text.startswith("A raised: no layer above it saw a response")
