"""Create (or reset) the account an agency's e-Saraban system uses to talk to the hub."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ecms.hub.services import agency_system_create


class Command(BaseCommand):
    help = "Create or reset an agency system account: --org <e-CMS org ID> --username <name>."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="e-CMS organisation ID of the agency")
        parser.add_argument("--username", required=True)
        parser.add_argument("--password", help="default: a random one, printed once")
        parser.add_argument("--password-file", help="read the password from this file")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if options["password_file"]:
            password = Path(options["password_file"]).read_text(encoding="utf-8").strip()
        generated = not password
        if generated:
            password = secrets.token_urlsafe(18)
        agency_system_create(org_id=options["org"], username=options["username"], password=password)
        self.stdout.write(f"agency system {options['username']} for {options['org']} ready")
        if generated:
            self.stdout.write(f"password: {password}")
