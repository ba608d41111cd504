"""Depositing letters with the National Archives (การฝาก, ข้อ 60): a deposit list (บัญชีฝากหนังสือ)
of stored letters, printed for the depositor and the Archives to sign. Secret letters are not listed,
as for the 20-year lists; a letter is on one deposit list at most."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from govcommon import thaidate
from govcommon.errors import ConflictError, PermissionDeniedError, ValidationError
from saraban.accounts.models import User
from saraban.audit.services import audit_record
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Book, RegisterEntry
from saraban.records import rules
from saraban.records.models import DepositItem, DepositList, StorageRecord


def deposit_candidates() -> QuerySet[StorageRecord]:
    """Stored letters, not secret, on no deposit list yet."""
    return (StorageRecord.objects.filter(status=StorageRecord.Status.STORED, letter__secrecy=Secrecy.NORMAL,
                                         deposit_item__isnull=True)
            .select_related("letter").order_by("file_code", "letter__letter_date", "id"))


def receive_numbers(letter_ids: Sequence[int]) -> dict[int, str]:
    """Each letter's receive number as written on the list: ``number/year`` (Buddhist Era) of its
    first receive register line that was not cancelled."""
    numbers: dict[int, str] = {}
    entries = (RegisterEntry.objects.filter(letter_id__in=letter_ids, book=Book.RECEIVE, cancelled=False)
               .order_by("registered_at", "id").values_list("letter_id", "number", "year"))
    for letter_id, number, year in entries:
        numbers.setdefault(letter_id, f"{number}/{year + thaidate.BE_OFFSET}")
    return numbers


@dataclass(frozen=True)
class DepositLine:
    record: StorageRecord
    remarks: str = ""


def deposit_list_create(*, actor: User, lines: Sequence[DepositLine], depositor_name: str,
                        depositor_position: str = "") -> DepositList:
    """Make a deposit list of chosen stored letters, with each letter's receive number as it stands."""
    if not rules.is_records_staff(actor):
        raise PermissionDeniedError("เฉพาะเจ้าหน้าที่หน่วยเก็บ", code="REC-403")
    if not lines:
        raise ValidationError("บัญชีต้องมีหนังสืออย่างน้อย 1 ฉบับ", code="REC-061")
    if not depositor_name.strip():
        raise ValidationError("กรุณาระบุชื่อผู้ฝาก", code="REC-062")
    with transaction.atomic():
        ids = [line.record.pk for line in lines]
        # Two lists made at once with the same letter: the one-to-one item refuses the second.
        allowed = set(deposit_candidates().filter(pk__in=ids).values_list("pk", flat=True))
        if len(set(ids)) != len(ids) or set(ids) != allowed:
            raise ConflictError("มีหนังสือที่ไม่ได้อยู่ในความดูแลของหน่วยเก็บ เป็นหนังสือลับ หรืออยู่ในบัญชีฝากแล้ว",
                                code="REC-063")
        numbers = receive_numbers([line.record.letter_id for line in lines])
        deposit = DepositList.objects.create(depositor_name=depositor_name.strip()[:200],
                                             depositor_position=depositor_position.strip()[:200],
                                             created_at=timezone.now(), created_by=actor)
        DepositItem.objects.bulk_create(
            DepositItem(deposit=deposit, record=line.record, receive_number=numbers.get(line.record.letter_id, ""),
                        remarks=line.remarks.strip()[:300])
            for line in lines)
        audit_record(actor=actor, action="records.deposit_listed", obj=deposit,
                     summary=f"บัญชีฝากหนังสือ {deposit.archives} จำนวน {len(ids)} ฉบับ",
                     data={"records": ids, "depositor": deposit.depositor_name})
        return deposit
