"""Re-wrap every secret letter's key with the current (first) master key, or only check them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcommon.errors import AppError
from saraban.correspondence import keys


class Command(BaseCommand):
    help = "หมุนเวียนกุญแจหลักของหนังสือลับ: ห่อกุญแจของหนังสือแต่ละฉบับด้วยกุญแจหลักปัจจุบัน"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true",
                            help="only check that every sealed letter opens with the configured keys")
        parser.add_argument("--files", action="store_true", help="with --check: open every sealed file too")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["check"]:
                check = keys.master_key_check(files=options["files"])
                self.stdout.write(f"sealed letters: {check.letters}; by key: {check.by_key}; "
                                  f"files opened: {check.files_checked}")
                if check.unopenable:
                    raise CommandError(f"เปิดไม่ได้ {len(check.unopenable)} ฉบับ: {check.unopenable[:50]}")
                return
            result = keys.master_key_rotate()
        except AppError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"current key {result.key_id}: re-wrapped {result.rewrapped}, already {result.already}")
