"""Records pages: storage, loans, destruction and 20-year lists, with 403/404 for users without the right."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from saraban.correspondence.models import Letter
from saraban.records.models import DestructionBatch, Loan, StorageRecord, StorageTransfer, TwentyYearList
from tests.saraban.conftest import Cast
from tests.saraban.test_records_lifecycle_destruction import stored
from tests.saraban.test_records_lifecycle_storage import unit_letter

PDF = b"%PDF"


def test_it_sends_letters_to_storage_and_the_storage_unit_accepts_them(cast: Cast, client_for: Any) -> None:
    letter = unit_letter(cast)
    unitclerk, clerk = client_for(cast.unitclerk), client_for(cast.clerk)
    page = unitclerk.get(reverse("records-storage-send"))
    assert page.status_code == 200 and letter.subject in page.content.decode()
    response = unitclerk.post(reverse("records-storage-send"), {
        "unit": letter.owner_unit_id, "letter": [letter.pk], f"retention_{letter.pk}": "5",
        f"file_code_{letter.pk}": "กค.2"})
    transfer = StorageTransfer.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("records-transfer", args=[transfer.pk])
    assert unitclerk.get(reverse("records-transfer", args=[transfer.pk]) + "?format=pdf").content.startswith(PDF)
    assert unitclerk.post(reverse("records-transfer-accept", args=[transfer.pk])).status_code == 403
    assert clerk.post(reverse("records-transfer-accept", args=[transfer.pk])).status_code == 302
    record = StorageRecord.objects.get()
    register = clerk.get(reverse("records-storage")).content.decode()
    assert "เก็บถึง พ.ศ. ๒๕๖๓" in register and letter.subject in register
    assert clerk.get(reverse("records-storage") + "?format=pdf").content.startswith(PDF)
    assert record.file_code == "กค.2"


def test_it_refuses_storage_pages_to_users_without_the_right(cast: Cast, client_for: Any) -> None:
    letter = unit_letter(cast)
    officer = client_for(cast.officer)
    assert officer.get(reverse("records-storage-send")).status_code == 403
    assert officer.get(reverse("records-storage")).status_code == 403
    assert client_for(cast.unitclerk).get(reverse("records-storage-send") + "?unit=99999").status_code == 403
    assert client_for(cast.clerk).get(reverse("records-transfer", args=[424242])).status_code == 404
    bad = client_for(cast.unitclerk).post(reverse("records-storage-send"), {
        "unit": letter.owner_unit_id, "letter": [letter.pk], f"retention_{letter.pk}": "7"})
    assert bad.status_code == 400 and not StorageTransfer.objects.exists()
    assert client_for(cast.clerk).get(reverse("records-destruction")).status_code == 200
    for name in ("records-destruction", "records-twenty"):
        assert officer.get(reverse(name)).status_code == 403
    assert client_for(cast.auditor).get(reverse("records-storage")).status_code == 200
    assert "ทะเบียนหนังสือเก็บ" not in officer.get("/").content.decode()


def test_it_requests_approves_and_highlights_overdue_loans(cast: Cast, client_for: Any) -> None:
    record = stored(cast)
    officer, director, clerk = client_for(cast.officer), client_for(cast.director), client_for(cast.clerk)
    url = reverse("records-loan-request", args=[record.pk])
    assert officer.post(url, {"purpose": "", "due_date": "2099-01-01"}).status_code == 400
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    assert officer.post(url, {"purpose": "ตรวจสอบข้อเท็จจริง", "due_date": due}).status_code == 302
    loan = Loan.objects.get()
    assert officer.post(reverse("records-loan-decide", args=[loan.pk]), {"approve": "1"}).status_code == 403
    assert director.post(reverse("records-loan-decide", args=[loan.pk]), {"approve": "1"}).status_code == 302
    Loan.objects.filter(pk=loan.pk).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    page = clerk.get(reverse("records-loans")).content.decode()
    assert "sb-overdue" in page and "เกินกำหนด" in page
    assert clerk.get(reverse("records-loans") + "?format=pdf").content.startswith(PDF)
    assert officer.post(reverse("records-loan-return", args=[loan.pk])).status_code == 403
    assert clerk.post(reverse("records-loan-return", args=[loan.pk])).status_code == 302
    assert clerk.get(reverse("records-loan-request", args=[999999])).status_code == 404
    Letter.objects.filter(pk=record.letter_id).update(secrecy=2)
    assert officer.get(url).status_code == 404  # a secret letter beyond the user's clearance does not exist for them


def test_it_runs_the_destruction_workflow_through_the_pages(cast: Cast, client_for: Any) -> None:
    record = stored(cast, content=b"to be destroyed by page")
    clerk = client_for(cast.clerk)
    page = clerk.get(reverse("records-destruction")).content.decode()
    assert record.letter.subject in page
    form = {"record": [record.pk], "year_be": "2570", "appointing_order": "คำสั่งที่ 3/2569",
            "chair": "นายประธาน", "chair_position": "ผู้อำนวยการ", "member": ["นางหนึ่ง"],
            "member_position": ["นักจัดการงานทั่วไป"]}
    assert clerk.post(reverse("records-destruction-create"), form).status_code == 400
    assert not DestructionBatch.objects.exists()
    form["member"], form["member_position"] = ["นางหนึ่ง", "นายสอง"], ["นักจัดการงานทั่วไป", "เจ้าพนักงานธุรการ"]
    assert client_for(cast.officer).post(reverse("records-destruction-create"), form).status_code == 403
    assert clerk.post(reverse("records-destruction-create"), form).status_code == 302
    batch = DestructionBatch.objects.get()
    item = batch.items.get()
    step = lambda s, data: clerk.post(reverse("records-destruction-step", args=[batch.pk, s]), data)  # noqa: E731
    assert step("decide", {f"decision_{item.pk}": "destroy"}).status_code == 302
    assert step("send", {"sent_on": timezone.localdate().isoformat()}).status_code == 302
    assert step("destroy", {"method": "ลบ"}).status_code == 409  # the Archives have 60 days
    assert step("reply", {"replied_on": timezone.localdate().isoformat()}).status_code == 302
    assert step("destroy", {"method": "ลบไฟล์"}).status_code == 302
    assert step("nonsense", {}).status_code == 404
    record.refresh_from_db()
    assert record.status == StorageRecord.Status.DESTROYED and not record.letter.files.exists()
    detail = reverse("records-destruction-batch", args=[batch.pk])
    assert clerk.get(detail + "?format=pdf").content.startswith(PDF)
    assert clerk.get(detail + "?format=certificate").content.startswith(PDF)
    assert client_for(cast.officer).get(detail).status_code == 403
    assert clerk.get(reverse("records-destruction-batch", args=[batch.pk + 1])).status_code == 404


@pytest.mark.parametrize("kind", ["transfer", "keep"])
def test_it_makes_20_year_lists_from_the_page(cast: Cast, client_for: Any, kind: str) -> None:
    record = stored(cast, year=2000)
    clerk = client_for(cast.clerk)
    assert record.letter.subject in clerk.get(reverse("records-twenty")).content.decode()
    assert clerk.post(reverse("records-twenty"), {"kind": kind, "record": []}).status_code == 400
    assert clerk.post(reverse("records-twenty"), {"kind": kind, "record": [record.pk]}).status_code == 302
    listing = TwentyYearList.objects.get()
    assert listing.kind == kind
    assert clerk.get(reverse("records-twenty-pdf", args=[listing.pk])).content.startswith(PDF)
    assert client_for(cast.officer).get(reverse("records-twenty-pdf", args=[listing.pk])).status_code == 403
    assert clerk.get(reverse("records-twenty-pdf", args=[listing.pk + 1])).status_code == 404
