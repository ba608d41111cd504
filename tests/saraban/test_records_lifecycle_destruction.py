"""Destruction: survey, committee decisions, the National Archives' 60 days, and a destruction that
really removes files and text (also from backups made afterwards) while the register line stays."""

from __future__ import annotations

import base64
import datetime as dt
import io
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from govcommon.errors import ConflictError, PermissionDeniedError, ValidationError
from saraban.audit.models import AuditRecord
from saraban.correspondence import storage
from saraban.correspondence.models import Letter, LetterFile
from saraban.records.backup import backup_create, decrypt_chunks
from saraban.records.destruction import (
    Decision,
    destruction_archives_reply,
    destruction_archives_send,
    destruction_decide,
    destruction_electronic_order_record,
    destruction_execute,
    destruction_survey_run,
)
from saraban.records.models import DestructionBatch, DestructionItem, LetterIndex, StorageRecord
from saraban.records.printing import destruction_certificate_pdf, destruction_list_pdf
from saraban.records.retention import Member, destruction_batch_create, letter_store
from saraban.records.services import letter_index
from saraban.records.textwords import text_words
from tests.saraban.conftest import Cast
from tests.saraban.test_records_lifecycle_storage import pdf_text

COMMITTEE = [Member("นายประธาน กรรมการ", "ผู้อำนวยการกองกลาง", is_chair=True),
             Member("นางสมใจ ตรวจดี", "นักจัดการงานทั่วไปชำนาญการ"),
             Member("นายสมชาย รักษ์เอกสาร", "เจ้าพนักงานธุรการชำนาญงาน")]
YEAR_BE = timezone.localdate().year + 543


def stored(cast: Cast, *, content: bytes | None = None, source: str = Letter.Source.PAPER,
           year: int = 2010) -> StorageRecord:
    letter = Letter.objects.create(direction="in", source=source, subject="ขอเชิญประชุมประจำเดือน",
                                   body="ข้อความลับเฉพาะเรื่องงบประมาณ", owner_unit=cast.central.unit,
                                   letter_date=dt.date(year, 1, 15), reference_no="ดศ 0101/9")
    if content is not None:
        sha, size = storage.store_bytes(content)
        LetterFile.objects.create(letter=letter, role=LetterFile.Role.ORIGINAL, name="a.pdf",
                                  mime_type="application/octet-stream", size=size, sha256=sha)
    letter_index(letter=letter)
    return letter_store(actor=cast.clerk, letter=letter, retention=1, file_code="กก.1")


def batch_for(cast: Cast, *records: StorageRecord) -> DestructionBatch:
    return destruction_batch_create(actor=cast.clerk, year_be=YEAR_BE, appointing_order="คำสั่งกรม ที่ 5/2569",
                                    committee=COMMITTEE, letters=[r.letter for r in records])


def through_archives(cast: Cast, batch: DestructionBatch, *, keep: list[int] | None = None) -> DestructionBatch:
    batch = destruction_decide(actor=cast.clerk, batch=batch, decisions=[
        Decision(item.pk, destroy=True) for item in batch.items.all()])
    batch = destruction_archives_send(actor=cast.clerk, batch=batch, sent_on=timezone.localdate())
    return destruction_archives_reply(actor=cast.clerk, batch=batch, replied_on=timezone.localdate(),
                                      keep_item_ids=keep or [])


def test_it_refuses_a_committee_of_two_in_the_workflow(cast: Cast) -> None:
    record = stored(cast)
    with pytest.raises(ValidationError, match="อย่างน้อย 2 คน"):
        destruction_batch_create(actor=cast.clerk, year_be=YEAR_BE, appointing_order="คำสั่งที่ 1",
                                 committee=COMMITTEE[:2], letters=[record.letter])
    with pytest.raises(PermissionDeniedError):
        destruction_batch_create(actor=cast.officer, year_be=YEAR_BE, appointing_order="คำสั่งที่ 1",
                                 committee=COMMITTEE, letters=[record.letter])
    assert not DestructionBatch.objects.exists() and not DestructionItem.objects.exists()


def test_it_surveys_letters_past_retention_and_audits_the_survey(cast: Cast) -> None:
    old, permanent = stored(cast), stored(cast)
    StorageRecord.objects.filter(pk=permanent.pk).update(keep_until_be=None)
    recent = stored(cast, year=timezone.localdate().year)
    survey = destruction_survey_run(actor=cast.clerk, today=dt.date(2026, 1, 20))
    assert [r.pk for r in survey.records] == [old.pk] and not survey.late and survey.deadline == dt.date(2026, 3, 1)
    assert recent.pk not in [r.pk for r in survey.records]
    assert AuditRecord.objects.filter(action="records.destruction_surveyed").count() == 1
    out = io.StringIO()
    call_command("destruction_survey", "--today", "2026-03-05", stdout=out)
    assert "เกินกำหนด" in out.getvalue() and "ขอเชิญประชุมประจำเดือน" in out.getvalue()
    batch_for(cast, old)
    assert destruction_survey_run(actor=cast.clerk, today=dt.date(2026, 1, 20)).records == []


def test_it_extends_retention_for_items_the_committee_keeps(cast: Cast) -> None:
    keep, destroy = stored(cast), stored(cast)
    batch = batch_for(cast, keep, destroy)
    items = {i.record_id: i for i in batch.items.all()}
    with pytest.raises(ValidationError, match="ทุกรายการ"):
        destruction_decide(actor=cast.clerk, batch=batch, decisions=[Decision(items[keep.pk].pk, destroy=True)])
    with pytest.raises(ValidationError, match="จำนวนปี"):
        destruction_decide(actor=cast.clerk, batch=batch, decisions=[
            Decision(items[keep.pk].pk, destroy=False), Decision(items[destroy.pk].pk, destroy=True)])
    destruction_decide(actor=cast.clerk, batch=batch, decisions=[
        Decision(items[keep.pk].pk, destroy=False, extend_years=5), Decision(items[destroy.pk].pk, destroy=True)])
    keep.refresh_from_db()
    assert keep.keep_until_be == 2554 + 5 and keep.status == StorageRecord.Status.STORED


def test_it_waits_60_days_for_the_archives_then_deems_agreement(cast: Cast) -> None:
    record = stored(cast)
    batch = batch_for(cast, record)
    with pytest.raises(ConflictError):
        destruction_execute(actor=cast.clerk, batch=batch, method="เผา")
    batch = destruction_decide(actor=cast.clerk, batch=batch, decisions=[Decision(batch.items.get().pk, True)])
    sent = timezone.localdate() - dt.timedelta(days=59)
    batch = destruction_archives_send(actor=cast.clerk, batch=batch, sent_on=sent)
    with pytest.raises(ConflictError, match="60 วัน"):
        destruction_execute(actor=cast.clerk, batch=batch, method="เผา")
    batch = destruction_execute(actor=cast.clerk, batch=batch, method="เผา", today=sent + dt.timedelta(days=60))
    assert batch.status == DestructionBatch.Status.DESTROYED and batch.archives_deemed


def test_it_sets_aside_items_the_archives_want_kept(cast: Cast) -> None:
    wanted, other = stored(cast, content=b"wanted file"), stored(cast, content=b"other file")
    batch = batch_for(cast, wanted, other)
    wanted_item = batch.items.get(record=wanted)
    through_archives(cast, batch, keep=[wanted_item.pk])
    destruction_execute(actor=cast.clerk, batch=batch, method="ย่อยทำลาย")
    wanted.refresh_from_db()
    other.refresh_from_db()
    assert wanted.status == StorageRecord.Status.STORED and "กรมศิลปากรขอเก็บ" in wanted.remarks
    assert wanted.letter.files.count() == 1 and other.status == StorageRecord.Status.DESTROYED


def test_it_destroys_electronic_letters_only_by_the_heads_order(cast: Cast) -> None:
    young = stored(cast, source=Letter.Source.HUB, year=timezone.localdate().year - 5)
    with pytest.raises(ValidationError, match="ไม่เกิน 10 ปี"):
        batch_for(cast, young)
    old = stored(cast, source=Letter.Source.HUB)
    batch = through_archives(cast, batch_for(cast, old))
    with pytest.raises(ValidationError, match="คำสั่งหัวหน้าส่วนราชการ"):
        destruction_execute(actor=cast.clerk, batch=batch, method="ลบข้อมูล")
    destruction_electronic_order_record(actor=cast.clerk, batch=batch, order="คำสั่งกรม ที่ 9/2569",
                                        head="อธิบดี", ordered_on=timezone.localdate())
    assert destruction_execute(actor=cast.clerk, batch=batch, method="ลบข้อมูล").electronic_order


@pytest.mark.django_db(transaction=True)
def test_it_removes_files_and_text_from_storage_and_later_backups(
        cast: Cast, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN a stored letter with a file whose digest another letter shares, and one with its own file
    WHEN the batch is destroyed THEN the own file is gone from disk and from a backup made afterwards,
    the shared file stays, body and indexed text are blank, the register line stays and a certificate exists."""
    own = stored(cast, content=b"%PDF-1.4 destroy me " + bytes(range(40)))
    shared = stored(cast, content=b"%PDF-1.4 shared content")
    keeper = Letter.objects.create(direction="in", subject="ฉบับที่ยังเก็บ", owner_unit=cast.central.unit)
    shared_sha = shared.letter.files.get().sha256
    LetterFile.objects.create(letter=keeper, role=LetterFile.Role.ORIGINAL, name="b.pdf",
                              mime_type="application/pdf", size=1, sha256=shared_sha)
    own_sha = own.letter.files.get().sha256
    batch = through_archives(cast, batch_for(cast, own, shared))
    batch = destruction_execute(actor=cast.clerk, batch=batch, method="ลบไฟล์และข้อมูลออกจากระบบ")

    assert not storage.path_for(own_sha).exists() and storage.path_for(shared_sha).exists()
    own.refresh_from_db()
    assert own.status == StorageRecord.Status.DESTROYED and own.letter.subject == "ขอเชิญประชุมประจำเดือน"
    assert own.letter.body == "" and not own.letter.files.exists()
    index = LetterIndex.objects.get(letter=own.letter)
    assert "งบประมาณ" not in index.text and index.content_text == ""
    if connection.vendor == "postgresql":  # the word index (records.textwords) forgets the content too
        with connection.cursor() as cur:
            cur.execute("SELECT words FROM records_letterindex WHERE letter_id = %s", [own.letter_id])
            assert cur.fetchone() == (text_words(index.text),)
    assert AuditRecord.objects.filter(action="records.destroyed", object_id=str(batch.pk)).exists()

    key = base64.b64encode(bytes(range(32))).decode()
    monkeypatch.setenv("SARABAN_BACKUP_KEY", key)
    folder = backup_create(out=tmp_path / "backups", key=bytes(range(32)))
    tar_bytes = b"".join(decrypt_chunks(folder / "files.tar.enc", bytes(range(32)), "files.tar.enc"))
    with tarfile.open(fileobj=io.BytesIO(tar_bytes)) as tar:
        names = [Path(n).name for n in tar.getnames()]
    assert own_sha not in names and shared_sha in names
    if connection.vendor == "sqlite":  # pg_dump -Fc compresses: nothing to grep
        db_name = next(p for p in folder.iterdir() if p.name.startswith("database."))
        db_bytes = b"".join(decrypt_chunks(db_name, bytes(range(32)), db_name.name))
        assert own_sha.encode() not in db_bytes
        assert "ข้อความลับเฉพาะเรื่องงบประมาณ".encode() not in db_bytes

    text = pdf_text(destruction_certificate_pdf(batch=batch, profile=cast.profile), tmp_path)
    assert "หนังสือรับรองการทำลายหนังสือ" in text and "ลบไฟล์และข้อมูลออกจากระบบ" in text
    text = pdf_text(destruction_list_pdf(batch=batch, profile=cast.profile), tmp_path)
    assert "บัญชีหนังสือขอทำลาย" in text and "แบบที่ 25" in text and "ประธานกรรมการ" in text
