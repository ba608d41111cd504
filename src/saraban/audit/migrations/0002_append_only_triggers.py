"""Database triggers that refuse UPDATE and DELETE on audit records (append-only table)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from saraban.audit import triggers


def _run(statements: dict[str, list[str]]) -> Any:
    def apply(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(_run(triggers.CREATE), _run(triggers.DROP))]
