"""M1, the onion: each test runs the demo and reads its lab report by step and fact keys."""

import pytest

from demos.middleware_kit import layers_in, sequence


def words(step):
    return ", ".join(sequence(step.trace))


def test_abc_request_runs_top_down_then_bottom_up(run_demo):
    lab = run_demo("middleware.onion")
    assert words(lab.get("first_request")) == (
        "A.before, B.before, C.before, A.view, B.view, C.view, C.after, B.after, A.after"
    )


def test_init_runs_bottom_up_once_per_handler(run_demo):
    lab = run_demo("middleware.onion")
    assert layers_in(lab.get("build").trace, "init") == ["C", "B", "A"]
    assert lab.get("second_request").facts["init_calls"] == 0


def test_each_new_handler_runs_init_again(run_demo):
    first = run_demo("middleware.onion")
    second = run_demo("middleware.onion")
    for lab in (first, second):
        assert layers_in(lab.get("build").trace, "init") == ["C", "B", "A"]


def test_reordering_the_list_reorders_the_onion(run_demo):
    lab = run_demo("middleware.onion", order="C,A,B")
    assert words(lab.get("first_request")) == (
        "C.before, A.before, B.before, C.view, A.view, B.view, B.after, A.after, C.after"
    )


def test_middleware_not_used_drops_b_from_the_request(run_demo):
    lab = run_demo("middleware.onion", b_unused=True)
    build = lab.get("build")
    assert layers_in(build.trace, "init") == ["C", "B", "A"]  # B's __init__ ran, then raised
    assert any(e.layer == "B" and e.note.startswith("MiddlewareNotUsed") for e in build.trace)
    first = lab.get("first_request")
    assert words(first) == "A.before, C.before, A.view, C.view, C.after, A.after"
    assert not any(e.layer == "B" for e in first.trace)


def test_middleware_not_used_is_logged_to_django_request_only_with_debug(run_demo, settings):
    quiet = run_demo("middleware.onion", b_unused=True).get("build")
    assert quiet.facts["django_request_log"] == "(nothing)"
    settings.DEBUG = True
    loud = run_demo("middleware.onion", b_unused=True).get("build")
    assert loud.facts["django_request_log"] == "MiddlewareNotUsed('B'): B switched itself off."


def test_answering_in_call_hides_the_request_from_inner_layers(run_demo):
    lab = run_demo("middleware.onion", b_answers=True)
    step = lab.get("first_request")
    assert words(step) == "A.before, B.before, B.after, A.after"
    assert not any(e.layer in {"C", "view"} for e in step.trace)
    assert "B answered" in step.facts["body"]


def test_resolver_match_is_none_before_get_response_and_set_in_process_view(run_demo):
    facts = run_demo("middleware.onion").get("first_request").facts
    assert facts["resolver_match_in_call"] == "None"
    assert facts["resolver_match_in_process_view"] == "mw-hooks"


def test_corrected_custom_header_middleware_adds_its_header(run_demo):
    lab = run_demo("middleware.custom-header")
    garbled = lab.get("concept_page")
    assert (garbled.error_type, garbled.error) == ("TypeError", "CustomHeaderMiddleware() takes no arguments")
    step = lab.get("corrected_class")
    assert step.facts["x_custom_header"] == "Value"
    out = [e for e in step.trace if e.layer == "CustomHeaderMiddleware" and e.phase == "out"]
    assert out[0].added == {"X-Custom-Header": "Value"}


def test_the_concept_page_step_loads_the_printed_class_by_its_dotted_path(run_demo):
    step = run_demo("middleware.custom-header").get("concept_page")
    assert step.code == "MIDDLEWARE = [\n    'sandbox.teaching.middleware.CustomHeaderMiddleware',\n]"


@pytest.mark.django_db
def test_onion_report_draws_the_svg_once_with_its_trace(seeded, client, settings):
    settings.LAB_RATE_LIMIT = 0
    response = client.post("/demos/middleware.onion/run/", {"order": "A,B,C"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<svg class="onion"') == 2  # the first and the second request, nothing else
    assert html.count("Through the onion") == 1  # only the build step lists its trace (it has no request to draw)
    assert 'data-report="headers"' in html
    assert "A.before" not in html  # the layers' own log lines are the trace again: not listed


@pytest.mark.django_db
def test_each_test_client_builds_its_own_handler_and_runs_init_again(settings, caplog):
    from django.test import Client

    settings.MIDDLEWARE = [
        "sandbox.example_middleware.A",
        "sandbox.example_middleware.B",
        "sandbox.example_middleware.C",
    ]
    caplog.set_level("INFO", logger="sandbox.onion")

    def inits():
        return [r.getMessage() for r in caplog.records if r.getMessage().endswith(".__init__")]

    first = Client()
    first.get("/sandbox/middleware/hooks/")
    first.get("/sandbox/middleware/hooks/")
    assert inits() == ["C.__init__", "B.__init__", "A.__init__"]
    Client().get("/sandbox/middleware/hooks/")
    assert inits() == ["C.__init__", "B.__init__", "A.__init__"] * 2


def test_a_factory_that_returns_none_is_rejected_when_the_chain_is_built():
    from django.core.exceptions import ImproperlyConfigured

    from lab.handler import make_handler

    def forgetful_factory(get_response):
        def middleware(request):
            return get_response(request)

        # the bug: no `return middleware`

    with pytest.raises(ImproperlyConfigured, match=r"^Middleware factory Forgetful returned None\.$"):
        make_handler([("Forgetful", forgetful_factory)])


def test_the_function_factory_version_adds_the_same_header(run_demo):
    step = run_demo("middleware.custom-header").get("function_factory")
    assert step.facts["x_custom_header"] == "Value"
    assert step.facts["final_response"] == "200 OK"
    out = [e for e in step.trace if e.layer == "custom_header_middleware" and e.phase == "out"]
    assert out[0].added == {"X-Custom-Header": "Value"}


def test_init_order_is_the_list_reversed_for_any_order(run_demo):
    lab = run_demo("middleware.onion", order="C,A,B")
    assert layers_in(lab.get("build").trace, "init") == ["B", "A", "C"]


def test_the_onion_drawing_leaves_out_a_layer_that_raised_middleware_not_used(run_demo):
    step = run_demo("middleware.onion", b_unused=True).get("first_request")
    (figure,) = step.figures
    assert figure.kind == "onion"
    assert "1 → A" in figure.html and "2 → C" in figure.html
    assert "→ B" not in figure.html
    assert "Removed by MiddlewareNotUsed: B" in figure.html


def test_a_short_circuit_in_call_draws_the_inner_rings_as_never_reached(run_demo):
    step = run_demo("middleware.onion", b_answers=True).get("first_request")
    (figure,) = step.figures
    assert "→ C (never reached)" in figure.html
    assert "not reached: a layer above answered" in figure.html


def test_the_drawing_numbers_the_request_in_the_order_it_ran(run_demo):
    (figure,) = run_demo("middleware.onion").get("first_request").figures
    for label in ("1 → A", "2 → B", "3 → C", "4 resolve the URL", "5 A.process_view", "8 hooks() ran", "9 → 200"):
        assert label in figure.html, label
    for label in ("10 ← 200", "11 ← 200", "12 ← 200"):
        assert label in figure.html, label


@pytest.mark.django_db
def test_djangos_own_handler_logs_the_same_sequence_as_the_lab(run_demo, settings, caplog):
    """The lab's trace is what the layers themselves log: the same A/B/C list through the test Client agrees."""
    from django.test import Client

    settings.MIDDLEWARE = [
        "sandbox.example_middleware.A",
        "sandbox.example_middleware.B",
        "sandbox.example_middleware.C",
    ]
    caplog.set_level("INFO", logger="sandbox.onion")
    Client().get("/sandbox/middleware/hooks/")
    logged = [r.getMessage().split()[0] for r in caplog.records if r.name == "sandbox.onion"]
    assert ", ".join(w for w in logged if not w.endswith(".__init__")) == words(
        run_demo("middleware.onion").get("first_request")
    )


def test_the_headline_states_both_orders_and_the_init_order(run_demo):
    lab = run_demo("middleware.onion", order="B,C,A")
    assert lab.headline_text == "in B, C, A, out A, C, B; __init__ ran A, C, B, once for both requests"
    assert lab.focus_key == "first_request"
    short = run_demo("middleware.onion", b_answers=True)
    assert short.headline_text.startswith("B answered: C and the view never ran; in A, B, out B, A")


def test_the_predictions_are_graded_from_the_run(run_demo):
    from lab import registry

    demo = registry.get("middleware.onion")
    lab = run_demo("middleware.onion", order="C,A,B")
    init_order, second = demo.predictions
    assert init_order.grade(lab, "B, A, C") == (True, "B, A, C")
    assert init_order.grade(lab, "C, A, B") == (False, "B, A, C")
    assert set(init_order.choices) == {"A, B, C", "A, C, B", "B, A, C", "B, C, A", "C, A, B", "C, B, A"}
    assert second.grade(lab, "0") == (True, "0")


def test_the_concept_page_prediction_and_headline(run_demo):
    from lab import registry

    lab = run_demo("middleware.custom-header")
    (prediction,) = registry.get("middleware.custom-header").predictions
    assert prediction.answer(lab) == "TypeError, when the chain is built"
    assert lab.headline_text == "As printed: TypeError; corrected, class and function both add X-Custom-Header: Value"
