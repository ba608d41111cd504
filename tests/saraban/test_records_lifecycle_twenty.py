"""The 20-year transfer list (แบบที่ 21) and the list of 20-year letters the agency keeps."""

from __future__ import annotations

from pathlib import Path

import pytest

from govcommon.errors import ConflictError, PermissionDeniedError
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Letter
from saraban.records.models import StorageRecord, TwentyYearList
from saraban.records.printing import twenty_year_pdf
from saraban.records.twenty import ListLine, twenty_year_candidates, twenty_year_list_create
from tests.saraban.conftest import Cast
from tests.saraban.test_records_lifecycle_destruction import stored
from tests.saraban.test_records_lifecycle_storage import pdf_text


def test_it_lists_20_year_letters_except_secret_and_recent_ones(cast: Cast) -> None:
    old, kept, recent, secret = stored(cast, year=2005), stored(cast, year=2004), stored(cast, year=2006), \
        stored(cast, year=2000)
    Letter.objects.filter(pk=secret.letter_id).update(secrecy=Secrecy.SECRET)
    assert {r.pk for r in twenty_year_candidates(year_be=2568)} == {old.pk, kept.pk}
    with pytest.raises(PermissionDeniedError):
        twenty_year_list_create(actor=cast.officer, kind="transfer", year_be=2568, lines=[ListLine(old)])
    with pytest.raises(ConflictError):
        twenty_year_list_create(actor=cast.clerk, kind="transfer", year_be=2568, lines=[ListLine(recent)])
    assert not TwentyYearList.objects.exists()
    transfer = twenty_year_list_create(actor=cast.clerk, kind="transfer", year_be=2568, lines=[ListLine(old)])
    keep = twenty_year_list_create(actor=cast.clerk, kind="keep", year_be=2568,
                                   lines=[ListLine(kept, remarks="ยังใช้ในการปฏิบัติงาน")])
    old.refresh_from_db()
    kept.refresh_from_db()
    assert old.status == StorageRecord.Status.TRANSFERRED and kept.status == StorageRecord.Status.STORED
    assert not twenty_year_candidates(year_be=2568).exists()
    with pytest.raises(ConflictError):
        twenty_year_list_create(actor=cast.clerk, kind="keep", year_be=2568, lines=[ListLine(old)])
    assert transfer.items.count() == 1 and keep.items.get().remarks == "ยังใช้ในการปฏิบัติงาน"


def test_it_prints_both_lists(cast: Cast, tmp_path: Path) -> None:
    a, b = stored(cast, year=2001), stored(cast, year=2002)
    transfer = twenty_year_list_create(actor=cast.clerk, kind="transfer", year_be=2568, lines=[ListLine(a)])
    keep = twenty_year_list_create(actor=cast.clerk, kind="keep", year_be=2568, lines=[ListLine(b)])
    text = pdf_text(twenty_year_pdf(listing=transfer, profile=cast.profile), tmp_path)
    assert "บัญชีส่งมอบหนังสือครบ 20 ปี" in text.replace("๒๐", "20") and "แบบที่ 21" in text and "๒๕๖๘" in text
    text = pdf_text(twenty_year_pdf(listing=keep, profile=cast.profile), tmp_path)
    assert "ที่ขอเก็บเอง" in text and "ดศ ๐๑๐๑/๙" in text
