"""Every ORM demo runs through the real view with its default inputs and renders a lab report."""

import re
from pathlib import Path

import pytest
from django import forms

from lab import registry

ORM_DEMOS = [d.slug for d in registry.all_demos() if d.track == "orm"]


def _defaults(demo) -> dict:
    return demo.post_data()


@pytest.mark.parametrize("slug", ORM_DEMOS)
def test_demo_runs_through_the_view_and_renders_its_reports(client, seeded, settings, slug):
    settings.LAB_RATE_LIMIT = 0
    demo = registry.get(slug)
    response = client.post(f"/demos/{slug}/run/", _defaults(demo), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "The demo failed unexpectedly" not in html
    for section in demo.reports:
        assert f'data-report="{section}"' in html


def test_show_explain_renders_the_plan(client, seeded, settings):
    settings.LAB_RATE_LIMIT = 0
    response = client.post("/demos/orm.windows/run/", {"view": "top", "explain": "on"}, HTTP_HX_REQUEST="true")
    assert 'data-report="explain"' in response.content.decode()


def test_the_track_has_the_demos_its_lessons_embed():
    assert len(ORM_DEMOS) >= 20


EXPLAINABLE = [slug for slug in ORM_DEMOS if "explain" in registry.get(slug).form().fields]


def test_nearly_every_orm_demo_offers_show_explain():
    # Not offered: the restock race (its point is the writes), the display-SQL caveat (one SELECT, shown three
    # ways) and explain-index (it always explains).
    assert set(ORM_DEMOS) - set(EXPLAINABLE) == {"orm.lost-update", "orm.display-sql", "orm.explain-index"}


@pytest.mark.parametrize("slug", EXPLAINABLE)
def test_show_explain_adds_a_plan_to_the_report(client, seeded, settings, slug):
    settings.LAB_RATE_LIMIT = 0
    data = {**_defaults(registry.get(slug)), "explain": "on"}
    response = client.post(f"/demos/{slug}/run/", data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "The demo failed unexpectedly" not in html
    assert 'data-report="explain"' in html


BAD_VALUES = ["", "-1", "1e999", "nan", "99999999999999999999", "' OR 1=1 --", "x\x00y", "é" * 5000]


def _bad_inputs():
    for slug in ORM_DEMOS:
        for name in registry.get(slug).form().fields:
            for value in BAD_VALUES:
                yield slug, name, value


@pytest.mark.parametrize(("slug", "field", "value"), list(_bad_inputs()))
def test_a_bad_value_in_any_field_is_a_400_or_a_normal_run_never_a_500(client, seeded, settings, slug, field, value):
    settings.LAB_RATE_LIMIT = 0
    data = {**_defaults(registry.get(slug)), field: value}
    response = client.post(f"/demos/{slug}/run/", data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code in (200, 400), html
    assert "Traceback" not in html and "The demo failed unexpectedly" not in html
    if response.status_code == 400:  # the card says which field is wrong
        assert 'data-status="400"' in html and "</strong>: " in html


@pytest.mark.parametrize("slug", ORM_DEMOS)
def test_a_post_with_no_fields_at_all_is_a_400_or_a_normal_run(client, seeded, settings, slug):
    settings.LAB_RATE_LIMIT = 0
    response = client.post(f"/demos/{slug}/run/", {}, HTTP_HX_REQUEST="true")
    assert response.status_code in (200, 400)
    assert "The demo failed unexpectedly" not in response.content.decode()


def _every_choice():
    for slug in ORM_DEMOS:
        for name, field in registry.get(slug).form().fields.items():
            if isinstance(field, forms.ModelChoiceField):  # rows, not code paths: the catalogue tests cover them
                continue
            for value, _ in getattr(field, "choices", []):
                if value != "":
                    yield slug, name, value


@pytest.mark.parametrize(("slug", "field", "value"), list(_every_choice()))
def test_every_choice_runs_with_show_explain_on_this_database(client, seeded, settings, slug, field, value):
    settings.LAB_RATE_LIMIT = 0
    data = {**_defaults(registry.get(slug)), field: value, "explain": "on"}
    response = client.post(f"/demos/{slug}/run/", data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "The demo failed unexpectedly" not in html


def _snapshot() -> dict:
    from django.apps import apps
    from django.db import connection

    tables = {
        m._meta.label: sorted(map(repr, m._base_manager.values_list()))
        for m in apps.get_app_config("sandbox").get_models(include_auto_created=True)
    }
    tables["indexes"] = sorted(connection.introspection.get_constraints(connection.cursor(), "sandbox_book"))
    return tables


@pytest.mark.parametrize("slug", ORM_DEMOS)
def test_a_run_leaves_every_sandbox_table_and_index_as_it_was(client, seeded, settings, slug):
    settings.LAB_RATE_LIMIT = 0
    before = _snapshot()
    response = client.post(f"/demos/{slug}/run/", _defaults(registry.get(slug)), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert _snapshot() == before


# -- The conversion: predictions graded from the run (the code rules: demos/tests/test_code_rules.py) ----


@pytest.mark.parametrize("slug", [s for s in ORM_DEMOS if registry.get(s).predictions])
def test_every_prediction_is_graded_from_the_run(run_demo, slug):
    lab = run_demo(slug)
    for prediction in registry.get(slug).predictions:
        right, actual = prediction.grade(lab, prediction.choices[0])
        assert actual in prediction.choices, (slug, prediction.question, actual)
        assert right == (actual == prediction.choices[0])


def test_each_orm_lesson_embeds_each_demo_once_and_every_orm_demo_somewhere():
    from django.conf import settings

    embedded = []
    for lesson in sorted((Path(settings.BASE_DIR) / "content" / "orm").glob("[0-9]*.md")):
        embedded += re.findall(r"^/// demo \| (\S+)$", lesson.read_text(), re.M)
    assert len(embedded) == len(set(embedded)), sorted(embedded)  # a second card would share the first's ids
    assert set(embedded) == set(ORM_DEMOS)


TYPED = [
    (slug, name)
    for slug in ORM_DEMOS
    for name, f in registry.get(slug).form().fields.items()
    if type(f) is forms.CharField
]


def test_the_orm_demos_that_take_typed_text_are_the_two_the_lessons_name():
    assert TYPED == [("orm.display-sql", "title"), ("orm.injection", "title")]


@pytest.mark.parametrize(("slug", "field"), TYPED)
def test_typed_text_reaches_the_site_s_database_only_as_a_parameter(run_demo, slug, field):
    marker = "zq' OR 'x'='x"
    lab = run_demo(slug, **{field: marker})
    sent = [q for q in lab.queries if q.alias == "default"]
    assert all(marker not in q.sql for q in sent)
    # Where the text does become SQL (the injection lesson), it is in the throwaway database only.
    assert all(q.alias == "lesson_books" for q in lab.queries if marker in q.sql)


@pytest.mark.parametrize("slug", [s for s in ORM_DEMOS if registry.get(s).predictions])
def test_a_prediction_graded_against_a_run_without_steps_does_not_crash(slug):
    from lab.recorder import Recorder

    for prediction in registry.get(slug).predictions:
        assert prediction.grade(Recorder(), prediction.choices[0])[0] in (True, False)
