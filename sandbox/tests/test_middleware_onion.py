"""M1: the onion. Each test runs the demo and reads its lab report."""


def test_abc_request_runs_top_down_then_bottom_up(run_demo):
    lab = run_demo("middleware.onion")
    step = lab.get("First request")
    assert step.facts["Sequence"] == "A.before, B.before, C.before, A.view, B.view, C.view, C.after, B.after, A.after"
