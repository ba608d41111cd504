"""Pages of the hub channel for the clerks of the central registry: the channel's state, items kept
aside, the outbox, and "pull from the hub now". Each view: authorise, parse, call one service, render."""

from __future__ import annotations

import requests
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from govcommon.errors import AppError
from saraban.accounts.models import User
from saraban.accounts.permissions import require_right
from saraban.correspondence import storage
from saraban.correspondence.selectors import registries_for
from saraban.exchange import conf, services
from saraban.exchange.models import HubInbound, HubOutbound


def _central_clerk(request: HttpRequest) -> User:
    """Our hub queue belongs to the central registry: only its clerks see it."""
    user = request.user
    assert isinstance(user, User)
    if not registries_for(user).filter(pk=services.central_registry().pk).exists():
        raise PermissionDenied("ท่านไม่ได้ดูแลทะเบียนสารบรรณกลาง")
    return user


@require_right("receive")
def exchange_home_view(request: HttpRequest) -> HttpResponse:
    _central_clerk(request)
    context = {
        "configured": conf.configured(),
        "hub_url": conf.hub_url(),
        "setting": services.exchange_setting(),
        "quarantined": HubInbound.objects.filter(state=HubInbound.State.QUARANTINED)[:200],
        "imported": HubInbound.objects.exclude(letter=None).select_related("letter")[:20],
        "outbox": HubOutbound.objects.exclude(state=HubOutbound.State.SENT)
                  .select_related("delivery", "receipt__letter", "inbound")[:100],
    }
    return render(request, "exchange/home.html", context)


@require_POST
@require_right("receive")
def exchange_pull_view(request: HttpRequest) -> HttpResponse:
    user = _central_clerk(request)
    try:
        report = services.hub_pull(actor=user)
    except (AppError, requests.RequestException) as exc:
        messages.error(request, str(getattr(exc, "message", exc)))
    else:
        if report.errors:
            messages.error(request, "ดึงหนังสือจากระบบกลางไม่สำเร็จ: " + "; ".join(report.errors))
        messages.success(request, f"ดึงหนังสือจากระบบกลางแล้ว: หนังสือเข้าใหม่ {report.letters} ฉบับ "
                                  f"แจ้งผลการส่ง {report.notifiers} รายการ กันไว้ตรวจสอบ {report.quarantined} ฉบับ")
    return redirect("exchange-home")


@require_right("receive")
def inbound_evidence_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The XML exactly as the hub delivered it, of an item kept aside (an imported letter keeps its XML
    among its own files, under the letter's visibility rules)."""
    _central_clerk(request)
    row = get_object_or_404(HubInbound, pk=pk, state=HubInbound.State.QUARANTINED)
    response = HttpResponse(storage.read_bytes(row.evidence_sha256), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="ecms-{row.hub_letter_id}-{row.process_id}.xml"'
    return response
