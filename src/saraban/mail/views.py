"""Pages of the official e-mail channel for the clerks of the central registry: messages kept aside,
the outbox, and "check the mailbox now". Each view: authorise, parse, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from govcommon.errors import AppError
from saraban.accounts.models import User
from saraban.accounts.permissions import require_right
from saraban.correspondence import storage
from saraban.correspondence.models import Registry
from saraban.correspondence.selectors import registries_for
from saraban.mail import services
from saraban.mail.models import InboundMail, OutboundMail
from saraban.mail.transport import MailTransportError


def _central_clerk(request: HttpRequest) -> tuple[User, Registry]:
    """The official mailbox belongs to the central registry: only its clerks see it."""
    user = request.user
    assert isinstance(user, User)
    registry = services.central_registry()
    if not registries_for(user).filter(pk=registry.pk).exists():
        raise PermissionDenied("ท่านไม่ได้ดูแลทะเบียนสารบรรณกลาง")
    return user, registry


@require_right("receive")
def mail_home_view(request: HttpRequest) -> HttpResponse:
    _central_clerk(request)
    context = {
        "quarantined": InboundMail.objects.filter(state=InboundMail.State.QUARANTINED)[:200],
        "imported": InboundMail.objects.filter(state=InboundMail.State.IMPORTED).select_related("letter")[:20],
        "outbox": OutboundMail.objects.exclude(state=OutboundMail.State.SENT).order_by("-pk")[:100],
    }
    return render(request, "mail/home.html", context)


@require_POST
@require_right("receive")
def mailbox_check_view(request: HttpRequest) -> HttpResponse:
    user, registry = _central_clerk(request)
    try:
        report = services.mailbox_check(actor=user, registry=registry)
    except (AppError, MailTransportError) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    else:
        messages.success(request, f"ตรวจกล่องไปรษณีย์อิเล็กทรอนิกส์แล้ว: หนังสือเข้าใหม่ {report.imported} ฉบับ "
                                  f"กันไว้ตรวจสอบ {report.quarantined} ฉบับ")
    return redirect("mail-home")


@require_right("receive")
def inbound_raw_view(request: HttpRequest, pk: int) -> HttpResponse:
    _central_clerk(request)
    inbound = get_object_or_404(InboundMail, pk=pk)
    response = HttpResponse(storage.read_bytes(inbound.sha256), content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="message-{inbound.pk}.eml"'
    return response


@require_POST
@require_right("receive")
def inbound_handle_view(request: HttpRequest, pk: int) -> HttpResponse:
    user, _ = _central_clerk(request)
    inbound = get_object_or_404(InboundMail, pk=pk)
    try:
        services.inbound_mail_handle(actor=user, inbound=inbound, note=str(request.POST.get("note", "")))
    except AppError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "บันทึกการจัดการแล้ว")
    return redirect("mail-home")
