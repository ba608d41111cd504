from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from saraban.accounts.services import AccountLockedError, LoginFailedError, user_authenticate
from saraban.audit.models import AuditRecord
from tests.saraban.conftest import Cast

pytestmark = pytest.mark.django_db


def _post_login(client: Client, username: str, password: str) -> object:
    return client.post(reverse("accounts-login"), {"username": username, "password": password})


def test_it_signs_in_with_the_right_password(cast: Cast) -> None:
    client = Client()
    response = _post_login(client, "clerk", cast.password)
    assert response.status_code == 302  # type: ignore[attr-defined]
    home = client.get(reverse("web-home"))
    assert home.status_code == 200
    assert "สมศรี" in home.content.decode()
    assert AuditRecord.objects.filter(action="auth.login", object_id=str(cast.clerk.pk)).exists()


def test_it_refuses_a_wrong_password_with_a_clear_message(cast: Cast) -> None:
    client = Client()
    response = _post_login(client, "clerk", "not-the-password1")
    body = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in body
    assert client.get(reverse("web-home")).status_code == 302
    cast.clerk.refresh_from_db()
    assert cast.clerk.failed_logins == 1
    assert AuditRecord.objects.filter(action="auth.login_failed").count() == 1


def test_it_refuses_an_unknown_user_the_same_way(cast: Cast) -> None:
    with pytest.raises(LoginFailedError):
        user_authenticate(username="nobody", password="whatever123")
    assert AuditRecord.objects.filter(action="auth.login_failed", actor_id=None).exists()


def test_it_locks_the_account_after_repeated_failures(cast: Cast, settings: object) -> None:
    for _ in range(4):
        with pytest.raises(LoginFailedError):
            user_authenticate(username="clerk", password="wrong-password-1")
    with pytest.raises(AccountLockedError):
        user_authenticate(username="clerk", password="wrong-password-1")
    # Even the right password is refused while locked.
    with pytest.raises(AccountLockedError):
        user_authenticate(username="clerk", password=cast.password)
    cast.clerk.refresh_from_db()
    assert cast.clerk.locked_until is not None and cast.clerk.locked_until > timezone.now()
    assert AuditRecord.objects.filter(action="auth.account_locked").count() == 1
    response = _post_login(Client(), "clerk", cast.password)
    assert "ล็อก" in response.content.decode()  # type: ignore[attr-defined]


def test_it_opens_again_once_the_lock_expires(cast: Cast) -> None:
    cast.clerk.locked_until = timezone.now() - dt.timedelta(seconds=1)
    cast.clerk.save()
    assert user_authenticate(username="clerk", password=cast.password) == cast.clerk


def test_it_forces_a_password_change_when_required(cast: Cast) -> None:
    cast.officer.must_change_password = True
    cast.officer.save()
    client = Client()
    _post_login(client, "officer", cast.password)
    response = client.get(reverse("web-home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts-password-change")
    weak = client.post(reverse("accounts-password-change"),
                       {"old_password": cast.password, "new_password": "short", "new_password2": "short"})
    assert weak.status_code == 200
    ok = client.post(
        reverse("accounts-password-change"),
        {"old_password": cast.password, "new_password": "NewPassw0rd-2569", "new_password2": "NewPassw0rd-2569"},
    )
    assert ok.status_code == 302
    assert client.get(reverse("web-home")).status_code == 200


def test_it_signs_out_after_the_idle_limit(cast: Cast, settings: object) -> None:
    client = Client()
    _post_login(client, "clerk", cast.password)
    session = client.session
    session["saraban_last_seen"] = 0  # long ago
    session.save()
    response = client.get(reverse("web-home"))
    assert response.status_code == 302
    assert "expired=1" in response["Location"]
