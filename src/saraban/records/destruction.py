"""The destruction of letters after their retention (ข้อ 66–70, ข้อ 89/5).

Survey (within 60 days after the year ends) → list and committee (``retention.destruction_batch_create``)
→ committee decisions per item → National Archives review (60 days, silence is agreement) → destruction.
Destruction really deletes: the letter's files (and the stored bytes once no other file refers to the
same digest), its body and the indexed text. The storage register line stays, marked destroyed, and the
batch is the certificate (PDF from ``printing.destruction_certificate_pdf``) with its audit record.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from govcommon.errors import ConflictError, PermissionDeniedError, ValidationError
from saraban.accounts.models import User
from saraban.audit.services import audit_record
from saraban.correspondence import storage
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Letter, LetterFile
from saraban.records import rules
from saraban.records.models import DestructionBatch, DestructionItem, StorageRecord
from saraban.records.retention import is_electronic
from saraban.records.services import letter_index_metadata_only

SURVEY_DAYS = 60  # ข้อ 66: within 60 days after the end of each calendar year
ARCHIVES_DAYS = 60  # ข้อ 69: no reply within 60 days means the Archives agree
MAX_EXTEND_YEARS = 100


def _staff(actor: User) -> None:
    if not rules.is_records_staff(actor):
        raise PermissionDeniedError("เฉพาะเจ้าหน้าที่หน่วยเก็บ", code="REC-403")


def survey_deadline(year_be: int) -> dt.date:
    """The last day of the survey for the year that ended: 60 days after 31 December."""
    return dt.date(year_be - 543, 12, 31) + dt.timedelta(days=SURVEY_DAYS)


def destruction_candidates(*, year_be: int) -> QuerySet[StorageRecord]:
    """Stored letters whose retention ended by 31 December of ``year_be`` and that are in no open list."""
    open_items = DestructionItem.objects.exclude(batch__status=DestructionBatch.Status.DESTROYED).exclude(
        decision=DestructionItem.Decision.KEEP)
    return (StorageRecord.objects.filter(status=StorageRecord.Status.STORED, keep_until_be__isnull=False,
                                         keep_until_be__lte=year_be)
            .exclude(pk__in=open_items.values("record_id"))
            .exclude(destruction_items__archives_keep=True)
            .select_related("letter").order_by("keep_until_be", "file_code", "id"))


@dataclass(frozen=True)
class Survey:
    year_be: int  # the year that ended
    deadline: dt.date
    late: bool
    records: list[StorageRecord]


def destruction_survey_run(*, actor: User | None, today: dt.date | None = None) -> Survey:
    """The yearly survey of the letters whose retention has ended (audited: the regulation asks
    for it at least once a year)."""
    if actor is not None:
        _staff(actor)
    today = today or timezone.localdate()
    year_be = today.year - 1 + 543
    records = list(destruction_candidates(year_be=year_be))
    deadline = survey_deadline(year_be)
    with transaction.atomic():
        audit_record(actor=actor, action="records.destruction_surveyed", object_type="records.storagerecord",
                     summary=f"สำรวจหนังสือครบอายุการเก็บ สิ้นปี พ.ศ. {year_be}: {len(records)} ฉบับ",
                     data={"year_be": year_be, "records": [r.pk for r in records], "late": today > deadline})
    return Survey(year_be=year_be, deadline=deadline, late=today > deadline, records=records)


@dataclass(frozen=True)
class Decision:
    item_id: int
    destroy: bool
    extend_years: int | None = None
    remarks: str = ""


def destruction_decide(*, actor: User, batch: DestructionBatch, decisions: list[Decision]) -> DestructionBatch:
    """Record the committee's decision on every item (ข้อ 68): destroy, or keep with a longer
    retention (the register line gets the new เก็บถึง พ.ศ. and the letter goes back to storage)."""
    _staff(actor)
    with transaction.atomic():
        batch = DestructionBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != DestructionBatch.Status.PROPOSED:
            raise ConflictError("คณะกรรมการพิจารณาบัญชีนี้แล้ว", code="REC-030")
        items = {i.pk: i for i in batch.items.select_related("record")}
        given = {d.item_id: d for d in decisions}
        if set(given) != set(items):
            raise ValidationError("ต้องพิจารณาทุกรายการในบัญชี", code="REC-031")
        for d in decisions:
            if not d.destroy and not (d.extend_years and 1 <= d.extend_years <= MAX_EXTEND_YEARS):
                raise ValidationError("รายการที่ให้เก็บไว้ต้องระบุจำนวนปีที่ขยาย (1–100 ปี)", code="REC-032")
        kept = 0
        for item_id, d in given.items():
            item = items[item_id]
            item.remarks = d.remarks.strip()[:300]
            if d.destroy:
                item.decision = DestructionItem.Decision.DESTROY
            else:
                kept += 1
                item.decision = DestructionItem.Decision.KEEP
                item.extend_years = d.extend_years
                record = item.record
                assert record.keep_until_be is not None and d.extend_years is not None
                record.keep_until_be += d.extend_years
                record.remarks = f"คณะกรรมการขยายเวลาเก็บถึง พ.ศ. {record.keep_until_be} ({batch})"[:500]
                record.save(update_fields=["keep_until_be", "remarks"])
            item.save(update_fields=["decision", "extend_years", "remarks"])
        batch.status = DestructionBatch.Status.DECIDED
        batch.decided_at = timezone.now()
        batch.save(update_fields=["status", "decided_at"])
        audit_record(actor=actor, action="records.destruction_decided", obj=batch,
                     summary=f"คณะกรรมการพิจารณา: ทำลาย {len(items) - kept} ขยายเวลาเก็บ {kept}",
                     data={"items": {str(k): {"destroy": v.destroy, "extend": v.extend_years}
                                     for k, v in given.items()}})
        return batch


def destruction_archives_send(*, actor: User, batch: DestructionBatch, sent_on: dt.date) -> DestructionBatch:
    """The list goes to the National Archives (กรมศิลปากร) for review; the 60-day timer starts."""
    _staff(actor)
    if sent_on > timezone.localdate():
        raise ValidationError("วันที่ส่งต้องไม่เป็นวันในอนาคต", code="REC-033")
    with transaction.atomic():
        batch = DestructionBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != DestructionBatch.Status.DECIDED:
            raise ConflictError("ส่งกรมศิลปากรได้เมื่อคณะกรรมการพิจารณาแล้วเท่านั้น", code="REC-034")
        batch.status = DestructionBatch.Status.SENT
        batch.archives_sent_on = sent_on
        batch.save(update_fields=["status", "archives_sent_on"])
        audit_record(actor=actor, action="records.destruction_sent_to_archives", obj=batch,
                     summary=f"ส่งบัญชีหนังสือขอทำลายให้กรมศิลปากรพิจารณา เมื่อ {sent_on.isoformat()}")
        return batch


def archives_deadline(batch: DestructionBatch) -> dt.date | None:
    return batch.archives_sent_on + dt.timedelta(days=ARCHIVES_DAYS) if batch.archives_sent_on else None


def destruction_archives_reply(*, actor: User, batch: DestructionBatch, replied_on: dt.date,
                               keep_item_ids: list[int]) -> DestructionBatch:
    """The Archives' reply: the items it wants kept are set aside (for transfer), the rest may go."""
    _staff(actor)
    with transaction.atomic():
        batch = DestructionBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != DestructionBatch.Status.SENT:
            raise ConflictError("บัญชีนี้ไม่ได้รอการพิจารณาของกรมศิลปากร", code="REC-035")
        assert batch.archives_sent_on is not None
        if replied_on < batch.archives_sent_on or replied_on > timezone.localdate():
            raise ValidationError("วันที่ตอบไม่ถูกต้อง", code="REC-036")
        destroy_ids = set(batch.items.filter(decision=DestructionItem.Decision.DESTROY).values_list("pk", flat=True))
        if not set(keep_item_ids) <= destroy_ids:
            raise ValidationError("รายการที่กรมศิลปากรขอเก็บต้องเป็นรายการที่คณะกรรมการให้ทำลาย", code="REC-037")
        kept = batch.items.filter(pk__in=keep_item_ids)
        kept.update(archives_keep=True, remarks="กรมศิลปากรขอเก็บ: แยกไว้เพื่อส่งมอบ")
        StorageRecord.objects.filter(destruction_items__in=kept).update(
            remarks=f"กรมศิลปากรขอเก็บ ({batch}): แยกไว้เพื่อส่งมอบ")
        batch.status = DestructionBatch.Status.REVIEWED
        batch.archives_reply_on = replied_on
        batch.save(update_fields=["status", "archives_reply_on"])
        audit_record(actor=actor, action="records.destruction_archives_replied", obj=batch,
                     summary=f"กรมศิลปากรตอบ: ขอเก็บ {len(keep_item_ids)} รายการ", data={"keep": keep_item_ids})
        return batch


def destruction_electronic_order_record(*, actor: User, batch: DestructionBatch, order: str, head: str,
                                        ordered_on: dt.date) -> DestructionBatch:
    """ข้อ 89/5: record the head of the agency's order to destroy electronic letters kept over 10 years."""
    _staff(actor)
    if not order.strip() or not head.strip():
        raise ValidationError("กรุณาระบุเลขที่คำสั่งและหัวหน้าส่วนราชการผู้สั่ง", code="REC-038")
    with transaction.atomic():
        batch = DestructionBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == DestructionBatch.Status.DESTROYED:
            raise ConflictError("บัญชีนี้ทำลายแล้ว", code="REC-039")
        batch.electronic_order, batch.electronic_order_by = order.strip()[:200], head.strip()[:200]
        batch.electronic_order_on = ordered_on
        batch.save(update_fields=["electronic_order", "electronic_order_by", "electronic_order_on"])
        audit_record(actor=actor, action="records.destruction_electronic_order", obj=batch,
                     summary=f"คำสั่งหัวหน้าส่วนราชการให้ทำลายหนังสืออิเล็กทรอนิกส์: {batch.electronic_order}",
                     data={"head": batch.electronic_order_by, "on": ordered_on.isoformat()})
        return batch


def _files_remove(digests: set[str]) -> None:
    """After commit: delete each stored file (plain or sealed) no record refers to any more."""
    storage.unreferenced_remove(digests)


def destruction_execute(*, actor: User, batch: DestructionBatch, method: str,
                        today: dt.date | None = None) -> DestructionBatch:
    """Destroy the items the committee marked and the Archives did not keep."""
    _staff(actor)
    if not method.strip():
        raise ValidationError("กรุณาระบุวิธีทำลาย", code="REC-040")
    today = today or timezone.localdate()
    digests: set[str] = set()
    with transaction.atomic():
        batch = DestructionBatch.objects.select_for_update().get(pk=batch.pk)
        deemed = False
        if batch.status == DestructionBatch.Status.SENT:
            deadline = archives_deadline(batch)
            assert deadline is not None
            if today < deadline:
                raise ConflictError(f"รอกรมศิลปากรพิจารณาถึงวันที่ {deadline.isoformat()} (60 วัน)", code="REC-041")
            deemed = True
        elif batch.status != DestructionBatch.Status.REVIEWED:
            raise ConflictError("ทำลายได้เมื่อกรมศิลปากรพิจารณาแล้วหรือครบ 60 วันเท่านั้น", code="REC-042")
        items = list(batch.items.filter(decision=DestructionItem.Decision.DESTROY, archives_keep=False)
                     .select_related("record__letter"))
        if any(is_electronic(i.record.letter) for i in items) and not batch.electronic_order:
            raise ValidationError("หนังสืออิเล็กทรอนิกส์ทำลายได้เฉพาะตามคำสั่งหัวหน้าส่วนราชการ (ข้อ 89/5)",
                                  code="REC-043")
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:  # freed pages are zeroed, not left for a backup to copy
                cur.execute("PRAGMA secure_delete = ON")
        now = timezone.now()
        letter_ids = [i.record.letter_id for i in items]
        files = LetterFile.objects.filter(letter_id__in=letter_ids)
        per_letter: dict[int, int] = {}
        for letter_id, digest, sealed in files.values_list("letter_id", "sha256", "sealed_sha256"):
            per_letter[letter_id] = per_letter.get(letter_id, 0) + 1
            digests.update(d for d in (digest, sealed) if d)
        file_count = files.count()
        files.delete()
        Letter.objects.filter(pk__in=letter_ids).update(body="")
        for secret in Letter.objects.filter(pk__in=letter_ids, secrecy__gte=Secrecy.CONFIDENTIAL):
            secret.body = ""  # its text is sealed: sealed again without the body
            secret.save(update_fields=["body"])
        for letter in Letter.objects.filter(pk__in=letter_ids):
            letter_index_metadata_only(letter=letter)  # no word of the destroyed content stays findable
        for item in items:
            item.destroyed_at = now
            item.files_removed = per_letter.get(item.record.letter_id, 0)
            item.save(update_fields=["destroyed_at", "files_removed"])
        if connection.vendor == "sqlite":
            with connection.cursor() as cur:  # FTS5 keeps deleted trigrams in old segments until merged
                cur.execute("INSERT INTO records_letter_fts(records_letter_fts) VALUES ('optimize')")
        StorageRecord.objects.filter(pk__in=[i.record_id for i in items]).update(
            status=StorageRecord.Status.DESTROYED, remarks=f"ทำลายแล้ว ({batch})")
        batch.status = DestructionBatch.Status.DESTROYED
        batch.archives_deemed = deemed
        batch.destroyed_at, batch.destroyed_by, batch.method = now, actor, method.strip()[:200]
        batch.save(update_fields=["status", "archives_deemed", "destroyed_at", "destroyed_by", "method"])
        audit_record(actor=actor, action="records.destroyed", obj=batch,
                     summary=f"ทำลายหนังสือ {len(items)} ฉบับ ไฟล์ {file_count} ไฟล์ ออกหนังสือรับรองการทำลาย",
                     data={"letters": letter_ids, "files": file_count, "method": batch.method,
                           "archives_deemed": deemed, "electronic_order": batch.electronic_order})
        transaction.on_commit(lambda: _files_remove(digests))
        return batch
