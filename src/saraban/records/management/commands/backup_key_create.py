from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saraban.records.backup import key_generate


class Command(BaseCommand):
    help = "สร้างกุญแจสำรองข้อมูล (AES-256) ลงไฟล์ที่อ่านได้เฉพาะเจ้าของ"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["out"])
        if path.exists():
            raise CommandError(f"มีไฟล์ {path} อยู่แล้ว: จะไม่เขียนทับกุญแจเดิม")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(key_generate() + "\n")
        self.stdout.write(f"สร้างกุญแจที่ {path} แล้ว: เก็บสำเนาไว้นอกเครื่องนี้ หากกุญแจหายจะกู้คืนชุดสำรองไม่ได้")
