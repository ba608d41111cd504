"""Create the master key of secret letters (a file, mode 0600), or print a new key to add to one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from saraban.correspondence import sealing


class Command(BaseCommand):
    help = "สร้างกุญแจหลักสำหรับเข้ารหัสหนังสือลับ (เก็บเป็นไฟล์ ไม่เก็บในฐานข้อมูล)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", help="the key file to create (default: SARABAN_MASTER_KEY_FILE)")
        parser.add_argument("--print", action="store_true",
                            help="only print a new key (to put first in the key file before master_key_rotate)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print"]:
            text = sealing.key_text_new()
            self.stdout.write(text)
            return
        path = Path(options["path"]) if options["path"] else sealing.key_file_path()
        try:
            key = sealing.key_file_create(path)
        except FileExistsError as exc:
            raise CommandError(f"มีไฟล์กุญแจอยู่แล้วที่ {path} (จะไม่เขียนทับ)") from exc
        self.stdout.write(f"master key {key.key_id}: {path}")
        self.stdout.write("เก็บสำเนาไฟล์นี้ไว้ในที่ปลอดภัย แยกจากข้อมูลสำรอง: หากกุญแจหาย หนังสือลับจะเปิดไม่ได้อีก")
