"""Storage (แบบที่ 20) with retention classes, and destruction batches (ข้อ 57, 66–70)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from govcommon.errors import ConflictError, ValidationError
from saraban.accounts.models import User
from saraban.audit.services import audit_record
from saraban.correspondence.models import Letter
from saraban.records.models import CommitteeMember, DestructionBatch, Retention, StorageRecord


def keep_until_be(*, letter: Letter, retention: int) -> int | None:
    """The BE year to stamp: the letter's year (or this year) plus the retention; None = permanent.
    A letter kept N years may be destroyed after 31 December of year + N."""
    if retention == Retention.PERMANENT:
        return None
    year = (letter.letter_date or timezone.localdate()).year
    return year + 543 + retention


def letter_store(*, actor: User, letter: Letter, retention: int = Retention.TEN_YEARS,
                 file_code: str = "") -> StorageRecord:
    if retention not in Retention.values:
        raise ValidationError("อายุการเก็บไม่ถูกต้อง", code="REC-001")
    with transaction.atomic():
        if StorageRecord.objects.filter(letter=letter).exists():
            raise ConflictError("หนังสือนี้ลงทะเบียนหนังสือเก็บแล้ว", code="REC-002")
        record = StorageRecord.objects.create(
            letter=letter, file_code=file_code, retention=retention,
            keep_until_be=keep_until_be(letter=letter, retention=retention),
            stored_at=timezone.now(), stored_by=actor,
        )
        audit_record(actor=actor, action="records.stored", obj=letter, summary=f"ลงทะเบียนหนังสือเก็บ: {record.stamp}",
                     data={"retention": retention, "keep_until_be": record.keep_until_be, "file_code": file_code})
        return record


@dataclass(frozen=True)
class Member:
    name: str
    position: str
    is_chair: bool = False


MIN_COMMITTEE = 3  # a chair and at least two members (ระเบียบฯ ฉบับที่ 3 พ.ศ. 2560)


def destruction_batch_create(*, actor: User, year_be: int, appointing_order: str, committee: list[Member],
                             letters: list[Letter]) -> DestructionBatch:
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
        batch = DestructionBatch.objects.create(year_be=year_be, appointing_order=appointing_order.strip(),
                                                created_by=actor)
        batch.letters.set(letters)
        CommitteeMember.objects.bulk_create(
            CommitteeMember(batch=batch, name=m.name, position=m.position, is_chair=m.is_chair) for m in committee
        )
        audit_record(actor=actor, action="records.destruction_proposed", obj=batch,
                     summary=f"บัญชีหนังสือขอทำลาย พ.ศ. {year_be} จำนวน {len(letters)} ฉบับ",
                     data={"letters": [x.pk for x in letters], "committee": [m.name for m in committee]})
        return batch
