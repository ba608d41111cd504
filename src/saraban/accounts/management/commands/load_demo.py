from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saraban.accounts.demo import DEMO_AGENCIES, DEMO_PASSWORD, DEMO_USERS, demo_agency_load
from saraban.accounts.models import Role


class Command(BaseCommand):
    help = "สร้างข้อมูลสาธิต: หน่วยงาน หน่วยสารบรรณ และผู้ใช้ทุกบทบาท"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", choices=sorted(DEMO_AGENCIES), required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        profile = demo_agency_load(key=options["agency"])
        self.stdout.write(f"{profile.root_unit.name}: ผู้ใช้สาธิต (รหัสผ่าน {DEMO_PASSWORD})")
        for username, role, *_ in DEMO_USERS:
            self.stdout.write(f"  {username:10s} {Role(role).label}")
