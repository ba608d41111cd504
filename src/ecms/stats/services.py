"""Sending monthly reports by e-mail, on the first of each month or on demand."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from ecms.hub.models import Organization
from ecms.monitor.models import MonitorEvent, Officer
from ecms.stats.models import ReportDispatch
from ecms.stats.report import report_pdf
from ecms.stats.selectors import monthly_stats
from govcommon import thaidate


@dataclass(frozen=True)
class SendSummary:
    sent: list[str]  # organisation IDs
    skipped: list[str]


def _recipients(organization: Organization) -> list[str]:
    return list(
        Officer.objects.filter(organization=organization, status=Officer.Status.APPROVED, user__is_active=True)
        .order_by("email")
        .values_list("email", flat=True)
    )


def monthly_report_send(
    *, organization: Organization, month: date, recipients: list[str], scheduled: bool, actor_id: int | None = None
) -> ReportDispatch:
    """Build the agency's PDF report and e-mail it, then record the dispatch with its audit event.

    The e-mail leaves before the record is written: a crash in between makes the next run send it
    again (at least once) rather than never.
    """
    month = month.replace(day=1)
    pdf = report_pdf(monthly_stats(month=month, organization=organization))
    label = f"{thaidate.month_name(month.month)} {thaidate.be_year(month)}"
    email = EmailMessage(
        subject=f"รายงานการส่ง-รับหนังสือผ่านระบบกลาง ประจำเดือน{label} – {organization.name}",
        body=(
            f"เรียน เจ้าหน้าที่สารบรรณ {organization.name}\n\n"
            f"ระบบกลางขอส่งรายงานปริมาณการส่ง-รับหนังสือผ่านระบบกลาง ประจำเดือน{label} ตามไฟล์แนบ\n"
            f"ดูรายละเอียดเพิ่มเติมได้ที่ {settings.ECMS_MONITOR_URL}\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    email.attach(f"ecms-report-{organization.org_id}-{month:%Y-%m}.pdf", pdf, "application/pdf")
    email.send()
    with transaction.atomic():
        dispatch = ReportDispatch.objects.create(
            organization=organization,
            month=month,
            recipients=recipients,
            scheduled=scheduled,
            pdf_sha256=hashlib.sha256(pdf).hexdigest(),
            sent_at=timezone.now(),
        )
        MonitorEvent.objects.create(
            kind=MonitorEvent.Kind.REPORT_SENT,
            actor_id=actor_id,
            organization=organization,
            data={"month": f"{month:%Y-%m}", "recipients": recipients, "scheduled": scheduled},
            created_at=dispatch.sent_at,
        )
    return dispatch


def monthly_reports_send_all(*, month: date, force: bool = False) -> SendSummary:
    """Every agency with approved officers gets its report once per month (``force``: again)."""
    month = month.replace(day=1)
    sent: list[str] = []
    skipped: list[str] = []
    orgs = Organization.objects.filter(officers__status=Officer.Status.APPROVED).distinct().order_by("org_id")
    for org in orgs:
        already = ReportDispatch.objects.filter(organization=org, month=month, scheduled=True).exists()
        recipients = _recipients(org)
        if (already and not force) or not recipients:
            skipped.append(org.org_id)
            continue
        monthly_report_send(organization=org, month=month, recipients=recipients, scheduled=True)
        sent.append(org.org_id)
    return SendSummary(sent=sent, skipped=skipped)
