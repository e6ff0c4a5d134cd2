"""M1, the onion: each test runs the demo and reads its lab report."""

import pytest


def test_abc_request_runs_top_down_then_bottom_up(run_demo):
    lab = run_demo("middleware.onion")
    sequence = lab.get("First request").facts["Sequence"]
    assert sequence == "A.before, B.before, C.before, A.view, B.view, C.view, C.after, B.after, A.after"


def test_init_runs_bottom_up_once_per_handler(run_demo):
    lab = run_demo("middleware.onion")
    assert lab.get("Build the handler (once per process)").facts["__init__ order"] == "C, B, A"
    assert lab.get("Second request, same handler").facts["__init__ calls during this request"] == 0


def test_each_new_handler_runs_init_again(run_demo):
    first = run_demo("middleware.onion")
    second = run_demo("middleware.onion")
    for lab in (first, second):
        assert lab.get("Build the handler (once per process)").log == ["C.__init__", "B.__init__", "A.__init__"]


def test_reordering_the_list_reorders_the_onion(run_demo):
    lab = run_demo("middleware.onion", order="C,A,B")
    sequence = lab.get("First request").facts["Sequence"]
    assert sequence == "C.before, A.before, B.before, C.view, A.view, B.view, B.after, A.after, C.after"


def test_middleware_not_used_drops_b_from_the_request(run_demo):
    lab = run_demo("middleware.onion", b_unused=True)
    build = lab.get("Build the handler (once per process)")
    assert build.facts["__init__ order"] == "C, B, A"  # B's __init__ ran, then raised
    assert any(e.layer == "B" and e.note.startswith("MiddlewareNotUsed") for e in build.trace)
    first = lab.get("First request")
    assert first.facts["Sequence"] == "A.before, C.before, A.view, C.view, C.after, A.after"
    assert not any(e.layer == "B" for e in first.trace)


def test_middleware_not_used_is_logged_to_django_request_only_with_debug(run_demo, settings):
    quiet = run_demo("middleware.onion", b_unused=True).get("Build the handler (once per process)")
    assert quiet.log == ["C.__init__", "B.__init__", "A.__init__"]
    settings.DEBUG = True
    loud = run_demo("middleware.onion", b_unused=True).get("Build the handler (once per process)")
    assert "MiddlewareNotUsed('B'): B switched itself off." in loud.log


def test_answering_in_call_hides_the_request_from_inner_layers(run_demo):
    lab = run_demo("middleware.onion", b_answers=True)
    step = lab.get("First request")
    assert step.facts["Sequence"] == "A.before, B.before, B.after, A.after"
    assert not any(e.layer in {"C", "view"} for e in step.trace)
    assert "B answered" in step.facts["Body"]


def test_resolver_match_is_none_before_get_response_and_set_in_process_view(run_demo):
    log = run_demo("middleware.onion").get("First request").log
    assert "A.before resolver_match=None" in log
    assert "A.view resolver_match=mw-hooks" in log


def test_corrected_custom_header_middleware_adds_its_header(run_demo):
    lab = run_demo("middleware.custom-header")
    garbled = lab.get("The concept page's version")
    assert (garbled.error_type, garbled.error) == ("TypeError", "CustomHeaderMiddleware() takes no arguments")
    step = lab.get("The corrected class: GET /sandbox/middleware/hooks/")
    assert step.facts["X-Custom-Header"] == "Value"
    out = [e for e in step.trace if e.layer == "CustomHeaderMiddleware" and e.phase == "out"]
    assert out[0].added == {"X-Custom-Header": "Value"}


@pytest.mark.django_db
def test_onion_report_draws_the_svg(seeded, client, settings):
    settings.LAB_RATE_LIMIT = 0
    response = client.post("/demos/middleware.onion/run/", {"order": "A,B,C"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="onion"' in html
    assert 'data-report="headers"' in html


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
    step = run_demo("middleware.custom-header").get("The same as a function factory: GET /sandbox/middleware/hooks/")
    assert step.facts["X-Custom-Header"] == "Value"
    assert step.facts["Final response"] == "200 OK"
    out = [e for e in step.trace if e.layer == "custom_header_middleware" and e.phase == "out"]
    assert out[0].added == {"X-Custom-Header": "Value"}


def test_init_order_is_the_list_reversed_for_any_order(run_demo):
    lab = run_demo("middleware.onion", order="C,A,B")
    assert lab.get("Build the handler (once per process)").facts["__init__ order"] == "B, A, C"


def test_the_onion_drawing_leaves_out_a_layer_that_raised_middleware_not_used(run_demo):
    step = run_demo("middleware.onion", b_unused=True).get("First request")
    (figure,) = step.figures
    assert "→ A" in figure.html and "→ C" in figure.html
    assert "→ B" not in figure.html
    assert "Removed by MiddlewareNotUsed: B" in figure.html


def test_a_short_circuit_in_call_draws_the_inner_rings_as_never_reached(run_demo):
    step = run_demo("middleware.onion", b_answers=True).get("First request")
    (figure,) = step.figures
    assert "→ C (never reached)" in figure.html
    assert "not reached: a layer above answered" in figure.html


@pytest.mark.django_db
def test_djangos_own_handler_logs_the_same_sequence_as_the_lab(run_demo, settings, caplog):
    """The lab's handler mirrors Django's: the same A/B/C list through the test Client gives the same log."""
    from django.test import Client

    settings.MIDDLEWARE = [
        "sandbox.example_middleware.A",
        "sandbox.example_middleware.B",
        "sandbox.example_middleware.C",
    ]
    caplog.set_level("INFO", logger="sandbox.onion")
    Client().get("/sandbox/middleware/hooks/")
    words = [r.getMessage().split()[0] for r in caplog.records if r.name == "sandbox.onion"]
    sequence = ", ".join(w for w in words if not w.endswith(".__init__"))
    assert sequence == run_demo("middleware.onion").get("First request").facts["Sequence"]
