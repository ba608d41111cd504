"""PostgreSQL: every index row's dictionary words (records.textwords) in an int[] column with a GIN
index, filled for the letters indexed before, and the dictionary they were built with. SQLite
searches with FTS5 and has neither the column nor the index."""

from __future__ import annotations

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone

PG_CREATE = [
    "ALTER TABLE records_letterindex ADD COLUMN IF NOT EXISTS words integer[] NOT NULL DEFAULT '{}'",
    "CREATE INDEX IF NOT EXISTS records_letterindex_words ON records_letterindex USING gin (words)",
]
PG_DROP = [
    "DROP INDEX IF EXISTS records_letterindex_words",
    "ALTER TABLE records_letterindex DROP COLUMN IF EXISTS words",
]
BATCH = 2000


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from saraban.records.textwords import text_words, vocabulary

    for sql in PG_CREATE:
        schema_editor.execute(sql)
    index = apps.get_model("records", "LetterIndex")
    last = 0
    with schema_editor.connection.cursor() as cur:
        while True:
            rows = list(index.objects.filter(letter_id__gt=last).order_by("letter_id")
                        .values_list("letter_id", "text")[:BATCH])
            if not rows:
                break
            cur.executemany("UPDATE records_letterindex SET words = %s::integer[] WHERE letter_id = %s",
                            [(text_words(text), pk) for pk, text in rows])
            last = rows[-1][0]
    apps.get_model("records", "SearchWords").objects.create(fingerprint=vocabulary().fingerprint,
                                                              built_at=timezone.now())


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("records", "0006_deposit_list")]
    operations = [
        migrations.CreateModel(
            name="SearchWords",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("fingerprint", models.CharField(max_length=100)),
                ("built_at", models.DateTimeField()),
            ],
            options={"verbose_name": "รายการคำของดัชนีค้นหา", "verbose_name_plural": "รายการคำของดัชนีค้นหา"},
        ),
        migrations.AddField(
            model_name="letterindex",
            name="sealed_text",
            field=models.BinaryField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="letterindex",
            index=models.Index(condition=models.Q(("secrecy__gte", 1)), fields=["letter"], name="records_idx_secret"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
