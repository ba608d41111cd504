"""Sending finished letters to storage (แบบที่ 19), the storage register (แบบที่ 20), retention
classes as data, and the printed forms."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from govcommon.errors import ConflictError, PermissionDeniedError, ValidationError
from saraban.correspondence.models import Letter
from saraban.records.models import RetentionClass, StorageRecord, StorageTransfer
from saraban.records.printing import register_pdf, transfer_pdf
from saraban.records.retention import (
    TransferLine,
    letter_store,
    retention_default,
    storage_transfer_accept,
    storage_transfer_create,
)
from tests.saraban.conftest import Cast


def unit_letter(cast: Cast, year: int = 2015, subject: str = "รายงานผลการดำเนินงานประจำปี") -> Letter:
    unit = cast.unitclerk.memberships.get().unit
    return Letter.objects.create(direction="in", subject=subject, owner_unit=unit, reference_no="ดศ 0102/77",
                                 letter_date=dt.date(year, 5, 2))


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_it_sends_a_list_and_the_storage_unit_records_each_letter(cast: Cast) -> None:
    first, second = unit_letter(cast), unit_letter(cast, subject="ขอความอนุเคราะห์ข้อมูล")
    unit = first.owner_unit
    assert unit is not None
    transfer = storage_transfer_create(actor=cast.unitclerk, unit=unit, lines=[
        TransferLine(first, retention=10, file_code="กค.1/2558"), TransferLine(second, retention=1)])
    assert transfer.status == StorageTransfer.Status.SENT and not StorageRecord.objects.exists()
    with pytest.raises(PermissionDeniedError):
        storage_transfer_accept(actor=cast.unitclerk, transfer=transfer)
    records = storage_transfer_accept(actor=cast.clerk, transfer=transfer)
    assert [r.stamp for r in records] == ["เก็บถึง พ.ศ. 2568", "เก็บถึง พ.ศ. 2559"]
    assert records[0].transfer == transfer and records[0].file_code == "กค.1/2558"
    with pytest.raises(ConflictError):
        storage_transfer_accept(actor=cast.clerk, transfer=transfer)


def test_it_refuses_bad_lists_and_creates_nothing(cast: Cast) -> None:
    own = unit_letter(cast)
    unit = own.owner_unit
    assert unit is not None
    other = Letter.objects.create(direction="in", subject="ของกองอื่น", owner_unit=cast.central.unit)
    with pytest.raises(ValidationError, match="อย่างน้อย 1"):
        storage_transfer_create(actor=cast.unitclerk, unit=unit, lines=[])
    with pytest.raises(ValidationError, match="อายุการเก็บ"):
        storage_transfer_create(actor=cast.unitclerk, unit=unit, lines=[TransferLine(own, retention=7)])
    with pytest.raises(ValidationError, match="ไม่ใช่ของ"):
        storage_transfer_create(actor=cast.unitclerk, unit=unit, lines=[TransferLine(other, retention=10)])
    with pytest.raises(PermissionDeniedError):
        storage_transfer_create(actor=cast.officer, unit=unit, lines=[TransferLine(own, retention=10)])
    assert not StorageTransfer.objects.exists()
    storage_transfer_create(actor=cast.unitclerk, unit=unit, lines=[TransferLine(own, retention=10)])
    with pytest.raises(ConflictError):
        storage_transfer_create(actor=cast.unitclerk, unit=unit, lines=[TransferLine(own, retention=5)])


def test_it_takes_retention_classes_from_data(cast: Cast) -> None:
    assert retention_default() == 10
    RetentionClass.objects.create(years=3, name="3 ปี")
    record = letter_store(actor=cast.clerk, letter=unit_letter(cast, year=2020), retention=3)
    assert record.keep_until_be == 2566
    RetentionClass.objects.filter(years=1).update(active=False)
    with pytest.raises(ValidationError):
        letter_store(actor=cast.clerk, letter=unit_letter(cast), retention=1)


def test_it_prints_the_forms_with_be_dates_and_thai_digits(cast: Cast, tmp_path: Path) -> None:
    letter = unit_letter(cast)
    unit = letter.owner_unit
    assert unit is not None
    transfer = storage_transfer_create(actor=cast.unitclerk, unit=unit,
                                       lines=[TransferLine(letter, retention=0, file_code="กค.9")])
    storage_transfer_accept(actor=cast.clerk, transfer=transfer)
    text = pdf_text(transfer_pdf(transfer=transfer, profile=cast.profile), tmp_path)
    assert "บัญชีหนังสือส่งเก็บ" in text and "แบบที่ 19" in text and "ห้ามทำลาย" in text
    assert "๒ พ.ค. ๒๕๕๘" in text and "รายงานผลการดำเนินงานประจำปี" in text
    text = pdf_text(register_pdf(records=list(StorageRecord.objects.all()), profile=cast.profile), tmp_path)
    assert "ทะเบียนหนังสือเก็บ" in text and "แบบที่ 20" in text and "แผ่นที่ ๑" in text
    cast.profile.use_thai_digits = False
    assert "2 พ.ค. 2558" in pdf_text(register_pdf(records=list(StorageRecord.objects.all()),
                                                  profile=cast.profile), tmp_path)


def test_it_falls_back_to_the_regulations_classes_when_none_are_configured(cast: Cast) -> None:
    RetentionClass.objects.all().delete()
    assert retention_default() == 10
    assert letter_store(actor=cast.clerk, letter=unit_letter(cast), retention=5).keep_until_be == 2563
    with pytest.raises(ValidationError):
        letter_store(actor=cast.clerk, letter=unit_letter(cast), retention=3)
