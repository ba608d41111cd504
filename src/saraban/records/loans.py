"""Borrowing stored letters (ข้อ 61–65) on the borrowing card (บัตรยืมหนังสือ, แบบที่ 24).

A loan is asked for with its official purpose and due date, approved (or refused) by the head of
the storage unit, handed out and returned through the storage unit; overdue loans are followed up
(``loans_remind``). Outsiders may only view or copy, approved by a division head or above.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from govcommon.errors import ConflictError, PermissionDeniedError, ValidationError
from saraban.accounts.models import User
from saraban.audit.services import audit_record
from saraban.records import rules
from saraban.records.models import Loan, StorageRecord

MAX_LOAN_DAYS = 365


@dataclass(frozen=True)
class Outsider:
    name: str
    organisation: str


def loan_request(*, actor: User, record: StorageRecord, purpose: str, due_date: dt.date | None = None,
                 outsider: Outsider | None = None) -> Loan:
    """Ask to borrow a stored letter; records staff enter an outsider's view/copy request."""
    purpose = purpose.strip()
    if not purpose:
        raise ValidationError("กรุณาระบุว่ายืมเพื่อใช้ในราชการเรื่องใด", code="LOAN-001")
    if record.status != StorageRecord.Status.STORED:
        raise ConflictError("หนังสือนี้ไม่อยู่ในความดูแลของหน่วยเก็บแล้ว", code="LOAN-002")
    if record.letter.secrecy > actor.clearance:
        raise PermissionDeniedError("หนังสือลับต้องปฏิบัติตามระเบียบว่าด้วยการรักษาความลับของทางราชการ",
                                    code="LOAN-403")
    today = timezone.localdate()
    if outsider is not None:
        if not rules.is_records_staff(actor):
            raise PermissionDeniedError("คำขอของบุคคลภายนอกบันทึกโดยเจ้าหน้าที่หน่วยเก็บ", code="LOAN-403")
        if not outsider.name.strip():
            raise ValidationError("กรุณาระบุชื่อผู้ขอ", code="LOAN-003")
        mode, due_date = Loan.Mode.VIEW_COPY, None  # outsiders never take the letter away
        name, position, unit = outsider.name.strip(), "", outsider.organisation.strip()
    else:
        if due_date is None or not today < due_date <= today + dt.timedelta(days=MAX_LOAN_DAYS):
            raise ValidationError("กำหนดส่งคืนต้องอยู่หลังวันนี้และไม่เกิน 1 ปี", code="LOAN-004")
        mode = Loan.Mode.LOAN
        membership = actor.memberships.select_related("unit").first()
        name, position = actor.display_name, actor.position
        unit = membership.unit.name if membership else ""
    with transaction.atomic():
        loan = Loan.objects.create(record=record, mode=mode, requested_by=actor, borrower_name=name[:200],
                                   borrower_position=position[:200], borrower_unit=unit[:255],
                                   purpose=purpose[:500], due_date=due_date, requested_at=timezone.now())
        audit_record(actor=actor, action="records.loan_requested", obj=loan,
                     summary=f"{loan.get_mode_display()}: {record.letter} โดย {name}",
                     data={"record": record.pk, "mode": mode, "due": due_date.isoformat() if due_date else None})
        return loan


def can_decide(user: User, loan: Loan) -> bool:
    if loan.mode == Loan.Mode.VIEW_COPY:
        return rules.is_division_head(user)
    return rules.is_storage_head(user)


def loan_decide(*, actor: User, loan: Loan, approve: bool, received_by: str = "", note: str = "") -> Loan:
    """Approve (the letter is handed out now; ผู้รับ signs the card) or refuse a request."""
    if not can_decide(actor, loan):
        raise PermissionDeniedError("ผู้อนุมัติคือหัวหน้าหน่วยเก็บ (การยืม) หรือหัวหน้ากองขึ้นไป (บุคคลภายนอก)",
                                    code="LOAN-403")
    if actor.pk == loan.requested_by_id and loan.mode == Loan.Mode.LOAN:
        raise PermissionDeniedError("ผู้ยืมอนุมัติคำขอของตนเองไม่ได้", code="LOAN-403")
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status != Loan.Status.REQUESTED:
            raise ConflictError("คำขอนี้พิจารณาแล้ว", code="LOAN-010")
        if approve and loan.mode == Loan.Mode.LOAN:
            if Loan.objects.filter(record_id=loan.record_id, status=Loan.Status.ON_LOAN).exists():
                raise ConflictError("หนังสือนี้มีผู้ยืมอยู่", code="LOAN-011")
            loan.status = Loan.Status.ON_LOAN
            loan.borrowed_on = timezone.localdate()
            loan.received_by = (received_by.strip() or loan.borrower_name)[:200]
        elif approve:
            loan.status = Loan.Status.VIEW_APPROVED
        else:
            loan.status = Loan.Status.REJECTED
        loan.decided_by, loan.decided_at, loan.decision_note = actor, timezone.now(), note.strip()[:500]
        loan.save()
        audit_record(actor=actor, action="records.loan_decided", obj=loan,
                     summary=f"{loan.get_status_display()}: {loan.borrower_name}", data={"approve": approve})
        return loan


def loan_return(*, actor: User, loan: Loan, returned_by: str = "") -> Loan:
    if not rules.is_records_staff(actor):
        raise PermissionDeniedError("การรับคืนบันทึกโดยเจ้าหน้าที่หน่วยเก็บ", code="LOAN-403")
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status != Loan.Status.ON_LOAN:
            raise ConflictError("หนังสือนี้ไม่ได้อยู่ระหว่างการยืม", code="LOAN-020")
        loan.status = Loan.Status.RETURNED
        loan.returned_on = timezone.localdate()
        loan.returned_by = (returned_by.strip() or loan.borrower_name)[:200]
        loan.save(update_fields=["status", "returned_on", "returned_by"])
        audit_record(actor=actor, action="records.loan_returned", obj=loan, summary=f"ส่งคืนโดย {loan.returned_by}")
        return loan


def loans_overdue(*, today: dt.date | None = None) -> QuerySet[Loan]:
    today = today or timezone.localdate()
    return (Loan.objects.filter(status=Loan.Status.ON_LOAN, due_date__lt=today)
            .select_related("record__letter", "requested_by").order_by("due_date", "id"))


def loans_remind(*, today: dt.date | None = None) -> int:
    """E-mail each borrower of an overdue loan (at most once a day) and audit the follow-up."""
    today = today or timezone.localdate()
    sent = 0
    for loan in loans_overdue(today=today):
        if loan.reminded_on and loan.reminded_on >= today:
            continue
        with transaction.atomic():
            Loan.objects.filter(pk=loan.pk).update(reminded_on=today)
            audit_record(actor=None, action="records.loan_reminded", obj=loan,
                         summary=f"ทวงถามหนังสือยืมเกินกำหนด {loan.borrower_name}",
                         data={"due": loan.due_date.isoformat() if loan.due_date else None})
            email = loan.requested_by.email
            if email:
                subject = f"ขอให้ส่งคืนหนังสือที่ยืม: {loan.record.letter.subject}"[:200]
                body = (f"เรียน {loan.borrower_name}\n\nหนังสือ {loan.record.letter} (รหัสแฟ้ม {loan.record.file_code})"
                        f" ที่ท่านยืมเมื่อ {loan.borrowed_on} ครบกำหนดส่งคืนเมื่อ {loan.due_date}"
                        " ขอให้ส่งคืนหน่วยเก็บโดยเร็ว\n")
                transaction.on_commit(partial(send_mail, subject, body, settings.DEFAULT_FROM_EMAIL, [email]))
        sent += 1
    return sent
