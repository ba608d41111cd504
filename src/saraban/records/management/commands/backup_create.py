from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saraban.records.backup import backup_create, key_load


class Command(BaseCommand):
    help = "สำรองฐานข้อมูลและไฟล์ทั้งหมด เข้ารหัส AES-256-GCM พร้อมบัญชีค่าแฮช SHA-256 (ทำได้ขณะระบบทำงาน)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="โฟลเดอร์ที่เก็บชุดสำรอง")
        parser.add_argument("--key-file", default=None,
                            help="ไฟล์กุญแจ (ค่าเริ่มต้น: SARABAN_BACKUP_KEY_FILE หรือ SARABAN_BACKUP_KEY)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        key = key_load(options["key_file"])
        path = backup_create(out=Path(options["out"]), key=key, progress=not options["no_progress"])
        self.stdout.write(str(path))
