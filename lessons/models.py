"""The search index (issue 13 item 11): one row per section of a rendered lesson.

Filled from the lessons the catalogue serves (so drafts only where DEBUG shows
them) by `lessons.search.ensure_index`; `built_from` records the catalogue
digest it was built from, so a content change rebuilds it on the next search.
On SQLite an FTS5 table (`lessons_section_fts`, created by the migration)
mirrors these rows; on PostgreSQL the full-text vector is computed in the query.
"""

from __future__ import annotations

from django.db import models


class Section(models.Model):
    lesson_key = models.CharField(max_length=200)
    track_title = models.CharField(max_length=200)
    lesson_title = models.CharField(max_length=300)
    heading = models.CharField(max_length=300, blank=True)  # "" for the lesson's opening, before its first heading
    anchor = models.CharField(max_length=300, blank=True)
    url = models.CharField(max_length=400)
    position = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    code = models.TextField(blank=True)
    built_from = models.CharField(max_length=64)

    class Meta:
        ordering = ["lesson_key", "position"]

    def __str__(self) -> str:
        return f"{self.lesson_title}: {self.heading or '(opening)'}"

    @property
    def link(self) -> str:
        return f"{self.url}#{self.anchor}" if self.anchor else self.url
