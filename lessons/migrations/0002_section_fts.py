"""SQLite only: an FTS5 table over the sections (external content: the rows stay in lessons_section).

PostgreSQL needs no table of its own: lessons.search builds the tsvector in the query.
"""

from django.db import migrations

CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS lessons_section_fts USING fts5("
    "lesson_title, heading, text, code, content='lessons_section', content_rowid='id', "
    "tokenize='porter unicode61')"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS lessons_section_fts")


class Migration(migrations.Migration):
    dependencies = [("lessons", "0001_search_index")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
