"""Check a message file like the Test Tool page: ``check_message FILE [--process KEY]``.

``--sample KEY`` prints a valid sample instead. Exit status 1 when problems were found.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecms.testtool.checker import PROCESSES, check_message, sample_message


class Command(BaseCommand):
    help = "ตรวจสอบข้อความ XML ของ e-CMS 2.0 ด้วย schema ของระบบกลาง (XML Test Tool)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", nargs="?", help="ไฟล์ XML ('-' อ่านจาก stdin)")
        parser.add_argument("--process", choices=sorted(PROCESSES), help="กระบวนการ (ไม่ระบุ: ตรวจหาเอง)")
        parser.add_argument("--sample", choices=sorted(PROCESSES), help="พิมพ์ตัวอย่างข้อความที่ถูกต้อง")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["sample"]:
            self.stdout.write(sample_message(options["sample"]))
            return
        name = options["file"]
        if not name:
            raise CommandError("ระบุไฟล์ หรือ --sample")
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        result = check_message(data, process_key=options["process"])
        label = result.process.label if result.process else "?"
        if result.ok:
            self.stdout.write(f"OK: {label}")
            return
        self.stdout.write(f"{len(result.problems)} problem(s): {label}")
        for p in result.problems:
            self.stdout.write(f"line {p.line if p.line is not None else '-'}: [{p.code}] {p.th} | {p.en}")
            if p.detail:
                self.stdout.write(f"    {p.detail}")
        raise SystemExit(1)
