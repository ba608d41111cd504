"""Create the agency's key pair for secret letters and print the public key for the hub's directory."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from govcommon.errors import AppError
from saraban.exchange import conf, crypto


class Command(BaseCommand):
    help = "สร้างคู่กุญแจของหน่วยงานสำหรับหนังสือลับ (กุญแจส่วนตัวเก็บเป็นไฟล์ ไม่เก็บในฐานข้อมูล)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", help="where to write the private key (default: SARABAN_EXCHANGE_KEY_FILE)")
        parser.add_argument("--bits", type=int, default=3072, choices=(2048, 3072, 4096))

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"]) if options["path"] else conf.private_key_path()
        try:
            der = crypto.key_generate(path, bits=options["bits"])
        except AppError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"private key: {path}")
        self.stdout.write(f"public key ({crypto.ALGORITHM}, base64 DER): {base64.b64encode(der).decode()}")
