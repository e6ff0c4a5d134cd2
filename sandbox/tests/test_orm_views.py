"""Every ORM demo runs through the real view with its default inputs and renders a lab report."""

import pytest

from sandbox.demos import registry

ORM_DEMOS = [d.slug for d in registry.all_demos() if d.track == "orm"]


def _defaults(demo) -> dict:
    form = demo.form()
    data = {}
    for name, field in form.fields.items():
        value = form.get_initial_for_field(field, name)
        if value is True:
            data[name] = "on"
        elif value not in (None, False):
            data[name] = value
    return data


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
