"""Load recipients' public keys that the hub does not publish (JSON list or CSV: org_id, public_key)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcommon.errors import AppError
from saraban.exchange.services import KeyInput, directory_keys_load


def read_keys(path: Path) -> list[KeyInput]:
    rows: list[dict[str, Any]]
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    else:
        rows = json.loads(path.read_text(encoding="utf-8"))
    try:
        return [KeyInput(org_id=str(r["org_id"]).strip(), public_key=str(r["public_key"]),
                         name=str(r.get("name") or ""), ministry_id=str(r.get("ministry_id") or ""))
                for r in rows]
    except KeyError as exc:
        raise CommandError(f"missing column {exc} in {path}") from exc


class Command(BaseCommand):
    help = "นำเข้ากุญแจสาธารณะของหน่วยงานผู้รับ (org_id, public_key เป็น PEM หรือ base64 DER)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = directory_keys_load(actor=None, keys=read_keys(Path(options["path"])))
        except AppError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"loaded {count} public keys")
