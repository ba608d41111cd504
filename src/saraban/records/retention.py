"""Storage: the list of letters sent for storage (แบบที่ 19), the storage register (แบบที่ 20) with
retention classes (ข้อ 52–57), and the destruction list with its committee (ข้อ 66–67)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from govcommon.errors import ConflictError, PermissionDeniedError, ValidationError
from saraban.accounts.models import OrgUnit, User
from saraban.audit.services import audit_record
from saraban.correspondence.models import Letter
from saraban.records import rules
from saraban.records.models import (
    CommitteeMember,
    DestructionBatch,
    DestructionItem,
    Retention,
    RetentionClass,
    StorageRecord,
    StorageTransfer,
    StorageTransferItem,
)

# ข้อ 89/5: electronic letters have no expiry; the head of the agency may order the destruction of
# those kept more than ten years.
ELECTRONIC_MIN_YEARS = 10


def retention_classes() -> list[RetentionClass]:
    """The active classes; with none configured (an emptied table) the regulation's defaults apply."""
    if not RetentionClass.objects.exists():
        return [RetentionClass(years=int(v), name=str(label), is_default=v == Retention.TEN_YEARS)
                for v, label in Retention.choices]
    return list(RetentionClass.objects.filter(active=True))


def retention_default() -> int:
    default = next((c for c in retention_classes() if c.is_default), None)
    return default.years if default else int(Retention.TEN_YEARS)


def _retention_check(retention: int) -> None:
    if retention not in {c.years for c in retention_classes()}:
        raise ValidationError("อายุการเก็บไม่ถูกต้อง", code="REC-001")


def is_electronic(letter: Letter) -> bool:
    return letter.source != Letter.Source.PAPER


def keep_until_be(*, letter: Letter, retention: int) -> int | None:
    """The BE year to stamp: the letter's year (or this year) plus the retention; None = permanent.
    A letter kept N years may be destroyed after 31 December of year + N."""
    if retention == Retention.PERMANENT:
        return None
    year = (letter.letter_date or timezone.localdate()).year
    return year + 543 + retention


def _record_create(*, actor: User, letter: Letter, retention: int, file_code: str,
                   transfer: StorageTransfer | None = None, remarks: str = "") -> StorageRecord:
    if StorageRecord.objects.filter(letter=letter).exists():
        raise ConflictError(f"หนังสือ {letter} ลงทะเบียนหนังสือเก็บแล้ว", code="REC-002")
    record = StorageRecord.objects.create(
        letter=letter, transfer=transfer, file_code=file_code, retention=retention,
        keep_until_be=keep_until_be(letter=letter, retention=retention),
        stored_at=timezone.now(), stored_by=actor, remarks=remarks,
    )
    audit_record(actor=actor, action="records.stored", obj=letter, summary=f"ลงทะเบียนหนังสือเก็บ: {record.stamp}",
                 data={"retention": retention, "keep_until_be": record.keep_until_be, "file_code": file_code,
                       "transfer": transfer.pk if transfer else None})
    return record


def letter_store(*, actor: User, letter: Letter, retention: int = Retention.TEN_YEARS,
                 file_code: str = "") -> StorageRecord:
    """Record one letter in the storage register directly (the storage unit's own letters)."""
    _retention_check(retention)
    with transaction.atomic():
        return _record_create(actor=actor, letter=letter, retention=retention, file_code=file_code.strip())


@dataclass(frozen=True)
class TransferLine:
    letter: Letter
    retention: int
    file_code: str = ""
    remarks: str = ""


def storage_transfer_create(*, actor: User, unit: OrgUnit, lines: list[TransferLine]) -> StorageTransfer:
    """The owning unit sends finished letters to storage with a list (แบบที่ 19)."""
    if not lines:
        raise ValidationError("บัญชีหนังสือส่งเก็บต้องมีหนังสืออย่างน้อย 1 ฉบับ", code="REC-020")
    if len({line.letter.pk for line in lines}) != len(lines):
        raise ValidationError("มีหนังสือซ้ำในบัญชี", code="REC-021")
    for line in lines:
        _retention_check(line.retention)
        if line.letter.owner_unit_id != unit.pk:
            raise ValidationError(f"หนังสือ {line.letter} ไม่ใช่ของ {unit}", code="REC-022")
        if not rules.can_send_to_storage(actor, line.letter):
            raise PermissionDeniedError("ท่านไม่มีสิทธิ์ส่งเก็บหนังสือของหน่วยงานนี้", code="REC-403")
    with transaction.atomic():
        ids = [line.letter.pk for line in lines]
        if StorageRecord.objects.filter(letter_id__in=ids).exists() or StorageTransferItem.objects.filter(
                letter_id__in=ids, transfer__status=StorageTransfer.Status.SENT).exists():
            raise ConflictError("มีหนังสือที่ส่งเก็บหรือลงทะเบียนหนังสือเก็บแล้ว", code="REC-023")
        now = timezone.now()
        transfer = StorageTransfer.objects.create(unit=unit, year_be=timezone.localdate().year + 543, sent_at=now,
                                                  sent_by=actor)
        StorageTransferItem.objects.bulk_create(
            StorageTransferItem(transfer=transfer, letter=line.letter, file_code=line.file_code.strip(),
                                retention=line.retention, remarks=line.remarks.strip())
            for line in lines
        )
        audit_record(actor=actor, action="records.transfer_sent", obj=transfer,
                     summary=f"ส่งเก็บหนังสือ {len(lines)} ฉบับ ({unit})", data={"letters": ids})
        return transfer


def storage_transfer_accept(*, actor: User, transfer: StorageTransfer) -> list[StorageRecord]:
    """The storage unit receives the letters and records each in the storage register (แบบที่ 20)."""
    if not rules.is_records_staff(actor):
        raise PermissionDeniedError("เฉพาะเจ้าหน้าที่หน่วยเก็บ", code="REC-403")
    with transaction.atomic():
        transfer = StorageTransfer.objects.select_for_update().get(pk=transfer.pk)
        if transfer.status != StorageTransfer.Status.SENT:
            raise ConflictError("บัญชีนี้หน่วยเก็บรับแล้ว", code="REC-024")
        records = [
            _record_create(actor=actor, letter=item.letter, retention=item.retention, file_code=item.file_code,
                           transfer=transfer, remarks=item.remarks)
            for item in transfer.items.select_related("letter")
        ]
        transfer.status = StorageTransfer.Status.ACCEPTED
        transfer.accepted_at = timezone.now()
        transfer.accepted_by = actor
        transfer.save(update_fields=["status", "accepted_at", "accepted_by"])
        audit_record(actor=actor, action="records.transfer_accepted", obj=transfer,
                     summary=f"หน่วยเก็บรับหนังสือ {len(records)} ฉบับ ลงทะเบียนหนังสือเก็บ")
        return records


def kept_years(letter: Letter, *, on: dt.date) -> float:
    start = letter.letter_date or timezone.localdate(letter.created_at)
    return (on - start).days / 365.25


@dataclass(frozen=True)
class Member:
    name: str
    position: str
    is_chair: bool = False


MIN_COMMITTEE = 3  # a chair and at least two members (ระเบียบฯ ฉบับที่ 3 พ.ศ. 2560)


def destruction_batch_create(*, actor: User, year_be: int, appointing_order: str, committee: list[Member],
                             letters: list[Letter]) -> DestructionBatch:
    """The destruction list (แบบที่ 25) with the committee the head of the agency appointed."""
    if not rules.is_records_staff(actor):
        raise PermissionDeniedError("เฉพาะเจ้าหน้าที่หน่วยเก็บ", code="REC-403")
    if any(not m.name.strip() or not m.position.strip() for m in committee):
        raise ValidationError("กรุณาระบุชื่อและตำแหน่งของกรรมการทุกคน", code="REC-010")
    chairs = [m for m in committee if m.is_chair]
    if len(committee) < MIN_COMMITTEE or len(chairs) != 1:
        raise ValidationError("คณะกรรมการทำลายหนังสือต้องมีประธาน 1 คนและกรรมการอย่างน้อย 2 คน", code="REC-010")
    if not appointing_order.strip():
        raise ValidationError("กรุณาระบุคำสั่งแต่งตั้งคณะกรรมการ", code="REC-011")
    if not letters:
        raise ValidationError("บัญชีหนังสือขอทำลายต้องมีหนังสืออย่างน้อย 1 ฉบับ", code="REC-012")
    with transaction.atomic():
        stored = {r.letter_id: r for r in StorageRecord.objects.filter(letter__in=letters)}
        for letter in letters:
            record = stored.get(letter.pk)
            if record is None or record.keep_until_be is None or record.keep_until_be >= year_be:
                raise ValidationError(f"หนังสือ {letter} ยังไม่ครบอายุการเก็บหรือห้ามทำลาย", code="REC-013")
            if record.status != StorageRecord.Status.STORED:
                raise ValidationError(f"หนังสือ {letter} ไม่อยู่ในความดูแลของหน่วยเก็บแล้ว", code="REC-015")
            if is_electronic(letter) and kept_years(letter, on=timezone.localdate()) <= ELECTRONIC_MIN_YEARS:
                raise ValidationError(f"หนังสืออิเล็กทรอนิกส์ {letter} เก็บยังไม่เกิน 10 ปี (ข้อ 89/5)", code="REC-014")
        if DestructionItem.objects.filter(record__letter__in=letters).exclude(
                batch__status=DestructionBatch.Status.DESTROYED).exclude(decision=DestructionItem.Decision.KEEP).exists():
            raise ConflictError("มีหนังสืออยู่ในบัญชีหนังสือขอทำลายอื่นที่ยังไม่เสร็จ", code="REC-016")
        batch = DestructionBatch.objects.create(year_be=year_be, appointing_order=appointing_order.strip(),
                                                created_by=actor)
        batch.letters.set(letters)
        DestructionItem.objects.bulk_create(DestructionItem(batch=batch, record=stored[x.pk]) for x in letters)
        CommitteeMember.objects.bulk_create(
            CommitteeMember(batch=batch, name=m.name, position=m.position, is_chair=m.is_chair) for m in committee
        )
        audit_record(actor=actor, action="records.destruction_proposed", obj=batch,
                     summary=f"บัญชีหนังสือขอทำลาย พ.ศ. {year_be} จำนวน {len(letters)} ฉบับ",
                     data={"letters": [x.pk for x in letters], "committee": [m.name for m in committee]})
        return batch
