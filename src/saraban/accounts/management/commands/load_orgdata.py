from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saraban.accounts.orgdata import orgdata_load


class Command(BaseCommand):
    help = "โหลดรหัสพยัญชนะของกระทรวงและจังหวัด (ภาคผนวก 1) จากไฟล์ JSON"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ministries", type=Path)
        parser.add_argument("--provinces", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        m, p = orgdata_load(ministries_file=options["ministries"], provinces_file=options["provinces"])
        self.stdout.write(f"เพิ่มกระทรวง {m} รายการ จังหวัด {p} รายการ")
