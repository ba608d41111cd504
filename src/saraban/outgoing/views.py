"""Drafting and sending pages. Each view: authorise, parse the form, call one service, render or redirect.

Refusals a user can correct (a wrong password, a missing subject, a top-secret letter to the hub)
come back as form errors on the same page with status 400; nothing is changed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from govcommon.errors import AppError
from saraban.accounts.models import OrgUnit, User
from saraban.accounts.permissions import has_right, require_right
from saraban.correspondence import viewing
from saraban.correspondence.models import LetterFile
from saraban.correspondence.selectors import letters_visible_to, registries_for
from saraban.outgoing import selectors, services
from saraban.outgoing.forms import (
    EXTRA_FIELDS,
    CheckForm,
    DispatchForm,
    DraftForm,
    RecipientFormSet,
    ResolveForm,
    ReturnForm,
    ScanForm,
    SignForm,
    formset_recipients,
    recipients_initial,
)
from saraban.outgoing.models import Delivery, Draft


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _draft_for(request: HttpRequest, pk: int) -> Draft:
    """The draft if the user may open it; 404 otherwise, so its existence is not revealed."""
    return get_object_or_404(selectors.drafts_visible_to(_user(request)), pk=pk)


def _refusal(form: forms.Form, exc: AppError, *, default_field: str | None = None) -> None:
    """Put a service's refusal on the form: on the fields it names, else on one field or the form."""
    fields: dict[str, str] = exc.data.get("fields") or {}
    placed = False
    for name, message in fields.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(default_field if default_field in form.fields else None, exc.message)


def _owner_unit(user: User) -> OrgUnit:
    """Letters a user drafts belong to the unit of their (first) membership."""
    membership = user.memberships.select_related("unit").order_by("pk").first()
    if membership is None:
        raise PermissionDenied("ท่านยังไม่ได้สังกัดหน่วยงาน จึงจัดทำหนังสือไม่ได้")
    return membership.unit


@require_right("open")
def inbox_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "mine": selectors.drafts_mine(user)[:200],
        "to_check": selectors.drafts_to_check(user)[:200],
        "to_sign": selectors.drafts_to_sign(user)[:200],
        "to_dispatch": selectors.drafts_to_dispatch(user)[:200],
        "sent": selectors.drafts_sent(user)[:50],
        "problems": selectors.deliveries_problem(user).count() if has_right(user, "send") else 0,
    }
    return render(request, "outgoing/inbox.html", context)


def _draft_form_page(request: HttpRequest, *, draft: Draft | None, scan: bool) -> HttpResponse:
    user = _user(request)
    form_class = ScanForm if scan else DraftForm
    initial = DraftForm.initial_for(draft) if draft else {}
    form = form_class(request.POST or None, request.FILES or None, user=user, initial=initial)
    formset = RecipientFormSet(request.POST or None, prefix="rcpt",
                               initial=recipients_initial(draft) if draft else None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.draft_input(formset_recipients(formset))
        try:
            if draft is not None:
                saved = services.draft_update(actor=user, draft=draft, data=data)
            elif isinstance(form, ScanForm):
                saved = services.draft_scan_create(actor=user, owner_unit=_owner_unit(user), data=data,
                                                   pdf=form.cleaned_data["document"].data)
            else:
                saved = services.draft_create(actor=user, owner_unit=_owner_unit(user), data=data)
        except services.TopSecretElectronicError as exc:
            form.add_error("secrecy", exc.message)
        except AppError as exc:
            if exc.http_status != 400:
                raise
            _refusal(form, exc)
        else:
            messages.success(request, "บันทึกร่างหนังสือแล้ว")
            return redirect("out-draft-detail", pk=saved.pk)
    context = {"form": form, "formset": formset, "draft": draft, "scan": scan,
               "extra_names": [k for k, _ in EXTRA_FIELDS]}
    return render(request, "outgoing/draft_form.html", context, status=400 if form.errors else 200)


@require_right("send")
def draft_create_view(request: HttpRequest) -> HttpResponse:
    return _draft_form_page(request, draft=None, scan=False)


@require_right("send")
def draft_scan_view(request: HttpRequest) -> HttpResponse:
    return _draft_form_page(request, draft=None, scan=True)


@require_right("open")
def draft_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    draft = _draft_for(request, pk)
    editable = (draft.drafter_id == user.pk and draft.state in (Draft.State.DRAFT, Draft.State.RETURNED)) or (
        selectors.can_check(user, draft))
    if not editable:
        raise PermissionDenied("แก้ไขได้เฉพาะผู้ร่างเมื่อเป็นร่างหรือถูกส่งกลับ หรือผู้ตรวจระหว่างตรวจ")
    return _draft_form_page(request, draft=draft, scan=False)


def _detail(request: HttpRequest, draft: Draft, *, status: int = 200, **forms_: forms.Form) -> HttpResponse:
    user = _user(request)
    if request.method == "GET":
        viewing.letter_page_viewed(viewer=user, letter=draft.letter)
    context: dict[str, Any] = {
        "draft": draft,
        "letter": draft.letter,
        "steps": draft.steps.select_related("actor"),
        "recipients": draft.recipients.all(),
        "deliveries": Delivery.objects.filter(letter_id=draft.letter_id)
        if draft.state == Draft.State.DISPATCHED else None,
        "files": draft.letter.files.all(),
        "entries": draft.letter.entries.select_related("registry"),
        "can_edit": (draft.drafter_id == user.pk and draft.state in (Draft.State.DRAFT, Draft.State.RETURNED))
        or selectors.can_check(user, draft),
        "can_submit": draft.drafter_id == user.pk and draft.state in (Draft.State.DRAFT, Draft.State.RETURNED),
        "can_check": selectors.can_check(user, draft),
        "can_sign": draft.state == Draft.State.SIGNING and draft.signer_id == user.pk,
        "can_dispatch": has_right(user, "send") and selectors.can_dispatch(user, draft),
        "return_form": forms_.get("return_form") or ReturnForm(),
        "check_form": forms_.get("check_form") or CheckForm(signers=selectors.signers()),
        "sign_form": forms_.get("sign_form") or SignForm(),
        "resolve_form": ResolveForm(),
    }
    return render(request, "outgoing/draft_detail.html", context, status=status)


@require_right("open")
def draft_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _draft_for(request, pk))


@require_right("open")
def draft_preview_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as it stands: the scan, the signed or issued file once there is one, else rendered now."""
    draft = _draft_for(request, pk)
    roles: list[str] = [LetterFile.Role.SIGNED, LetterFile.Role.RENDERED, LetterFile.Role.ORIGINAL]
    stored = sorted(draft.letter.files.filter(role__in=roles), key=lambda f: (roles.index(f.role), -f.pk))
    download = bool(request.GET.get("download"))
    user = _user(request)
    if stored:
        stored[0].letter = draft.letter
        served = viewing.letter_file_serve(viewer=user, file=stored[0], download=download)
    else:
        name = f"{draft.letter.reference_no or 'draft'}.pdf".replace("/", "-")
        served = viewing.rendered_serve(viewer=user, letter=draft.letter, data=services.draft_pdf(draft), name=name,
                                        download=download)
    return viewing.response_for(served, download=download)


@require_right("open")
def draft_file_view(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    draft = _draft_for(request, pk)
    file = get_object_or_404(LetterFile, pk=file_id, letter_id=draft.letter_id)
    file.letter = draft.letter
    download = bool(request.GET.get("download"))
    served = viewing.letter_file_serve(viewer=_user(request), file=file, download=download)
    return viewing.response_for(served, download=download)


@require_POST
@require_right("send")
def draft_submit_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    draft = _draft_for(request, pk)
    if draft.drafter_id != user.pk:
        raise PermissionDenied("เสนอได้เฉพาะผู้ร่าง")
    services.draft_submit(actor=user, draft=draft)
    messages.success(request, "เสนอร่างหนังสือให้ตรวจแล้ว")
    return redirect("out-draft-detail", pk=draft.pk)


@require_POST
@require_right("open")
def draft_return_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    draft = _draft_for(request, pk)
    if not (selectors.can_check(user, draft) or (draft.state == Draft.State.SIGNING and draft.signer_id == user.pk)):
        raise PermissionDenied("ส่งกลับได้เฉพาะผู้ตรวจหรือผู้ลงนาม")
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _detail(request, draft, status=400, return_form=form)
    services.draft_return(actor=user, draft=draft, comment=form.cleaned_data["comment"])
    messages.success(request, "ส่งกลับให้ผู้ร่างแก้ไขแล้ว")
    return redirect("out-inbox")


@require_POST
@require_right("open")
def draft_check_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    draft = _draft_for(request, pk)
    if not selectors.can_check(user, draft):
        raise PermissionDenied("ท่านไม่ใช่ผู้ตรวจหนังสือฉบับนี้")
    form = CheckForm(request.POST, signers=selectors.signers())
    if not form.is_valid():
        return _detail(request, draft, status=400, check_form=form)
    services.draft_check(actor=user, draft=draft, signer=form.cleaned_data["signer"])
    messages.success(request, "ตรวจแล้ว เสนอผู้ลงนาม")
    return redirect("out-inbox")


@require_POST
@require_right("open")
def draft_sign_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    draft = _draft_for(request, pk)
    if draft.signer_id != user.pk:
        raise PermissionDenied("ท่านไม่ใช่ผู้ลงนามหนังสือฉบับนี้")
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            services.draft_sign(actor=user, draft=draft, password=form.cleaned_data["password"])
        except services.WrongPasswordError as exc:
            form.add_error("password", exc.message)
        else:
            messages.success(request, "ลงนามแล้ว")
            return redirect("out-draft-detail", pk=draft.pk)
    return _detail(request, draft, status=400, sign_form=form)


@require_right("send")
def letter_dispatch_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk's guided dispatch: what will happen (series, register, next number, channel per
    recipient), then number, register and queue every delivery in one action."""
    user = _user(request)
    draft = _draft_for(request, pk)
    if not selectors.can_dispatch(user, draft):
        raise PermissionDenied("หนังสือนี้ยังไม่พร้อมส่ง หรือท่านไม่ได้ดูแลทะเบียนส่งของหน่วยงานเจ้าของเรื่อง")
    registries = registries_for(user)
    form = DispatchForm(request.POST or None, registries=registries)
    formset = RecipientFormSet(request.POST or None, prefix="rcpt", initial=recipients_initial(draft))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        recipients = list(formset_recipients(formset))
        try:
            services.letter_dispatch(actor=user, draft=draft, registry=form.cleaned_data["registry"],
                                     recipients=recipients)
        except AppError as exc:
            if exc.http_status != 400:
                raise
            form.add_error(None, exc.message)
        else:
            draft.letter.refresh_from_db()
            messages.success(request, f"ส่งหนังสือแล้ว ที่ {draft.letter.reference_no}")
            return redirect("out-draft-detail", pk=draft.pk)
    year = timezone.localdate().year
    previews = [(r, *selectors.number_preview(registry=r, draft=draft, year=year)) for r in registries]
    context = {"draft": draft, "letter": draft.letter, "form": form, "formset": formset, "previews": previews,
               "year_be": year + 543}
    return render(request, "outgoing/dispatch.html", context, status=400 if form.errors else 200)


@require_right("send")
def problems_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    problems = selectors.deliveries_problem(user).prefetch_related("letter__draft")
    return render(request, "outgoing/problems.html", {"problems": problems[:500], "resolve_form": ResolveForm()})


@require_POST
@require_right("send")
def delivery_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    delivery = get_object_or_404(Delivery.objects.filter(letter__in=letters_visible_to(user)), pk=pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "กรุณาระบุการจัดการ")
        return redirect("out-problems")
    services.delivery_resolve(actor=user, delivery=delivery, note=form.cleaned_data["note"])
    messages.success(request, f"บันทึกการจัดการปัญหาการส่งถึง {delivery.recipient_name} แล้ว")
    return redirect("out-problems")
