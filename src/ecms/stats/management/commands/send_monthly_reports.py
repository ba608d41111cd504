"""E-mail each agency its monthly report. Meant for cron / a systemd timer on the 1st of the month:

    0 6 1 * *  python -m ecms.manage send_monthly_reports

Without ``--month`` it reports the previous month; an agency already sent that month is skipped.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ecms.stats.selectors import previous_month
from ecms.stats.services import monthly_reports_send_all


class Command(BaseCommand):
    help = "ส่งรายงานสถิติประจำเดือนทางอีเมลให้ทุกหน่วยงาน (สำหรับ cron วันที่ 1 ของเดือน)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM (ไม่ระบุ: เดือนก่อนหน้า)")
        parser.add_argument("--force", action="store_true", help="ส่งซ้ำแม้ส่งเดือนนี้ไปแล้ว")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["month"]:
            try:
                month = datetime.strptime(options["month"], "%Y-%m").date()  # noqa: DTZ007  # a calendar month
            except ValueError as exc:
                raise CommandError("--month ต้องเป็น YYYY-MM") from exc
        else:
            month = previous_month(timezone.localdate())
        summary = monthly_reports_send_all(month=date(month.year, month.month, 1), force=options["force"])
        self.stdout.write(f"{month:%Y-%m}: sent {len(summary.sent)} {' '.join(summary.sent)}")
        if summary.skipped:
            self.stdout.write(f"skipped {len(summary.skipped)} {' '.join(summary.skipped)}")
