"""M2 and M3: the other hooks, and errors inside the onion (MIDDLEWARE = [A, B, C])."""


def run_hooks(run_demo, scenario, layer="B"):
    lab = run_demo("middleware.hooks", scenario=scenario, layer=layer)
    return lab.steps[0]


def test_process_view_response_skips_later_hooks_and_the_view_but_not_the_way_out(run_demo):
    step = run_hooks(run_demo, "short_view", "B")
    assert step.facts["Sequence"] == "A.before, B.before, C.before, A.view, B.view, C.after, B.after, A.after"
    assert "the view never ran" in step.facts["Body"]


def test_process_exception_runs_bottom_up_and_stops_at_the_layer_that_answers(run_demo):
    step = run_hooks(run_demo, "handle_exc", "B")
    exceptions = [w for w in step.facts["Sequence"].split(", ") if w.endswith(".exception")]
    assert exceptions == ["C.exception", "B.exception"]
    assert step.facts["Status each layer saw"] == "C=200, B=200, A=200"


def test_template_response_is_edited_by_each_layer_bottom_up(run_demo):
    step = run_hooks(run_demo, "template")
    assert step.facts["Body"] == "touched=C,B,A\n"


def test_unresolved_url_skips_process_view_and_process_exception(run_demo):
    step = run_hooks(run_demo, "no_match")
    words = step.facts["Sequence"].split(", ")
    assert not [w for w in words if w.endswith((".view", ".exception"))]
    assert step.facts["Status each layer saw"] == "C=404, B=404, A=404"


def run_errors(run_demo, scenario, layer="C"):
    return run_demo("middleware.errors", scenario=scenario, layer=layer).steps[0]


def test_view_error_reaches_every_outer_layer_as_a_500(run_demo):
    step = run_errors(run_demo, "view_raises")
    assert (
        step.facts["What each layer logged on the way out"]
        == "C.after status=500; B.after status=500; A.after status=500"
    )
    assert step.facts["process_exception calls"] == "C.exception, B.exception, A.exception"
    assert step.facts["try/except around get_response fired"] == 0
    assert step.facts["got_request_exception sent"] == 1
    assert (step.error_type, step.error) == ("RuntimeError", "the view failed")
    assert "Internal Server Error: /sandbox/middleware/boom/" in step.facts["django.request logged"]


def test_middleware_error_skips_process_exception_and_the_inner_layers(run_demo):
    step = run_errors(run_demo, "middleware_raises", "B")
    assert step.facts["Sequence"] == "A.before, B.before, A.after"
    assert step.facts["What each layer logged on the way out"] == "A.after status=500"
    assert step.facts["process_exception calls"] == "none"
    assert step.error == "B failed in __call__"


def test_http404_from_an_inner_middleware_arrives_as_a_404_response(run_demo):
    step = run_errors(run_demo, "inner_404", "C")
    assert step.facts["What each layer logged on the way out"] == "B.after status=404; A.after status=404"
    assert step.facts["process_exception calls"] == "none"
    assert step.facts["got_request_exception sent"] == 0
    assert "Not Found: /sandbox/middleware/hooks/" in step.facts["django.request logged"]


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
        assert [w for w in step.facts["Sequence"].split(", ") if w.endswith(".view")] == views
        assert step.facts["Body"] == f"{layer}.process_view answered; the view never ran.\n"


def test_process_exception_handled_by_a_or_c(run_demo):
    for layer, calls in [("C", ["C.exception"]), ("A", ["C.exception", "B.exception", "A.exception"])]:
        step = run_hooks(run_demo, "handle_exc", layer)
        assert [w for w in step.facts["Sequence"].split(", ") if w.endswith(".exception")] == calls
        assert step.facts["Status each layer saw"] == "C=200, B=200, A=200"


def test_a_middleware_raising_in_a_or_c(run_demo):
    outer = run_errors(run_demo, "middleware_raises", "A")
    assert outer.facts["What each layer logged on the way out"] == "(nothing)"
    assert outer.facts["Final response"] == "500 Internal Server Error"
    inner = run_errors(run_demo, "middleware_raises", "C")
    assert inner.facts["What each layer logged on the way out"] == "B.after status=500; A.after status=500"
    assert inner.facts["process_exception calls"] == "none"


def test_http404_raised_in_b_reaches_a_as_a_404_and_django_logs_not_found(run_demo):
    step = run_errors(run_demo, "inner_404", "B")
    assert step.facts["What each layer logged on the way out"] == "A.after status=404"
    assert step.facts["django.request logged"] == "Not Found: /sandbox/middleware/hooks/"


def test_with_debug_propagate_exceptions_the_error_escapes_through_every_layer(run_demo):
    step = run_errors(run_demo, "propagate")
    assert step.facts["Escaped the handler"] == "RuntimeError: the view failed"
    assert (step.error_type, step.error) == ("RuntimeError", "the view failed")
    assert step.facts["Sequence"] == (
        "A.before, B.before, C.before, A.view, B.view, C.view, "
        "C.exception, B.exception, A.exception, C.caught, B.caught, A.caught"
    )
    assert step.facts["try/except around get_response fired"] == 3
    # One signal at each boundary: the innermost handler's and each layer's convert_exception_to_response.
    assert step.facts["got_request_exception sent"] == 4
    assert step.facts["django.request logged"] == "(nothing)"
    assert '<svg class="onion"' in step.figures[0].html


def test_the_site_itself_never_propagates_exceptions(settings):
    assert settings.DEBUG_PROPAGATE_EXCEPTIONS is False
