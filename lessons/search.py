"""Search across the lessons with the database's own full-text search (issue 13 item 11).

SQLite: FTS5 (`MATCH`, `bm25()`, `snippet()`), through `connection.cursor()`,
since Django has no FTS5 expressions. PostgreSQL: `django.contrib.postgres.search`
(SearchVector, SearchQuery, SearchRank, SearchHeadline), through the ORM.

The learner's text never reaches either engine's query syntax: it is cut into
words first, each word quoted (FTS5) or passed as plain text (PostgreSQL
`plainto_tsquery`), so `"`, `NEAR(` or `*` are just characters, never a 500.

The index is built lazily: the first search after the catalogue changes (new
content, or DEBUG turning drafts on) rebuilds it in one transaction. Content
changes never run `migrate`, and Django warns against database work at start-up,
so neither of those can keep it fresh; `manage.py index_lessons` builds it ahead.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from . import markdown
from .catalogue import Catalogue, get_catalogue
from .models import Section
from .sections import split_sections

MAX_QUERY = 200
INDEX_LOCK = 4_213_001  # pg_advisory_xact_lock key for rebuilding the index
MAX_RESULTS = 30
WORD_RE = re.compile(r"\w+")
START, STOP = "\x02", "\x03"  # highlight sentinels: the snippet is escaped first, then they become <mark>


class BadQuery(ValueError):
    """A query that cannot be searched; its message is shown to the learner."""


@dataclass
class Results:
    query: str
    words: list[str]
    hits: list[dict] = field(default_factory=list)
    sql: list[str] = field(default_factory=list)  # what this search sent to the database
    vendor: str = ""


def words_of(query: str) -> list[str]:
    query = (query or "").strip()
    if not query:
        raise BadQuery("Type a word or two to search the lessons for.")
    if len(query) > MAX_QUERY:
        raise BadQuery(f"That search is {len(query)} characters long; keep it under {MAX_QUERY}.")
    words = WORD_RE.findall(query)
    if not words:
        raise BadQuery("That search has no words in it (only punctuation); try a name like select_related.")
    return words[:12]


def highlighted(snippet: str) -> str:
    """HTML for a snippet with sentinels around matches: everything escaped, then the marks put in."""
    escaped = htmllib.escape(snippet or "", quote=False)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")


def ensure_index(catalogue: Catalogue | None = None) -> int:
    """Rebuild the index if it was built from other content; returns the number of sections indexed now."""
    catalogue = catalogue or get_catalogue()
    if Section.objects.filter(built_from=catalogue.digest).exists():
        return 0
    return rebuild(catalogue)


def rebuild(catalogue: Catalogue) -> int:
    rows = []
    for lesson in catalogue.lessons:
        track = catalogue.track(lesson.track)
        body = markdown.rendered(lesson.body, lesson_path=lesson.key, trusted=lesson.trusted_html)
        for position, part in enumerate(split_sections(body.html)):
            rows.append(
                Section(
                    lesson_key=lesson.key,
                    track_title=track.title if track else lesson.track,
                    lesson_title=lesson.title,
                    heading=part.heading,
                    anchor=part.anchor,
                    url=lesson.url,
                    position=position,
                    text=part.text,
                    code=part.code,
                    built_from=catalogue.digest,
                )
            )
    with transaction.atomic():
        if connection.vendor == "postgresql":  # a classroom's app servers: one rebuilds, the others wait and reuse it
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INDEX_LOCK])
            if Section.objects.filter(built_from=catalogue.digest).exists():
                return 0
        Section.objects.all().delete()
        Section.objects.bulk_create(rows)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO lessons_section_fts(lessons_section_fts) VALUES ('rebuild')")
    return len(rows)


def search(query: str) -> Results:
    words = words_of(query)
    ensure_index()
    results = Results(query=query, words=words, vendor=connection.vendor)
    with CaptureQueriesContext(connection) as captured:
        results.hits = _postgres(" ".join(words)) if connection.vendor == "postgresql" else _sqlite(words)
    results.sql = [q["sql"] for q in captured.captured_queries]
    return results


_SQLITE = """
SELECT s.id, s.lesson_title, s.track_title, s.heading, s.url, s.anchor,
       snippet(lessons_section_fts, -1, %s, %s, '…', 16) AS snippet,
       bm25(lessons_section_fts, 10.0, 5.0, 1.0, 1.0) AS rank
FROM lessons_section_fts JOIN lessons_section AS s ON s.id = lessons_section_fts.rowid
WHERE lessons_section_fts MATCH %s
ORDER BY rank
LIMIT %s
"""


def _sqlite(words: list[str]) -> list[dict]:
    # Each word a quoted FTS5 string: the learner's punctuation is never FTS5 syntax. All words must match.
    match = " ".join('"' + word.replace('"', '""') + '"' for word in words)
    with connection.cursor() as cursor:
        cursor.execute(_SQLITE, [START, STOP, match, MAX_RESULTS])
        columns = [c[0] for c in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return [_hit(row) for row in rows]


def _postgres(text: str) -> list[dict]:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
    from django.db.models import F, TextField, Value
    from django.db.models.functions import Concat

    vector = (
        SearchVector("lesson_title", weight="A", config="english")
        + SearchVector("heading", weight="B", config="english")
        + SearchVector("text", weight="C", config="english")
        + SearchVector("code", weight="D", config="english")
    )
    query = SearchQuery(text, search_type="plain", config="english")
    found = (
        Section.objects.annotate(document=vector, rank=SearchRank(vector, query))
        .filter(document=query)
        .annotate(
            snippet=SearchHeadline(
                Concat(F("heading"), Value(" \n "), F("text"), Value(" \n "), F("code"), output_field=TextField()),
                query,
                config="english",
                start_sel=START,
                stop_sel=STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            )
        )
        .order_by("-rank", "lesson_key", "position")
        .values("id", "lesson_title", "track_title", "heading", "url", "anchor", "snippet", "rank")[:MAX_RESULTS]
    )
    return [_hit(row) for row in found]


def _hit(row: dict) -> dict:
    anchor = row["anchor"]
    return {
        "lesson_title": row["lesson_title"],
        "track_title": row["track_title"],
        "heading": row["heading"],
        "link": f"{row['url']}#{anchor}" if anchor else row["url"],
        "snippet": highlighted(row["snippet"]),
    }
