"""Receiving pages. Each view: authorise, parse the form, call one service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from saraban.accounts.models import User
from saraban.accounts.permissions import require_right
from saraban.correspondence import viewing
from saraban.correspondence.models import Letter, LetterFile, Registry
from saraban.correspondence.selectors import letters_visible_to, registries_for
from saraban.receiving import selectors, services
from saraban.receiving.forms import EndorseForm, ForwardForm, ReceiveForm, StampPositionForm
from saraban.receiving.models import Endorsement, Holding, Reception
from saraban.web.services import agency_profile


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _letter_for(request: HttpRequest, pk: int) -> Letter:
    """The letter if the user may open it; 404 otherwise, so its existence is not revealed."""
    return get_object_or_404(letters_visible_to(_user(request)), pk=pk)


def _holding_for(request: HttpRequest, pk: int) -> Holding:
    holding = get_object_or_404(Holding.objects.select_related("letter", "unit", "user"), pk=pk)
    _letter_for(request, holding.letter_id)
    if not services.holding_is_held_by(holding, _user(request)):
        raise Http404
    return holding


@require_right("open")
def inbox_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    context = {
        "personal": selectors.inbox_personal(user)[:200],
        "basket": selectors.inbox_basket(user)[:200] if user.assists.exists() else None,
        "unit": selectors.inbox_unit(user)[:200],
        "waiting": selectors.receptions_waiting(user)[:200],
        "reminders": selectors.inbox_reminders(user),
        "registries": registries_for(user),
    }
    return render(request, "receiving/inbox.html", context)


@require_right("receive")
def receive_create_view(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    registries = registries_for(user)
    form = ReceiveForm(request.POST or None, request.FILES or None, user=user, registries=registries)
    if request.method == "POST" and form.is_valid():
        entry = services.paper_letter_receive(actor=user, registry=form.cleaned_data["registry"],
                                              metadata=form.metadata(), files=form.incoming_files())
        messages.success(request, f"ลงรับแล้ว เลขรับ {entry.number}/{entry.year + 543}")
        return redirect("rcv-letter-detail", pk=entry.letter_id)
    return render(request, "receiving/receive_form.html", {"form": form}, status=400 if form.errors else 200)


@require_right("open")
def letter_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    letter = _letter_for(request, pk)
    reception = Reception.objects.filter(letter=letter).select_related("registry", "entry").first()
    mine = selectors.holdings_of_user_for(user, letter)
    profile = agency_profile()
    can_distribute = services._can_distribute_from_registry(user, letter)
    viewing.letter_page_viewed(viewer=user, letter=letter)
    context = {
        "letter": letter,
        "reception": reception,
        "entries": letter.entries.select_related("registry").order_by("registered_at"),
        "files": letter.files.all(),
        "holdings": selectors.letter_holdings(letter),
        "mine": mine,
        "endorsements": Endorsement.objects.filter(letter=letter).select_related("author"),
        "timeline": selectors.letter_timeline(letter),
        "can_distribute": can_distribute,
        "can_register": reception is not None and reception.state == Reception.State.WAITING
        and registries_for(user).filter(pk=reception.registry_id).exists(),
        "forward_form": ForwardForm(root=profile.root_unit if profile else None)
        if (mine or can_distribute) else None,
        "endorse_form": EndorseForm(),
        "stamp_form": StampPositionForm(initial={"right_mm": 10, "top_mm": 10}),
        "unit_registries": {h.pk: list(registries_for(user).filter(unit_id=h.unit_id)) for h in mine if h.unit_id},
    }
    return render(request, "receiving/letter_detail.html", context)


@require_right("open")
def letter_file_view(request: HttpRequest, pk: int, file_id: int) -> HttpResponse:
    letter = _letter_for(request, pk)
    file = get_object_or_404(LetterFile, pk=file_id, letter=letter)
    file.letter = letter
    download = bool(request.GET.get("download"))
    served = viewing.letter_file_serve(viewer=_user(request), file=file, download=download)
    return viewing.response_for(served, download=download)


@require_POST
@require_right("receive")
def letter_register_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    letter = _letter_for(request, pk)
    reception = get_object_or_404(Reception, letter=letter, registry__in=registries_for(user))
    entry = services.incoming_letter_register(actor=user, letter=reception.letter)
    messages.success(request, f"ลงรับแล้ว เลขรับ {entry.number}/{entry.year + 543}")
    return redirect("rcv-letter-detail", pk=letter.pk)


@require_POST
@require_right("receive")
def letter_reject_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    letter = _letter_for(request, pk)
    get_object_or_404(Reception, letter=letter, registry__in=registries_for(user))
    services.incoming_letter_reject(actor=user, letter=letter, reason=request.POST.get("reason", ""))
    messages.success(request, "ปฏิเสธการรับและแจ้งผู้ส่งแล้ว")
    return redirect("rcv-letter-detail", pk=letter.pk)


@require_POST
@require_right("receive")
def letter_stamp_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    letter = _letter_for(request, pk)
    get_object_or_404(Reception, letter=letter, registry__in=registries_for(user))
    form = StampPositionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "ตำแหน่งตราไม่ถูกต้อง")
    else:
        services.letter_stamp_create(actor=user, letter=letter, right_mm=form.cleaned_data["right_mm"],
                                     top_mm=form.cleaned_data["top_mm"])
        messages.success(request, "ประทับตรารับใหม่ตามตำแหน่งที่กำหนดแล้ว")
    return redirect("rcv-letter-detail", pk=letter.pk)


@require_POST
@require_right("open")
def letter_forward_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    letter = _letter_for(request, pk)
    holding_id = request.POST.get("holding") or ""
    holding = _holding_for(request, int(holding_id)) if holding_id.isdigit() else None
    profile = agency_profile()
    form = ForwardForm(request.POST, root=profile.root_unit if profile else None)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect("rcv-letter-detail", pk=letter.pk)
    made = services.letter_forward(actor=user, letter=letter, from_holding=holding,
                                   units=list(form.cleaned_data["units"]), users=list(form.cleaned_data["users"]),
                                   instruction=form.cleaned_data["instruction"])
    messages.success(request, f"ส่งต่อแล้ว {len(made)} ราย")
    return redirect("rcv-letter-detail", pk=letter.pk)


@require_POST
@require_right("open")
def holding_state_view(request: HttpRequest, pk: int, state: str) -> HttpResponse:
    holding = _holding_for(request, pk)
    services.holding_state_set(actor=_user(request), holding=holding, state=state,
                               note=request.POST.get("note", ""))
    return redirect("rcv-letter-detail", pk=holding.letter_id)


@require_POST
@require_right("open")
def holding_endorse_view(request: HttpRequest, pk: int) -> HttpResponse:
    holding = _holding_for(request, pk)
    form = EndorseForm(request.POST)
    if form.is_valid():
        services.letter_endorse(actor=_user(request), letter=holding.letter, holding=holding,
                                text=form.cleaned_data["text"], kind=form.cleaned_data["kind"])
    else:
        messages.error(request, "กรุณาเขียนข้อความสั่งการหรือความเห็น")
    return redirect("rcv-letter-detail", pk=holding.letter_id)


@require_POST
@require_right("receive")
def holding_register_view(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    holding = _holding_for(request, pk)
    registry = get_object_or_404(registries_for(user), pk=request.POST.get("registry") or 0)
    entry = services.letter_unit_register(actor=user, holding=holding, registry=registry)
    messages.success(request, f"ลงรับในทะเบียนของหน่วยงานแล้ว เลขรับ {entry.number}/{entry.year + 543}")
    return redirect("rcv-letter-detail", pk=holding.letter_id)


@require_POST
@require_right("receive")
def inbox_check_view(request: HttpRequest, registry_id: int) -> HttpResponse:
    user = _user(request)
    registry: Registry = get_object_or_404(registries_for(user), pk=registry_id)
    services.inbox_check_record(actor=user, registry=registry)
    messages.success(request, f"บันทึกการตรวจกล่องหนังสือ {registry.name} แล้ว")
    return redirect("rcv-inbox")
