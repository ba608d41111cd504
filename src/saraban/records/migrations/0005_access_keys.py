"""Visibility keys on the search index (records.access), filled for the rows indexed before."""

from __future__ import annotations

import importlib
from collections import defaultdict

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

BATCH = 2000


def triggers_restore(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """SQLite adds the column by copying the table, which drops the triggers that keep the FTS5
    index in step (0002): create them again. The rows keep their ids, so the index stays valid."""
    if schema_editor.connection.vendor != "sqlite":
        return
    fts = importlib.import_module("saraban.records.migrations.0002_search_fts")
    for sql in fts.SQLITE_DROP[:3] + [s for s in fts.SQLITE_CREATE if s.startswith("CREATE TRIGGER")]:
        schema_editor.execute(sql)


def fill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # The same keys as records.access.letters_access_keys, with the models as of this migration.
    index = apps.get_model("records", "LetterIndex")
    letter = apps.get_model("correspondence", "Letter")
    sources = [
        (apps.get_model("correspondence", "RegisterEntry"), [("r", "registry_id")]),
        (apps.get_model("receiving", "Reception"), [("r", "registry_id")]),
        (apps.get_model("receiving", "Holding"), [("u", "unit_id"), ("h", "user_id")]),
        (apps.get_model("outgoing", "Draft"), [("p", "drafter_id"), ("p", "checker_id"), ("p", "signer_id")]),
    ]
    ids = list(index.objects.order_by("letter_id").values_list("letter_id", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        keys: dict[int, set[str]] = defaultdict(set)
        for pk, unit_id, creator_id in letter.objects.filter(pk__in=chunk).values_list(
                "pk", "owner_unit_id", "created_by_id"):
            keys[pk].update(f"{kind}{ref}" for kind, ref in (("u", unit_id), ("p", creator_id)) if ref is not None)
        for model, columns in sources:
            names = [c for _, c in columns]
            for pk, *refs in model.objects.filter(letter_id__in=chunk).values_list("letter_id", *names):
                keys[pk].update(f"{kind}{ref}" for (kind, _), ref in zip(columns, refs, strict=True) if ref is not None)
        for pk, found in keys.items():
            index.objects.filter(letter_id=pk).update(access_keys=dict.fromkeys(sorted(found), 1))


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0004_lifecycle"),
        ("correspondence", "0001_initial"),
        ("receiving", "0001_initial"),
        ("outgoing", "0003_draftrecipient"),
    ]

    operations = [
        # Unapplying drops the column by copying the table again: the triggers come back last.
        migrations.RunPython(migrations.RunPython.noop, triggers_restore),
        migrations.AddField(
            model_name="letterindex",
            name="access_keys",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(triggers_restore, migrations.RunPython.noop),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
