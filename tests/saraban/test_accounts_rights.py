from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.saraban.conftest import Cast

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_users_to_the_login_page(cast: Cast) -> None:
    response = Client().get(reverse("corr-receive-register"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-login"))


def test_it_forbids_the_receive_screen_without_the_receive_right(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    assert not cast.officer.can_receive
    response = client_for(cast.officer).get(reverse("corr-receive-register"))
    assert response.status_code == 403
    assert "ไม่มีสิทธิ์" in response.content.decode()


def test_it_opens_the_receive_screen_with_the_receive_right(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(cast.clerk).get(reverse("corr-receive-register"))
    assert response.status_code == 200
    assert "ทะเบียนหนังสือรับ" in response.content.decode()


def test_it_takes_the_right_away_when_the_admin_removes_it(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    cast.clerk.can_receive = False
    cast.clerk.save()
    assert client_for(cast.clerk).get(reverse("corr-receive-register")).status_code == 403


def test_it_forbids_the_send_register_without_the_send_right(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    assert not cast.secretary.can_send
    assert client_for(cast.secretary).get(reverse("corr-send-register")).status_code == 403
    assert client_for(cast.clerk).get(reverse("corr-send-register")).status_code == 200


def test_it_keeps_the_admin_ui_for_agency_admins(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    assert client_for(cast.admin).get("/admin/").status_code == 200
    assert client_for(cast.clerk).get("/admin/").status_code == 302  # to the admin login


def test_it_audits_rights_changed_in_the_admin_ui(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    from saraban.audit.models import AuditRecord

    client = client_for(cast.admin)
    url = f"/admin/accounts/user/{cast.officer.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "สิทธิ์รับหนังสือ" in page.content.decode()
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({
        "username": "officer", "can_open": "on", "can_receive": "on", "clearance": "1", "is_active": "on",
        "failed_logins": "0", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
    })
    data.pop("password", None)
    data.pop("assists", None)
    data.pop("last_login", None)
    data.pop("locked_until", None)
    data.pop("password_changed_at", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    cast.officer.refresh_from_db()
    assert cast.officer.can_receive and cast.officer.clearance == 1
    record = AuditRecord.objects.filter(object_id=str(cast.officer.pk), action="user.rights_saved").last()
    assert record is not None and record.actor_id == cast.admin.pk
    assert record.data["can_receive"] is True
