"""Load the directory of ministries and agencies from a JSON or CSV file (default: the bundled one)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecms.hub.services import DirectoryEntry, directory_load

DEFAULT = Path(__file__).resolve().parents[2] / "fixtures" / "directory.json"


def read_entries(path: Path) -> list[DirectoryEntry]:
    rows: list[dict[str, Any]]
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    else:
        rows = json.loads(path.read_text(encoding="utf-8"))
    try:
        return [
            DirectoryEntry(
                org_id=str(row["org_id"]).strip(),
                name=str(row["name"]).strip(),
                short_name=str(row.get("short_name") or "").strip(),
                kind=str(row["kind"]).strip(),
                ministry_org_id=(str(row["ministry"]).strip() or None) if row.get("ministry") else None,
            )
            for row in rows
        ]
    except KeyError as exc:
        raise CommandError(f"missing column {exc} in {path}") from exc


class Command(BaseCommand):
    help = "Load ministries and agencies (org_id, kind, short_name, name, ministry) from JSON or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT))

    def handle(self, *args: Any, **options: Any) -> None:
        count = directory_load(entries=read_entries(Path(options["path"])))
        self.stdout.write(f"loaded {count} organisations")
