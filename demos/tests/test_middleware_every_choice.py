"""Every choice of every middleware demo runs to its report: no unexpected error, whatever the learner picks."""

import itertools

import pytest

from demos.middleware import ORDERS
from demos.middleware_hooks import ERROR_SCENARIOS, HOOK_SCENARIOS, LAYERS
from demos.middleware_prod import PROD_PATHS
from demos.middleware_stacks import PATHS

FLAGS = [False, True]


def test_every_onion_order_and_switch(run_demo):
    for order, unused, answers in itertools.product(ORDERS, FLAGS, FLAGS):
        lab = run_demo("middleware.onion", order=order, b_unused=unused, b_answers=answers)
        assert lab.get("first_request").facts["final_response"] == "200 OK"


def test_every_hooks_scenario_at_every_layer(run_demo):
    for scenario, (layer, _) in itertools.product(HOOK_SCENARIOS, LAYERS):
        assert run_demo("middleware.hooks", scenario=scenario, layer=layer).get("request").facts["final_response"]


def test_every_errors_scenario_at_every_layer(run_demo):
    for scenario, (layer, _) in itertools.product(ERROR_SCENARIOS, LAYERS):
        if scenario == "propagate" and layer != "C":
            continue  # a separate process each time; the layer plays no part
        assert run_demo("middleware.errors", scenario=scenario, layer=layer).get("request").facts


@pytest.mark.parametrize("path", [p for p, _ in PATHS])
def test_every_composer_path_through_the_startproject_default_and_the_site_layers(run_demo, path):
    for order in ("Security,Session,Common,Csrf,Auth,Messages,XFrame", "GZip,RequestID,ApiToken,Maintenance"):
        for token in FLAGS:
            step = run_demo("middleware.compose", order=order, path=path, send_token=token).get("request")
            assert step.facts["final_response"]


def test_every_production_choice(run_demo):
    for (path, _), token, maintenance, request_id in itertools.product(PROD_PATHS, FLAGS, FLAGS, ["", "ok-1", "a b"]):
        step = run_demo(
            "middleware.production", path=path, send_token=token, maintenance=maintenance, request_id=request_id
        ).get("request")
        assert step.facts["log_lines"] == 1


def test_every_async_combination(run_demo):
    for sync_below, mixin_below in itertools.product(FLAGS, FLAGS):
        lab = run_demo("middleware.async", sync_below=sync_below, mixin_below=mixin_below)
        expected = ["server", "hybrid"] + ["sync_below"] * sync_below + ["mixin_below"] * mixin_below
        assert [s.key for s in lab.steps] == expected


@pytest.mark.django_db
def test_every_middleware_prediction_points_at_a_heading_of_the_lesson_that_shows_its_demo(client):
    import re

    from lab import registry
    from lessons.catalogue import get_catalogue

    for lesson in get_catalogue().lessons:
        slugs = [slug for slug in lesson.demos if slug.startswith("middleware.")]
        if not slugs:
            continue
        ids = set(re.findall(r'id="([^"]+)"', client.get(lesson.url).content.decode()))
        for slug in slugs:
            for prediction in registry.get(slug).predictions:
                assert prediction.see.lstrip("#") in ids, (lesson.key, slug, prediction.see)
                assert prediction.answer  # graded from the run, never a stored answer
