"""The monthly statistics page (charts) and its PDF, for officers (own agency) and hub administrators."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from ecms.hub.models import Organization
from ecms.monitor import selectors as monitor_selectors
from ecms.monitor.views import monitor_user_required
from ecms.stats import report, services
from ecms.stats.selectors import monthly_stats, previous_month


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month") or request.POST.get("month") or ""
    try:
        return datetime.strptime(raw, "%Y-%m").date()  # noqa: DTZ007  # a calendar month
    except ValueError:
        return previous_month(timezone.localdate())


def _scope(request: HttpRequest) -> Organization | None:
    """An officer's own agency; for an administrator the agency chosen (none: the whole hub)."""
    officer = monitor_selectors.officer_of(request.user)
    if officer is not None and not monitor_selectors.is_hub_admin(request.user):
        return officer.organization
    org_id = request.GET.get("agency") or request.POST.get("agency") or ""
    if not org_id:
        return None
    org = Organization.objects.filter(org_id=org_id).first()
    if org is None:
        raise Http404("ไม่พบหน่วยงาน")
    return org


@require_safe  # read-only: anything but GET/HEAD is 405
@monitor_user_required
def month_view(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    org = _scope(request)
    stats = monthly_stats(month=month, organization=org)
    context = report.report_context(stats)
    context["month_value"] = f"{month:%Y-%m}"
    context["agencies"] = (
        Organization.objects.filter(systems__isnull=False).distinct().order_by("org_id")
        if monitor_selectors.is_hub_admin(request.user)
        else []
    )
    return render(request, "stats/month.html", context)


@require_safe  # read-only: anything but GET/HEAD is 405
@monitor_user_required
def month_pdf_view(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    stats = monthly_stats(month=month, organization=_scope(request))
    response = HttpResponse(report.report_pdf(stats), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ecms-report-{month:%Y-%m}.pdf"'
    return response


@require_POST
@monitor_user_required
def month_send_view(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    org = _scope(request)
    if org is None:
        messages.error(request, "เลือกหน่วยงานก่อนส่งรายงาน")
    else:
        services.monthly_report_send(
            organization=org,
            month=month,
            recipients=[request.user.email],  # type: ignore[union-attr]
            scheduled=False,
            actor_id=request.user.pk,
        )
        messages.success(request, f"ส่งรายงานไปที่ {request.user.email} แล้ว")  # type: ignore[union-attr]
    query = f"?month={month:%Y-%m}" + (f"&agency={org.org_id}" if org else "")
    return redirect(f"{request.path.rsplit('send/', 1)[0]}{query}")
