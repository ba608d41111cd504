from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saraban.records.backup import BackupError, backup_restore, key_load


class Command(BaseCommand):
    help = "กู้คืนจากชุดสำรอง: ตรวจค่าแฮชและถอดรหัสทุกไฟล์ก่อน แล้วจึงแทนที่ฐานข้อมูลและไฟล์"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", help="โฟลเดอร์ชุดสำรอง saraban-<instance>-<เวลา>")
        parser.add_argument("--key-file", default=None)
        parser.add_argument("--yes", action="store_true", help="ยืนยันการแทนที่ข้อมูลปัจจุบัน")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"]:
            raise CommandError("การกู้คืนจะแทนที่ข้อมูลปัจจุบันทั้งหมด: ระบุ --yes เพื่อยืนยัน")
        try:
            manifest = backup_restore(src=Path(options["backup"]), key=key_load(options["key_file"]),
                                      progress=not options["no_progress"])
        except BackupError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        self.stdout.write(f"กู้คืนแล้ว: หนังสือ {manifest['letters']} ฉบับ ไฟล์ {manifest['file_count']} ไฟล์")
