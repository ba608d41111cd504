"""Full-text search indexes, per database: SQLite FTS5 with the trigram tokenizer (an external
content table kept in step by triggers), PostgreSQL pg_trgm with a GIN index. Both find any
substring of three characters or more, which suits Thai text written without spaces."""

from __future__ import annotations

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE records_letter_fts USING fts5("
    "text, content='records_letterindex', content_rowid='letter_id', tokenize='trigram')",
    "CREATE TRIGGER records_letter_fts_ai AFTER INSERT ON records_letterindex BEGIN "
    "INSERT INTO records_letter_fts(rowid, text) VALUES (new.letter_id, new.text); END",
    "CREATE TRIGGER records_letter_fts_ad AFTER DELETE ON records_letterindex BEGIN "
    "INSERT INTO records_letter_fts(records_letter_fts, rowid, text) VALUES ('delete', old.letter_id, old.text); END",
    "CREATE TRIGGER records_letter_fts_au AFTER UPDATE ON records_letterindex BEGIN "
    "INSERT INTO records_letter_fts(records_letter_fts, rowid, text) VALUES ('delete', old.letter_id, old.text); "
    "INSERT INTO records_letter_fts(rowid, text) VALUES (new.letter_id, new.text); END",
    "INSERT INTO records_letter_fts(records_letter_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS records_letter_fts_ai",
    "DROP TRIGGER IF EXISTS records_letter_fts_ad",
    "DROP TRIGGER IF EXISTS records_letter_fts_au",
    "DROP TABLE IF EXISTS records_letter_fts",
]
PG_CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS records_letterindex_text_trgm ON records_letterindex USING gin (text gin_trgm_ops)",
]
PG_DROP = ["DROP INDEX IF EXISTS records_letterindex_text_trgm"]


def _run(schema_editor: BaseDatabaseSchemaEditor, by_vendor: dict[str, list[str]]) -> None:
    for sql in by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": PG_CREATE})


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": PG_DROP})


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
