"""Pages of the records life cycle: storage, loans, destruction, 20-year lists, deposit lists. Each view authorises
(``rules``), parses the form, calls one service and renders or redirects; PDFs come from ``printing``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govcommon.errors import ValidationError
from saraban.accounts.models import OrgUnit, User
from saraban.correspondence.models import Letter
from saraban.records import deposit, destruction, loans, printing, rules, twenty
from saraban.records.models import (
    DepositList,
    DestructionBatch,
    Loan,
    StorageRecord,
    StorageTransfer,
    TwentyYearList,
)
from saraban.records.retention import (
    Member,
    TransferLine,
    destruction_batch_create,
    retention_classes,
    retention_default,
    storage_transfer_accept,
    storage_transfer_create,
)
from saraban.web.services import agency_profile

_View = TypeVar("_View", bound=Callable[..., HttpResponse])


def _allowed(check: Callable[[User], bool], message: str) -> Callable[[_View], _View]:
    def decorator(view: _View) -> _View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            assert isinstance(user, User)
            if not check(user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)
        return wrapper  # type: ignore[return-value]
    return decorator


staff_only = _allowed(rules.is_records_staff, "เฉพาะเจ้าหน้าที่หน่วยเก็บ")
register_readers = _allowed(rules.can_read_register, "ท่านไม่มีสิทธิ์ดูทะเบียนหนังสือเก็บ")
open_right = _allowed(lambda u: u.is_active and u.can_open, "ท่านไม่มีสิทธิ์เปิดหนังสือ")


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


def _int(value: str | None, label: str) -> int:
    try:
        return int(value or "")
    except ValueError as exc:
        raise ValidationError(f"{label} ไม่ถูกต้อง", code="REC-400") from exc


def _date(value: str | None, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError as exc:
        raise ValidationError(f"กรุณาระบุ{label}", code="REC-400") from exc


# ---------------------------------------------------------------- storage

@register_readers
def storage_register_view(request: HttpRequest) -> HttpResponse:
    records = StorageRecord.objects.select_related("letter").order_by("stored_at", "id")
    if request.GET.get("format") == "pdf":
        return _pdf(printing.register_pdf(records=list(records), profile=agency_profile()), "storage-register")
    return render(request, "records/storage_register.html", {
        "records": records[:500], "pending": StorageTransfer.objects.filter(status=StorageTransfer.Status.SENT),
        "is_staff": rules.is_records_staff(_user(request))})


def _sendable(user: User, unit: OrgUnit) -> list[Letter]:
    return list(Letter.objects.filter(owner_unit=unit, storage__isnull=True, secrecy__lte=user.clearance)
                .exclude(pk__in=StorageTransfer.objects.filter(status=StorageTransfer.Status.SENT)
                         .values("items__letter_id")).order_by("-letter_date", "-id")[:200])


@login_required
def storage_send_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    units = rules.sending_units(user)
    if not units:
        raise PermissionDenied("ท่านไม่มีสิทธิ์ส่งเก็บหนังสือ")
    unit_id = request.POST.get("unit") or request.GET.get("unit") or str(units[0].pk)
    unit = next((u for u in units if str(u.pk) == unit_id), None)
    if unit is None:
        raise PermissionDenied("ท่านไม่มีสิทธิ์ส่งเก็บหนังสือของหน่วยงานนี้")
    letters = _sendable(user, unit)
    if request.method == "POST":
        by_id = {str(x.pk): x for x in letters}
        lines = []
        for letter_id in request.POST.getlist("letter"):
            if letter_id not in by_id:
                raise ValidationError("หนังสือที่เลือกส่งเก็บไม่ได้", code="REC-400")
            lines.append(TransferLine(by_id[letter_id], retention=_int(request.POST.get(f"retention_{letter_id}"),
                                                                       "อายุการเก็บ"),
                                      file_code=request.POST.get(f"file_code_{letter_id}", "")))
        transfer = storage_transfer_create(actor=user, unit=unit, lines=lines)
        return redirect("records-transfer", pk=transfer.pk)
    return render(request, "records/storage_send.html", {
        "units": units, "unit": unit, "letters": letters, "classes": retention_classes(),
        "default": retention_default()})


def _transfer_for(user: User, pk: int) -> StorageTransfer:
    transfer = get_object_or_404(StorageTransfer.objects.select_related("unit", "sent_by", "accepted_by"), pk=pk)
    if not (rules.can_read_register(user) or transfer.unit in rules.sending_units(user)):
        raise PermissionDenied("ท่านไม่มีสิทธิ์ดูบัญชีนี้")
    return transfer


@login_required
def transfer_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    transfer = _transfer_for(user, pk)
    if request.GET.get("format") == "pdf":
        return _pdf(printing.transfer_pdf(transfer=transfer, profile=agency_profile()), f"transfer-{pk}")
    return render(request, "records/transfer.html", {
        "transfer": transfer, "items": transfer.items.select_related("letter"),
        "can_accept": rules.is_records_staff(user) and transfer.status == StorageTransfer.Status.SENT})


@require_POST
@staff_only
def transfer_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = get_object_or_404(StorageTransfer, pk=pk)
    storage_transfer_accept(actor=_user(request), transfer=transfer)
    return redirect("records-transfer", pk=pk)


# ---------------------------------------------------------------- loans

@open_right
def loans_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    sees_all = rules.can_read_register(user) or rules.is_division_head(user)
    qs = Loan.objects.select_related("record__letter").order_by("due_date", "id")
    if not sees_all:
        qs = qs.filter(requested_by=user)
    if request.GET.get("format") == "pdf":
        return _pdf(printing.loans_pdf(loans=list(qs), profile=agency_profile()), "loan-cards")
    today = timezone.localdate()
    return render(request, "records/loans.html", {
        "loans": qs[:500], "today": today, "is_staff": rules.is_records_staff(user),
        "overdue": set(loans.loans_overdue(today=today).values_list("pk", flat=True))})


@open_right
def loan_request_view(request: HttpRequest, record_pk: int) -> HttpResponse:
    user = _user(request)
    record = get_object_or_404(StorageRecord.objects.select_related("letter"), pk=record_pk,
                               letter__secrecy__lte=user.clearance)
    if request.method == "POST":
        outsider = None
        if request.POST.get("outsider_name", "").strip():
            outsider = loans.Outsider(request.POST["outsider_name"], request.POST.get("outsider_org", ""))
        due = request.POST.get("due_date")
        loans.loan_request(actor=user, record=record, purpose=request.POST.get("purpose", ""),
                           due_date=_date(due, "กำหนดส่งคืน") if due else None, outsider=outsider)
        return redirect("records-loans")
    return render(request, "records/loan_request.html", {
        "record": record, "is_staff": rules.is_records_staff(user),
        "due": timezone.localdate() + dt.timedelta(days=7)})


@require_POST
@open_right
def loan_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    loan = get_object_or_404(Loan, pk=pk)
    if not loans.can_decide(_user(request), loan):
        raise PermissionDenied("ท่านไม่ใช่ผู้อนุมัติคำขอนี้")
    loans.loan_decide(actor=_user(request), loan=loan, approve=request.POST.get("approve") == "1",
                      received_by=request.POST.get("received_by", ""), note=request.POST.get("note", ""))
    return redirect("records-loans")


@require_POST
@staff_only
def loan_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    loans.loan_return(actor=_user(request), loan=get_object_or_404(Loan, pk=pk),
                      returned_by=request.POST.get("returned_by", ""))
    return redirect("records-loans")


# ---------------------------------------------------------------- destruction

@staff_only
def destruction_view(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    year_be = today.year - 1 + 543
    return render(request, "records/destruction.html", {
        "year_be": year_be, "deadline": destruction.survey_deadline(year_be),
        "candidates": destruction.destruction_candidates(year_be=year_be)[:500],
        "batches": DestructionBatch.objects.all()[:100]})


@require_POST
@staff_only
def destruction_create_view(request: HttpRequest) -> HttpResponse:
    records = StorageRecord.objects.filter(pk__in=[_int(x, "รายการ") for x in request.POST.getlist("record")])
    committee = [Member(request.POST.get("chair", ""), request.POST.get("chair_position", ""), is_chair=True)]
    for name, position in zip(request.POST.getlist("member"), request.POST.getlist("member_position"), strict=False):
        if name.strip():
            committee.append(Member(name, position))
    batch = destruction_batch_create(actor=_user(request), year_be=_int(request.POST.get("year_be"), "ปี"),
                                     appointing_order=request.POST.get("appointing_order", ""),
                                     committee=committee, letters=[r.letter for r in records])
    return redirect("records-destruction-batch", pk=batch.pk)


@staff_only
def destruction_batch_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(DestructionBatch, pk=pk)
    fmt = request.GET.get("format")
    if fmt == "pdf":
        return _pdf(printing.destruction_list_pdf(batch=batch, profile=agency_profile()), f"destruction-{pk}")
    if fmt == "certificate":
        if batch.status != DestructionBatch.Status.DESTROYED:
            raise PermissionDenied("ยังไม่ได้ทำลาย")
        return _pdf(printing.destruction_certificate_pdf(batch=batch, profile=agency_profile()),
                    f"destruction-certificate-{pk}")
    return render(request, "records/destruction_batch.html", {
        "batch": batch, "items": batch.items.select_related("record__letter"), "committee": batch.committee.all(),
        "deadline": destruction.archives_deadline(batch), "today": timezone.localdate(), "S": DestructionBatch.Status})


@require_POST
@staff_only
def destruction_step_view(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    batch = get_object_or_404(DestructionBatch, pk=pk)
    actor, post = _user(request), request.POST
    if step == "decide":
        decisions = []
        for item in batch.items.all():
            choice = post.get(f"decision_{item.pk}", "")
            extend = post.get(f"extend_{item.pk}", "")
            decisions.append(destruction.Decision(item.pk, destroy=choice == "destroy",
                                                  extend_years=_int(extend, "จำนวนปี") if extend else None,
                                                  remarks=post.get(f"remarks_{item.pk}", "")))
        destruction.destruction_decide(actor=actor, batch=batch, decisions=decisions)
    elif step == "send":
        destruction.destruction_archives_send(actor=actor, batch=batch, sent_on=_date(post.get("sent_on"), "วันที่ส่ง"))
    elif step == "reply":
        destruction.destruction_archives_reply(actor=actor, batch=batch, replied_on=_date(post.get("replied_on"),
                                                                                          "วันที่ตอบ"),
                                               keep_item_ids=[_int(x, "รายการ") for x in post.getlist("keep")])
    elif step == "order":
        destruction.destruction_electronic_order_record(actor=actor, batch=batch, order=post.get("order", ""),
                                                        head=post.get("head", ""),
                                                        ordered_on=_date(post.get("ordered_on"), "วันที่คำสั่ง"))
    elif step == "destroy":
        destruction.destruction_execute(actor=actor, batch=batch, method=post.get("method", ""))
    else:
        return HttpResponse(status=404)
    return redirect("records-destruction-batch", pk=pk)


# ---------------------------------------------------------------- 20-year lists

@staff_only
def twenty_view(request: HttpRequest) -> HttpResponse:
    year_be = timezone.localdate().year - 1 + 543
    if request.method == "POST":
        chosen = {_int(x, "รายการ") for x in request.POST.getlist("record")}
        records = StorageRecord.objects.filter(pk__in=chosen)
        listing = twenty.twenty_year_list_create(
            actor=_user(request), kind=request.POST.get("kind", ""), year_be=year_be,
            lines=[twenty.ListLine(r, remarks=request.POST.get(f"remarks_{r.pk}", "")) for r in records])
        return redirect(f"{request.path}?list={listing.pk}")
    return render(request, "records/twenty.html", {
        "year_be": year_be, "candidates": twenty.twenty_year_candidates(year_be=year_be)[:500],
        "lists": TwentyYearList.objects.all()[:100], "created": request.GET.get("list")})


@staff_only
def twenty_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(TwentyYearList, pk=pk)
    return _pdf(printing.twenty_year_pdf(listing=listing, profile=agency_profile()), f"twenty-{listing.kind}-{pk}")


# ---------------------------------------------------------------- deposit lists

@staff_only
def deposits_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        chosen = {_int(x, "รายการ") for x in request.POST.getlist("record")}
        records = StorageRecord.objects.filter(pk__in=chosen).select_related("letter")
        listing = deposit.deposit_list_create(
            actor=_user(request), depositor_name=request.POST.get("depositor_name", ""),
            depositor_position=request.POST.get("depositor_position", ""),
            lines=[deposit.DepositLine(r, remarks=request.POST.get(f"remarks_{r.pk}", "")) for r in records])
        return redirect(f"{request.path}?list={listing.pk}")
    candidates = list(deposit.deposit_candidates()[:500])
    numbers = deposit.receive_numbers([r.letter_id for r in candidates])
    return render(request, "records/deposits.html", {
        "candidates": [(r, numbers.get(r.letter_id, "")) for r in candidates],
        "lists": DepositList.objects.all()[:100], "created": request.GET.get("list"),
        "depositor": _user(request).display_name})


@staff_only
def deposit_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    listing = get_object_or_404(DepositList, pk=pk)
    return _pdf(printing.deposit_list_pdf(deposit=listing, profile=agency_profile()), f"deposit-{pk}")
