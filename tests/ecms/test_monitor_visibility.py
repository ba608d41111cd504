"""An officer sees its own agency's letters only; guessed URLs of other letters answer 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from ecms.hub.models import Letter
from ecms.monitor import services
from ecms.monitor.models import MonitorEvent, Officer
from tests.ecms.helpers import DGA, DOPA, SOC
from tests.ecms.monitor_cast import letter_accepted, password_in

pytestmark = pytest.mark.django_db


def _officer_client(org_id: str, email: str) -> tuple[Client, Officer]:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_user(username=f"admin-{email}", is_staff=True)
    officer = services.officer_register(full_name="เจ้าหน้าที่", org_id=org_id, position="ธุรการ", email=email)
    services.officer_approve(admin=admin, officer_id=officer.pk)
    officer.refresh_from_db()
    officer.must_change_password = False
    officer.save()
    client = Client()
    client.force_login(officer.user)
    return client, officer


def test_it_hides_other_agencies_letters_with_404(hub: Path) -> None:
    own = letter_accepted(Client(), SOC, DOPA, doc_id="นร 1/1", subject="ของ SOC", accept_id="1")
    other = letter_accepted(Client(), DOPA, DGA, doc_id="มท 2/2", subject="ของ DOPA ถึง DGA", accept_id="2")
    client, _ = _officer_client(SOC.department_id, "a@soc.go.th")

    listing = client.get("/monitor/").content.decode()
    assert "ของ SOC" in listing and "ของ DOPA ถึง DGA" not in listing
    assert client.get(f"/monitor/letters/{own}/").status_code == 200
    assert client.get(f"/monitor/letters/{other}/").status_code == 404
    assert client.get("/monitor/letters/00000000000000000000000000000000/").status_code == 404
    # searching by the other agency as counterpart finds nothing either
    assert "ของ DOPA ถึง DGA" not in client.get("/monitor/", {"counterpart": DGA.department_id}).content.decode()


def test_it_lets_the_hub_administrator_see_every_letter(hub: Path) -> None:
    from django.contrib.auth import get_user_model

    other = letter_accepted(Client(), DOPA, DGA, doc_id="มท 2/2", subject="ของ DOPA ถึง DGA", accept_id="2")
    client = Client()
    client.force_login(get_user_model().objects.create_user(username="root@hub", is_staff=True))
    assert client.get(f"/monitor/letters/{other}/").status_code == 200
    health = client.get("/monitor/admin/health/").content.decode()
    assert DOPA.department_id in health and DGA.department_id in health


def test_it_refuses_pages_to_unapproved_and_anonymous_users(hub: Path) -> None:
    letter_id = letter_accepted(Client(), SOC, DOPA, doc_id="นร 1/1", subject="ของ SOC", accept_id="1")
    anonymous = Client().get(f"/monitor/letters/{letter_id}/")
    assert anonymous.status_code == 302 and "/monitor/login/" in anonymous["Location"]
    officer = services.officer_register(full_name="รอ", org_id=SOC.department_id, position="x", email="p@soc.go.th")
    assert not officer.user.is_active
    client = Client()
    client.force_login(officer.user)
    assert client.get("/monitor/").status_code in (302, 403)


def test_it_forces_a_new_password_after_the_emailed_one(hub: Path, django_capture_on_commit_callbacks: Any) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_user(username="root@hub", is_staff=True)
    officer = services.officer_register(full_name="ก", org_id=SOC.department_id, position="x", email="k@soc.go.th")
    with django_capture_on_commit_callbacks(execute=True):
        services.officer_approve(admin=admin, officer_id=officer.pk)
    password = password_in(mail.outbox[-1].message())
    client = Client()
    assert client.login(username="k@soc.go.th", password=password)
    assert client.get("/monitor/")["Location"] == "/monitor/password/"
    assert list(MonitorEvent.objects.values_list("kind", flat=True)) == ["registered", "approved"]


def test_it_records_a_refusal_and_keeps_the_account_closed(hub: Path) -> None:
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_user(username="root@hub", is_staff=True)
    officer = services.officer_register(full_name="ข", org_id=SOC.department_id, position="x", email="b@soc.go.th")
    client = Client()
    client.force_login(admin)
    client.post(f"/monitor/admin/registrations/{officer.pk}/refuse/", {"reason": "ไม่ใช่เจ้าหน้าที่"})
    officer.refresh_from_db()
    assert officer.status == Officer.Status.REFUSED and not officer.user.is_active
    assert MonitorEvent.objects.filter(kind="refused", officer=officer).exists()
    with pytest.raises(services.DecisionError):
        services.officer_approve(admin=admin, officer_id=officer.pk)


def test_it_highlights_letters_not_pulled_in_time(hub: Path, settings: object) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tests.ecms.helpers import call, make_letter
    from thegif import messages as m

    sent = call(Client(), SOC, m.OutboundRequest(item=make_letter(SOC, DOPA, subject="ค้างอยู่")))
    assert isinstance(sent, m.OutboundResponse)
    Letter.objects.filter(letter_id=sent.letter_id).update(created_at=timezone.now() - timedelta(hours=30))
    client, _ = _officer_client(SOC.department_id, "c@soc.go.th")
    overdue = client.get("/monitor/", {"overdue_only": "on"}).content.decode()
    assert "ค้างอยู่" in overdue and "ค้างนาน" in overdue
