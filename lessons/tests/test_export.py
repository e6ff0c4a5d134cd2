"""`manage.py export_course`: the published course as static pages that open from disk."""

import re
from io import StringIO
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from .conftest import LESSON

DEMO_LESSON = (
    LESSON.format(title="Counting", slug="counting")
    + "\n## Try it\n\n/// demo | lessonstest.count-books\n///\n\nSee [the onion](/middleware/onion/#first-section) and [the shop](/sandbox/).\n"
)


@pytest.fixture
def exported(content, tmp_path):
    content("orm/02-counting.md", DEMO_LESSON)
    content("orm/03-wip.md", LESSON.format(title="Wip", slug="wip").replace("minutes: 10", "minutes: 10\ndraft: true"))
    content("orm/04-broken.md", "---\ntitle: [broken\n---\n")
    target = tmp_path / "handout"
    out, err = StringIO(), StringIO()
    call_command("export_course", str(target), stdout=out, stderr=err)
    return SimpleNamespace(root=target, out=out.getvalue(), err=err.getvalue())


def links(html: str) -> list[str]:
    return re.findall(r'\b(?:href|src)="([^"]*)"', html)


def test_every_published_page_is_written_as_an_index_html(exported):
    pages = sorted(str(p.relative_to(exported.root)) for p in exported.root.rglob("index.html"))
    assert pages == [
        "index.html",
        "middleware/index.html",
        "middleware/onion/index.html",
        "middleware/order/index.html",
        "orm/counting/index.html",
        "orm/index.html",
        "orm/lazy/index.html",
    ]
    assert "Left out lesson orm/wip" in exported.err and "Left out lesson orm/broken" in exported.err
    assert "Exported 7 pages" in exported.out


def test_links_are_relative_and_every_one_that_stays_in_the_export_finds_its_file(exported):
    for page in exported.root.rglob("*.html"):
        for url in links(page.read_text()):
            assert not url.startswith("/"), (page, url)
            if url.startswith(("http://", "https://", "#")):
                continue
            target = (page.parent / url.split("#")[0]).resolve()
            assert target.is_file(), (page, url)


def test_links_a_page_cannot_serve_from_disk_point_at_the_local_site(exported):
    html = (exported.root / "orm" / "counting" / "index.html").read_text()
    assert 'href="../../middleware/onion/index.html#first-section"' in html
    assert 'href="http://127.0.0.1:8000/sandbox/"' in html


def test_a_demo_card_says_how_to_run_it_locally_instead_of_offering_run(exported):
    html = (exported.root / "orm" / "counting" / "index.html").read_text()
    assert 'data-demo="lessonstest.count-books" data-offline' in html
    assert 'data-action="run"' not in html and "<form" not in html
    assert "<code>make run</code>" in html
    assert 'href="http://127.0.0.1:8000/orm/counting/#demo-lessonstest-count-books"' in html
    assert "(its switches: Minimum price, select_related(&#x27;publisher&#x27;))" in html
    assert "csrfmiddlewaretoken" not in html and "Reset my sandbox" not in html


def test_the_static_files_the_pages_use_are_copied_with_the_print_styles(exported):
    html = (exported.root / "orm" / "counting" / "index.html").read_text()
    assert '<link rel="stylesheet" href="../../static/css/print.css" media="print">' in html
    for name in ("css/site.css", "css/print.css", "css/pygments.css", "js/site.js", "img/logo.svg"):
        assert (exported.root / "static" / name).is_file(), name


def test_exporting_again_replaces_the_earlier_export(exported):
    (exported.root / "orm" / "lazy" / "stale.txt").write_text("old")
    call_command("export_course", str(exported.root), stdout=StringIO(), stderr=StringIO())
    assert not (exported.root / "orm" / "lazy" / "stale.txt").exists()
    assert (exported.root / "orm" / "lazy" / "index.html").is_file()


def test_a_folder_that_is_not_an_earlier_export_is_never_overwritten(content, tmp_path):
    precious = tmp_path / "notes"
    precious.mkdir()
    (precious / "thesis.txt").write_text("keep me")
    with pytest.raises(CommandError, match="holds no earlier export"):
        call_command("export_course", str(precious), stdout=StringIO())
    assert (precious / "thesis.txt").read_text() == "keep me"
    assert Path(precious / "index.html").exists() is False
