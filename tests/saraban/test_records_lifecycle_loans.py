"""Borrowing cards (แบบที่ 24): purpose, approval by the storage unit head, return, overdue reminders,
outsiders view/copy only."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from govcommon.errors import ConflictError, PermissionDeniedError, ValidationError
from saraban.records.loans import Outsider, loan_decide, loan_request, loan_return, loans_overdue, loans_remind
from saraban.records.models import Loan, StorageRecord
from tests.saraban.conftest import Cast
from tests.saraban.test_records_lifecycle_destruction import stored

TODAY = timezone.localdate()


def test_it_lends_after_the_storage_heads_approval_and_takes_it_back(cast: Cast) -> None:
    record = stored(cast)
    loan = loan_request(actor=cast.officer, record=record, purpose="ประกอบการตรวจสอบของ สตง.",
                        due_date=TODAY + dt.timedelta(days=7))
    assert loan.status == Loan.Status.REQUESTED and loan.borrower_name == cast.officer.display_name
    for not_head in (cast.officer, cast.clerk, cast.unitclerk):
        with pytest.raises(PermissionDeniedError):
            loan_decide(actor=not_head, loan=loan, approve=True)
    loan = loan_decide(actor=cast.director, loan=loan, approve=True, received_by="นายวิชัย ตั้งใจ")
    assert loan.status == Loan.Status.ON_LOAN and loan.borrowed_on == TODAY
    second = loan_request(actor=cast.unitclerk, record=record, purpose="ค้นข้อมูล", due_date=TODAY + dt.timedelta(1))
    with pytest.raises(ConflictError, match="มีผู้ยืมอยู่"):
        loan_decide(actor=cast.director, loan=second, approve=True)
    with pytest.raises(PermissionDeniedError):
        loan_return(actor=cast.officer, loan=loan)
    loan = loan_return(actor=cast.clerk, loan=loan)
    assert loan.status == Loan.Status.RETURNED and loan.returned_on == TODAY
    with pytest.raises(ConflictError):
        loan_return(actor=cast.clerk, loan=loan)


def test_it_refuses_a_request_without_purpose_or_due_date(cast: Cast) -> None:
    record = stored(cast)
    with pytest.raises(ValidationError, match="ราชการเรื่องใด"):
        loan_request(actor=cast.officer, record=record, purpose="  ", due_date=TODAY + dt.timedelta(1))
    for due in (None, TODAY, TODAY + dt.timedelta(days=400)):
        with pytest.raises(ValidationError, match="กำหนดส่งคืน"):
            loan_request(actor=cast.officer, record=record, purpose="ตรวจสอบ", due_date=due)
    StorageRecord.objects.filter(pk=record.pk).update(status=StorageRecord.Status.DESTROYED)
    record.refresh_from_db()
    with pytest.raises(ConflictError):
        loan_request(actor=cast.officer, record=record, purpose="ตรวจสอบ", due_date=TODAY + dt.timedelta(1))
    assert not Loan.objects.exists()


def test_it_lets_outsiders_only_view_or_copy_with_a_division_heads_approval(cast: Cast) -> None:
    record = stored(cast)
    with pytest.raises(PermissionDeniedError):
        loan_request(actor=cast.officer, record=record, purpose="ศึกษาวิจัย",
                     outsider=Outsider("นายภายนอก", "มหาวิทยาลัย"))
    loan = loan_request(actor=cast.clerk, record=record, purpose="ศึกษาวิจัย",
                        due_date=TODAY + dt.timedelta(days=3), outsider=Outsider("นายภายนอก", "มหาวิทยาลัย"))
    assert loan.mode == Loan.Mode.VIEW_COPY and loan.due_date is None
    with pytest.raises(PermissionDeniedError):
        loan_decide(actor=cast.clerk, loan=loan, approve=True)
    loan = loan_decide(actor=cast.director, loan=loan, approve=True)
    assert loan.status == Loan.Status.VIEW_APPROVED and loan.borrowed_on is None


def test_it_reminds_overdue_borrowers_once_a_day(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    record = stored(cast)
    loan = loan_request(actor=cast.officer, record=record, purpose="ตรวจสอบ", due_date=TODAY + dt.timedelta(days=2))
    loan_decide(actor=cast.director, loan=loan, approve=True)
    assert loans_remind() == 0
    later = TODAY + dt.timedelta(days=3)
    assert list(loans_overdue(today=later)) == [loan]
    with django_capture_on_commit_callbacks(execute=True):
        assert loans_remind(today=later) == 1
    assert loans_remind(today=later) == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [cast.officer.email]
    out = io.StringIO()
    call_command("loans_remind", stdout=out)
    assert "ทวงถาม 0 รายการ" in out.getvalue()
