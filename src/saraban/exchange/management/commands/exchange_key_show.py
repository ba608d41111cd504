"""Print the agency's public key (base64 DER SubjectPublicKeyInfo) for the hub's directory."""

from __future__ import annotations

import base64
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from govcommon.errors import AppError
from saraban.exchange import crypto


class Command(BaseCommand):
    help = "แสดงกุญแจสาธารณะของหน่วยงาน (base64 DER) เพื่อเผยแพร่ในทำเนียบของระบบกลาง"

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            key = crypto.private_key()
        except AppError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(base64.b64encode(crypto.public_der(key)).decode())
