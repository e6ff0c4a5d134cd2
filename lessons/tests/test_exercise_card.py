"""The exercise card's HTML: hooks for the script and the tests, the no-JavaScript fallback, escaping, versions."""

from __future__ import annotations

from html.parser import HTMLParser
from types import ModuleType, SimpleNamespace

import pytest
from django.http import HttpResponse
from django.urls import path

from lessons.exercise_card import RUNTIME_MANIFEST, render_exercise_card, versions_of


def exercise(**overrides):
    values = {
        "slug": "orm.good-books",
        "title": "Good books per publisher",
        "prompt": "Return each publisher with its number of books rated **4+**, in `one` query.",
        "starter": "def good_books():\n    return []  # <b>not</b> HTML\n",
        "solution": "def good_books():\n    return Publisher.objects.annotate(n=Count('book'))\n",
        "hints": ["Start from `Publisher`.", "Count with a `filter=`."],
        "versions": ("5.2",),
    }
    values.update(overrides)
    return SimpleNamespace(**values)


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text inside <template> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.templates: list[str] = []
        self._in_template = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "template":
            self._in_template += 1
            self.templates.append("")

    def handle_endtag(self, tag):
        if tag == "template":
            self._in_template -= 1

    def handle_data(self, data):
        if self._in_template:
            self.templates[-1] += data

    def having(self, attr: str, value: str | None = None) -> list[dict[str, str | None]]:
        return [a for _, a in self.tags if attr in a and (value is None or a[attr] == value)]


def parse(html: str) -> Elements:
    parser = Elements()
    parser.feed(html)
    parser.close()
    return parser


def test_the_card_carries_the_design_hooks():
    page = parse(render_exercise_card(exercise()))
    (card,) = page.having("data-exercise")
    assert card["data-exercise"] == "orm.good-books"
    assert page.having("data-editor")
    assert page.having("data-runtime", "loading")
    actions = {a["data-action"] for a in page.having("data-action")}
    assert {"run", "check", "hint", "solution", "reset", "stop"} <= actions


def runtime_manifest(request):
    return HttpResponse("{}")


urlpatterns = [path(RUNTIME_MANIFEST.lstrip("/"), runtime_manifest)]


def test_the_card_names_the_editor_and_runtime_files(settings, tmp_path):
    settings.ROOT_URLCONF = __name__  # a site that serves the runtime
    settings.LAB_RUNTIME_DIR = tmp_path  # and has built it
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "manifest.json").write_text("{}")
    (card,) = parse(render_exercise_card(exercise())).having("data-exercise")
    assert card["data-editor-src"].endswith("vendor/codemirror/codemirror.min.js")
    assert card["data-runtime-src"].endswith("js/lab-runtime.js")


def test_a_site_that_has_not_built_the_runtime_gives_the_card_none_to_load(settings, tmp_path):
    settings.ROOT_URLCONF = __name__
    settings.LAB_RUNTIME_DIR = tmp_path / "nothing-built"
    (card,) = parse(render_exercise_card(exercise())).having("data-exercise")
    assert card["data-runtime-src"] == ""


def test_a_site_without_the_runtime_gives_the_card_no_runtime_to_load(settings):
    settings.ROOT_URLCONF = ModuleType("no_runtime_urls")  # a site that routes nothing to a runtime
    settings.ROOT_URLCONF.urlpatterns = []
    (card,) = parse(render_exercise_card(exercise())).having("data-exercise")
    assert card["data-runtime-src"] == ""


def test_without_javascript_the_card_says_so_and_shows_the_starter_and_hints():
    html = render_exercise_card(exercise())
    page = parse(html)
    (static,) = page.having("data-exercise-static")
    assert "hidden" not in static  # visible until the script takes over
    (live,) = page.having("data-exercise-live")
    assert "hidden" in live  # the buttons appear only with JavaScript
    assert "This exercise needs JavaScript" in html
    assert "<details" in html and "Hints (2)" in html
    assert "Start from <code>Publisher</code>." in html


def test_code_travels_as_inert_text_and_is_escaped():
    html = render_exercise_card(exercise())
    assert "<b>not</b>" not in html
    page = parse(html)
    assert exercise().starter in page.templates
    assert exercise().solution in page.templates


def test_the_prompt_is_markdown_and_sanitised():
    html = render_exercise_card(exercise(prompt="Use **one** query.<script>alert(1)</script>"))
    assert "<strong>one</strong>" in html
    assert "<script>alert" not in html


def test_one_version_has_no_switch():
    assert not parse(render_exercise_card(exercise())).having("data-version-switch")


def test_two_versions_offer_each_and_both_side_by_side_with_5_2_first():
    page = parse(render_exercise_card(exercise(versions=("6.1", "5.2"))))
    assert page.having("data-version-switch")
    radios = [a for tag, a in page.tags if tag == "input" and a.get("type") == "radio"]
    assert [r["value"] for r in radios] == ["5.2", "6.1", "both"]
    assert "checked" in radios[0]
    (card,) = page.having("data-exercise")
    assert card["data-versions"] == "5.2 6.1"


@pytest.mark.parametrize("declared, expected", [(None, ("5.2",)), (("6.1", "5.2"), ("5.2", "6.1")), ((6.1,), ("6.1",))])
def test_versions_default_to_the_servers(declared, expected):
    assert versions_of(exercise(versions=declared)) == expected


def test_an_offline_copy_has_no_buttons():
    html = render_exercise_card(exercise(), offline=True)
    assert "data-action" not in html
    assert "make run" in html


def test_ids_are_unique_per_exercise():
    one = parse(render_exercise_card(exercise()))
    two = parse(render_exercise_card(exercise(slug="orm.other")))
    ids_one = {a["id"] for _, a in one.tags if "id" in a}
    ids_two = {a["id"] for _, a in two.tags if "id" in a}
    assert ids_one and not ids_one & ids_two
