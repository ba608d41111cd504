"""The monthly report's numbers match the raw traffic; the scheduled job e-mails each agency its PDF."""

from __future__ import annotations

import io
import math
import random
import statistics
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ecms.hub.models import AgencySystem, Letter, LetterEvent, Organization, QueueItem
from ecms.monitor import services as monitor_services
from ecms.stats.models import ReportDispatch
from ecms.stats.report import report_pdf
from ecms.stats.selectors import monthly_stats
from tests.ecms.helpers import AGENCIES, DOPA, SOC
from thegif.messages import ItemType, LetterStatus

pytestmark = pytest.mark.django_db
MONTH = date(2025, 3, 1)
BANGKOK = ZoneInfo("Asia/Bangkok")


def _generate(seed: int = 7, count: int = 60) -> list[dict[str, Any]]:
    """A month of traffic between the three agencies, with known pull and acknowledgement delays."""
    rng = random.Random(seed)
    orgs = [Organization.objects.get(org_id=a.department_id) for a in AGENCIES]
    systems = {s.organization_id: s for s in AgencySystem.objects.all()}
    raw = []
    for n in range(count):
        sender, receiver = rng.sample(orgs, 2)
        created = datetime(2025, 3, rng.randint(1, 31), rng.randint(0, 23), rng.randint(0, 59), tzinfo=BANGKOK)
        outcome = rng.choice(["none", "pulled", "accepted", "accepted", "rejected", "invalid"])
        letter = Letter.objects.create(
            letter_id=f"gen{n:04d}",
            sender=sender,
            receiver=receiver,
            sender_system=systems[sender.pk],
            doc_id=f"ที่ {n}",
            correspondence_date=created.date(),
            subject=f"เรื่อง {n}",
            secret_code="001",
            speed_code="001",
            document_xml="<x/>",
            status=LetterStatus.SENT,
            status_changed_at=created,
            created_at=created,
        )
        LetterEvent.objects.create(letter=letter, kind="sent", system=systems[sender.pk], created_at=created)
        pull_s = ack_s = None
        kinds: list[str] = []
        item = QueueItem.objects.create(
            process_id=f"p{n}",
            owner=receiver,
            letter=letter,
            item_type=ItemType.GOVERNMENT_DOCUMENT,
            created_at=created,
        )
        if outcome != "none":
            pull_s = rng.randint(60, 3 * 86400)
            item.first_pulled_at = created + timedelta(seconds=pull_s)
            item.save()
            LetterEvent.objects.create(
                letter=letter, kind="pulled", system=systems[receiver.pk], created_at=item.first_pulled_at
            )
        if outcome in ("accepted", "rejected", "invalid"):
            assert pull_s is not None
            ack_s = pull_s + rng.randint(60, 86400)
            kinds = ["received", outcome]
            for offset, kind in ((0, "received"), (120, outcome)):
                LetterEvent.objects.create(
                    letter=letter,
                    kind=kind,
                    system=systems[receiver.pk],
                    created_at=created + timedelta(seconds=ack_s + offset),
                )
        raw.append(
            {"sender": sender, "receiver": receiver, "created": created, "pull": pull_s, "ack": ack_s, "kinds": kinds}
        )
    # traffic of other months must not count
    other = datetime(2025, 4, 1, 0, 30, tzinfo=BANGKOK)
    Letter.objects.create(
        letter_id="april",
        sender=orgs[0],
        receiver=orgs[1],
        sender_system=systems[orgs[0].pk],
        doc_id="x",
        correspondence_date=other.date(),
        subject="เมษายน",
        secret_code="001",
        speed_code="001",
        document_xml="<x/>",
        status=LetterStatus.SENT,
        status_changed_at=other,
        created_at=other,
    )
    return raw


def _rank(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def test_it_matches_the_raw_traffic_of_the_month(hub: Path) -> None:
    raw = _generate()
    stats = monthly_stats(month=MONTH)
    assert stats.letters == len(raw)
    for outcome in ("accepted", "rejected", "invalid"):
        assert getattr(stats, outcome) == sum(outcome in r["kinds"] for r in raw)
    pulls = [r["pull"] for r in raw if r["pull"] is not None]
    acks = [r["ack"] for r in raw if r["ack"] is not None]
    assert stats.pull.count == len(pulls) and stats.acknowledge.count == len(acks)
    assert stats.pull.median_hours == pytest.approx(_rank(pulls, 50) / 3600)
    assert stats.pull.p95_hours == pytest.approx(_rank(pulls, 95) / 3600)
    assert stats.acknowledge.median_hours == pytest.approx(_rank(acks, 50) / 3600)
    assert stats.acknowledge.p95_hours == pytest.approx(_rank(acks, 95) / 3600)
    # the nearest-rank median is one of the middle values of the sorted sample
    assert min(statistics.median_low(pulls), statistics.median_high(pulls)) <= _rank(pulls, 50) * 1.0
    for row in stats.agencies:
        assert row.sent == sum(r["sender"].org_id == row.org_id for r in raw)
        assert row.received == sum(r["receiver"].org_id == row.org_id for r in raw)
        assert row.accepted == sum(r["sender"].org_id == row.org_id and "accepted" in r["kinds"] for r in raw)
        assert row.rejected == sum(r["sender"].org_id == row.org_id and "rejected" in r["kinds"] for r in raw)
    for row in stats.ministries:
        assert row.sent == sum((r["sender"].ministry.org_id == row.org_id) for r in raw)
    days = Counter(timezone.localtime(r["created"]).date() for r in raw)
    assert dict(stats.per_day) == {MONTH + timedelta(days=i): days.get(MONTH + timedelta(days=i), 0) for i in range(31)}
    assert stats.busiest_days[0][1] == max(days.values())
    assert [n for _, n in stats.busiest_days] == sorted(days.values(), reverse=True)[:5]


def test_it_limits_an_agency_report_to_its_own_letters(hub: Path) -> None:
    raw = _generate()
    soc = Organization.objects.get(org_id=SOC.department_id)
    stats = monthly_stats(month=MONTH, organization=soc)
    assert stats.letters == sum(soc in (r["sender"], r["receiver"]) for r in raw)


def test_it_renders_a_pdf_with_charts(hub: Path, tmp_path: Path) -> None:
    _generate()
    pdf = report_pdf(monthly_stats(month=MONTH))
    assert pdf.startswith(b"%PDF-") and b"/Subtype /Image" in pdf


def _approved_officer(org_id: str, email: str, capture: Any) -> None:
    from django.contrib.auth import get_user_model

    admin, _ = get_user_model().objects.get_or_create(username="root@hub", is_staff=True)
    officer = monitor_services.officer_register(full_name="ก", org_id=org_id, position="x", email=email)
    with capture(execute=True):
        monitor_services.officer_approve(admin=admin, officer_id=officer.pk)


def test_it_emails_each_agency_its_report_once_a_month(hub: Path, django_capture_on_commit_callbacks: Any) -> None:
    _generate(count=20)
    _approved_officer(SOC.department_id, "a@soc.go.th", django_capture_on_commit_callbacks)
    _approved_officer(DOPA.department_id, "b@dopa.go.th", django_capture_on_commit_callbacks)
    mail.outbox.clear()
    out = io.StringIO()
    call_command("send_monthly_reports", "--month", "2025-03", stdout=out)
    assert sorted(m.to[0] for m in mail.outbox) == ["a@soc.go.th", "b@dopa.go.th"]
    name, content, mime = mail.outbox[0].attachments[0]
    assert mime == "application/pdf" and content.startswith(b"%PDF-") and "2025-03" in name
    assert ReportDispatch.objects.filter(month=MONTH).count() == 2
    call_command("send_monthly_reports", "--month", "2025-03", stdout=out)
    assert len(mail.outbox) == 2  # already sent: skipped
    assert "skipped 2" in out.getvalue()


def test_it_shows_the_page_and_sends_on_demand(hub: Path, django_capture_on_commit_callbacks: Any) -> None:
    _generate(count=20)
    _approved_officer(SOC.department_id, "a@soc.go.th", django_capture_on_commit_callbacks)
    from django.contrib.auth import get_user_model

    officer_user = get_user_model().objects.get(username="a@soc.go.th")
    from ecms.monitor.models import Officer

    Officer.objects.filter(user=officer_user).update(must_change_password=False)
    client = Client()
    client.force_login(officer_user)
    page = client.get("/monitor/stats/", {"month": "2025-03", "agency": DOPA.department_id}).content.decode()
    soc_name = Organization.objects.get(org_id=SOC.department_id).name
    assert "data:image/png;base64," in page
    assert f"· {soc_name}</h1>" in page  # an officer asking for another agency still gets its own
    pdf = client.get("/monitor/stats/report.pdf", {"month": "2025-03"})
    assert pdf["Content-Type"] == "application/pdf"
    mail.outbox.clear()
    client.post("/monitor/stats/send/", {"month": "2025-03"})
    assert [m.to for m in mail.outbox] == [["a@soc.go.th"]]
    assert ReportDispatch.objects.get(scheduled=False).organization.org_id == SOC.department_id
