"""Loading the editable reference data: ministries and provinces with their letter codes."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from saraban.accounts.models import Ministry, Province
from saraban.audit.services import audit_record

DATA_DIR = Path(__file__).resolve().parent / "data"


def orgdata_load(*, ministries_file: Path | None = None, provinces_file: Path | None = None) -> tuple[int, int]:
    """Create or update ministries and provinces from JSON; existing edits to names are kept
    unless the file changes them. Returns the numbers of rows created."""
    ministries = json.loads((ministries_file or DATA_DIR / "ministries.json").read_text(encoding="utf-8"))
    provinces = json.loads((provinces_file or DATA_DIR / "provinces.json").read_text(encoding="utf-8"))
    created_m = created_p = 0
    with transaction.atomic():
        for row in ministries:
            _, created = Ministry.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "name_en": row.get("name_en", "")}
            )
            created_m += created
        for row in provinces:
            _, created = Province.objects.update_or_create(
                code=row["code"], defaults={"name": row["name"], "name_en": row.get("name_en", "")}
            )
            created_p += created
        audit_record(actor=None, action="orgdata.loaded", object_type="orgdata",
                     summary=f"โหลดข้อมูลกระทรวง {len(ministries)} และจังหวัด {len(provinces)} รายการ",
                     data={"ministries_created": created_m, "provinces_created": created_p})
    return created_m, created_p
