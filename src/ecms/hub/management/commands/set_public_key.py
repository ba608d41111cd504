"""Publish an agency's public key in the hub directory (for end-to-end encrypted secret letters)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecms.hub.services import organization_public_key_set
from govcommon.errors import AppError


class Command(BaseCommand):
    help = "Publish an agency's public key: --org <e-CMS org ID> --file <base64 DER or PEM file> or --b64 <text>."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True)
        parser.add_argument("--file", type=Path)
        parser.add_argument("--b64", help="the DER SubjectPublicKeyInfo in base64")

    def handle(self, *args: Any, **options: Any) -> None:
        from cryptography.hazmat.primitives import serialization

        if options["file"] is not None:
            text = options["file"].read_bytes()
        elif options["b64"]:
            text = options["b64"].encode()
        else:
            raise CommandError("give --file or --b64")
        try:
            if text.lstrip().startswith(b"-----BEGIN"):
                der = serialization.load_pem_public_key(text).public_bytes(
                    serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            else:
                der = base64.b64decode(text.strip(), validate=True)
            organization_public_key_set(org_id=options["org"], key_der=der)
        except AppError as exc:
            raise CommandError(exc.message) from exc
        except ValueError as exc:
            raise CommandError(f"อ่านกุญแจไม่ได้: {exc}") from exc
        self.stdout.write(f"published the public key of {options['org']}")
