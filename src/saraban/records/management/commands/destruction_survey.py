from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from govcommon import thaidate
from saraban.records.destruction import destruction_survey_run


class Command(BaseCommand):
    help = "สำรวจหนังสือที่ครบอายุการเก็บเมื่อสิ้นปีปฏิทิน (ภายใน 60 วันหลังสิ้นปี) และพิมพ์รายการ"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None, help="วันที่สำรวจ (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        survey = destruction_survey_run(actor=None, today=options["today"])
        deadline = thaidate.format_date(survey.deadline)
        self.stdout.write(f"หนังสือครบอายุการเก็บ สิ้นปี พ.ศ. {survey.year_be}: {len(survey.records)} ฉบับ"
                          f" (กำหนดสำรวจภายใน {deadline})")
        if survey.late:
            self.stdout.write(self.style.WARNING("เกินกำหนด 60 วันหลังสิ้นปีแล้ว"))
        for r in survey.records:
            self.stdout.write(f"{r.file_code}\t{r.letter.reference_no}\t{r.letter.subject}\t{r.stamp}")
