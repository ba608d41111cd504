from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from saraban.audit.models import AuditRecord
from saraban.audit.services import audit_chain_verify


class Command(BaseCommand):
    help = "ตรวจสอบห่วงโซ่แฮชของบันทึกการตรวจสอบ (verify the audit hash chain)"

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit_chain_verify()
        total = AuditRecord.objects.count()
        if problems:
            for p in problems:
                self.stderr.write(f"seq {p.seq}: {p.reason}")
            raise CommandError(f"ห่วงโซ่บันทึกการตรวจสอบเสียหาย {len(problems)} จุด จาก {total} รายการ")
        self.stdout.write(f"ห่วงโซ่บันทึกการตรวจสอบถูกต้อง ({total} รายการ)")
