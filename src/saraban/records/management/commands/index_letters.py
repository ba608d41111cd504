from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saraban.records.services import index_words_rebuild, letters_index_pending


class Command(BaseCommand):
    help = "จัดทำดัชนีค้นหาหนังสือที่ยังไม่มีดัชนี และแปลงหน้าที่เป็นภาพเป็นข้อความ (OCR ภาษาไทย)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="จัดทำดัชนีใหม่ทุกฉบับ")
        parser.add_argument("--limit", type=int, default=None, help="จำนวนสูงสุดต่อรอบ")
        parser.add_argument("--words", action="store_true",
                            help="PostgreSQL: จัดทำรายการคำของดัชนีใหม่ทุกฉบับ (หลังปรับรุ่น PyThaiNLP)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["words"]:
            self.stdout.write(f"จัดทำรายการคำใหม่ {index_words_rebuild()} ฉบับ")
            return
        run = letters_index_pending(reindex_all=options["all"], limit=options["limit"])
        self.stdout.write(f"จัดทำดัชนี {run.indexed} ฉบับ, OCR {run.ocr_done} ฉบับ, ผิดพลาด {run.errors} ฉบับ")
