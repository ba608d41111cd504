"""Letters 20 years old (ข้อ 58–59): the transfer list to the National Archives (แบบที่ 21) and the
list of 20-year letters the agency keeps itself. Secret letters are not listed (an exception)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from govcommon.errors import ConflictError, PermissionDeniedError, ValidationError
from saraban.accounts.models import User
from saraban.audit.services import audit_record
from saraban.correspondence.enums import Secrecy
from saraban.records import rules
from saraban.records.models import DestructionBatch, StorageRecord, TwentyYearItem, TwentyYearList

AGE_YEARS = 20


def twenty_year_candidates(*, year_be: int) -> QuerySet[StorageRecord]:
    """Stored letters made in or before ``year_be`` − 20 (20 years old when that year ended), not
    secret, in no 20-year list yet and in no open destruction list."""
    last_year = year_be - 543 - AGE_YEARS
    made = Q(letter__letter_date__year__lte=last_year) | Q(letter__letter_date__isnull=True,
                                                           letter__created_at__year__lte=last_year)
    return (StorageRecord.objects.filter(made, status=StorageRecord.Status.STORED,
                                         letter__secrecy=Secrecy.NORMAL, twenty_year_item__isnull=True)
            .exclude(destruction_items__batch__status__in=[DestructionBatch.Status.PROPOSED,
                                                           DestructionBatch.Status.DECIDED,
                                                           DestructionBatch.Status.SENT,
                                                           DestructionBatch.Status.REVIEWED],
                     destruction_items__decision__in=["", "destroy"])
            .select_related("letter").order_by("file_code", "letter__letter_date", "id"))


@dataclass(frozen=True)
class ListLine:
    record: StorageRecord
    remarks: str = ""


def twenty_year_list_create(*, actor: User, kind: str, year_be: int, lines: list[ListLine]) -> TwentyYearList:
    """Make a transfer list (the letters leave the agency's care) or a keep-ourselves list."""
    if not rules.is_records_staff(actor):
        raise PermissionDeniedError("เฉพาะเจ้าหน้าที่หน่วยเก็บ", code="REC-403")
    if kind not in TwentyYearList.Kind.values:
        raise ValidationError("ประเภทบัญชีไม่ถูกต้อง", code="REC-050")
    if not lines:
        raise ValidationError("บัญชีต้องมีหนังสืออย่างน้อย 1 ฉบับ", code="REC-051")
    with transaction.atomic():
        allowed = set(twenty_year_candidates(year_be=year_be).values_list("pk", flat=True))
        ids = [line.record.pk for line in lines]
        if len(set(ids)) != len(ids) or not set(ids) <= allowed:
            raise ConflictError("มีหนังสือที่ยังไม่ครบ 20 ปี เป็นหนังสือลับ หรืออยู่ในบัญชีอื่นแล้ว", code="REC-052")
        listing = TwentyYearList.objects.create(kind=kind, year_be=year_be, created_at=timezone.now(),
                                                created_by=actor)
        TwentyYearItem.objects.bulk_create(
            TwentyYearItem(list=listing, record=line.record, remarks=line.remarks.strip()[:300]) for line in lines)
        if kind == TwentyYearList.Kind.TRANSFER:
            StorageRecord.objects.filter(pk__in=ids).update(
                status=StorageRecord.Status.TRANSFERRED,
                remarks=f"ส่งมอบหอจดหมายเหตุแห่งชาติ ตามบัญชีส่งมอบ พ.ศ. {year_be}")
        audit_record(actor=actor, action=f"records.twenty_year_{kind}", obj=listing,
                     summary=f"{listing.get_kind_display()} พ.ศ. {year_be} จำนวน {len(ids)} ฉบับ",
                     data={"records": ids})
        return listing
