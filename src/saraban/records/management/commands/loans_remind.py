from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from saraban.records.loans import loans_remind


class Command(BaseCommand):
    help = "ทวงถามหนังสือที่ยืมเกินกำหนดส่งคืน (ส่งไปรษณีย์อิเล็กทรอนิกส์ถึงผู้ยืม วันละครั้ง)"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"ทวงถาม {loans_remind()} รายการ")
