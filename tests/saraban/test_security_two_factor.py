"""Two-factor sign-in: enrolment, the second step, recovery codes, policy, audit."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pyotp
import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from saraban.accounts import totp
from saraban.accounts.models import User
from saraban.audit.models import AuditRecord
from saraban.security.models import RecoveryCode, TotpDevice, TwoFactorPolicy
from tests.saraban.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _enrol(user: User) -> tuple[pyotp.TOTP, list[str]]:
    device = totp.totp_enrolment_start(user=user)
    app = pyotp.TOTP(device.secret)
    # Confirm with the previous step's code so that the next sign-in may use the current one.
    codes = totp.totp_enrolment_confirm(user=user, code=app.at(int(time.time()) - 30))
    return app, codes


def _login(client: Client, username: str, password: str, **extra: str) -> object:
    return client.post(reverse("accounts-login"), {"username": username, "password": password, **extra})


def test_it_asks_for_the_second_factor_after_the_password_and_signs_in_with_a_code(cast: Cast) -> None:
    app, _ = _enrol(cast.officer)
    client = Client()
    response = _login(client, "officer", cast.password)
    assert response["Location"] == reverse("accounts-2fa-verify")  # type: ignore[index]
    # The password alone is not a session.
    assert client.get(reverse("web-home")).status_code == 302
    response = client.post(reverse("accounts-2fa-verify"), {"code": app.now()})
    assert response.status_code == 302 and response["Location"] == reverse("web-home")
    assert client.get(reverse("web-home")).status_code == 200
    actions = list(AuditRecord.objects.filter(object_id=str(cast.officer.pk)).values_list("action", flat=True))
    assert "auth.2fa_enrolled" in actions and "auth.2fa_verified" in actions


def test_it_refuses_a_wrong_code_and_never_accepts_the_same_code_twice(cast: Cast) -> None:
    app, _ = _enrol(cast.officer)
    client = Client()
    _login(client, "officer", cast.password)
    response = client.post(reverse("accounts-2fa-verify"), {"code": "000000" if app.now() != "000000" else "111111"})
    assert response.status_code == 200
    assert "รหัสยืนยันตัวตนไม่ถูกต้อง" in response.content.decode()
    code = app.now()
    assert client.post(reverse("accounts-2fa-verify"), {"code": code}).status_code == 302
    other = Client()
    _login(other, "officer", cast.password)
    replay = other.post(reverse("accounts-2fa-verify"), {"code": code})
    assert replay.status_code == 200
    assert other.get(reverse("web-home")).status_code == 302
    assert AuditRecord.objects.filter(action="auth.2fa_failed", data__replay=True).exists()


def test_it_signs_in_once_with_each_recovery_code(cast: Cast) -> None:
    _, codes = _enrol(cast.officer)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(RecoveryCode.objects.filter(user=cast.officer).values_list("code_hash", flat=True))
    assert all(c.replace("-", "") not in h for c in codes for h in stored)  # only hashes are stored
    client = Client()
    _login(client, "officer", cast.password)
    assert client.post(reverse("accounts-2fa-verify"), {"recovery": codes[0].lower()}).status_code == 302
    assert AuditRecord.objects.filter(action="auth.2fa_recovery_used", data__codes_left=9).exists()
    again = Client()
    _login(again, "officer", cast.password)
    response = again.post(reverse("accounts-2fa-verify"), {"recovery": codes[0]})
    assert response.status_code == 200 and "ถูกใช้ไปแล้ว" in response.content.decode()
    assert AuditRecord.objects.filter(action="auth.2fa_recovery_failed").count() == 1


def test_it_sends_the_user_back_to_the_password_after_five_wrong_codes(cast: Cast) -> None:
    _enrol(cast.officer)
    client = Client()
    _login(client, "officer", cast.password)
    for _ in range(4):
        assert client.post(reverse("accounts-2fa-verify"), {"code": "12345x"}).status_code == 200
    response = client.post(reverse("accounts-2fa-verify"), {"code": "12345x"})
    assert response["Location"] == reverse("accounts-login")
    assert client.get(reverse("accounts-2fa-verify"))["Location"] == reverse("accounts-login")


def test_it_keeps_a_signer_without_a_second_factor_on_the_enrolment_page(cast: Cast) -> None:
    client = Client()
    response = _login(client, "director", cast.password)
    assert response["Location"] == reverse("accounts-2fa-enrol")  # type: ignore[index]
    assert client.get(reverse("web-home"))["Location"] == reverse("accounts-2fa-enrol")
    assert client.get(reverse("rcv-inbox"))["Location"] == reverse("accounts-2fa-enrol")
    client.post(reverse("accounts-2fa-enrol"), {"action": "start"})
    page = client.get(reverse("accounts-2fa-enrol")).content.decode()
    device = TotpDevice.objects.get(user=cast.director)
    assert device.secret in page and "otpauth://totp/" in page
    app = pyotp.TOTP(device.secret)
    response = client.post(reverse("accounts-2fa-enrol"), {"action": "confirm", "code": app.now()})
    assert response.status_code == 200 and 'data-testid="recovery-codes"' in response.content.decode()
    assert client.get(reverse("web-home")).status_code == 200


def test_it_lets_a_clerk_sign_in_without_a_second_factor_unless_policy_says_everyone(cast: Cast) -> None:
    assert _login(Client(), "clerk", cast.password)["Location"] == reverse("web-home")  # type: ignore[index]
    totp.totp_policy_set(actor=cast.admin, executives=True, admins=True, everyone=True)
    assert _login(Client(), "clerk", cast.password)["Location"] == reverse("accounts-2fa-enrol")  # type: ignore[index]
    assert AuditRecord.objects.filter(action="auth.2fa_policy_changed").count() == 1


def test_it_refuses_to_let_a_required_user_remove_the_second_factor(cast: Cast) -> None:
    app, _ = _enrol(cast.director)
    with pytest.raises(totp.TwoFactorRequiredError):
        totp.totp_disable(actor=cast.director, user=cast.director, code=app.now())
    assert totp.totp_enabled(cast.director)
    # An agency administrator may, for a user who lost phone and codes.
    with pytest.raises(totp.TwoFactorForbiddenError):
        totp.totp_disable(actor=cast.clerk, user=cast.director)
    totp.totp_disable(actor=cast.admin, user=cast.director)
    assert not totp.totp_enabled(cast.director)
    assert not RecoveryCode.objects.filter(user=cast.director).exists()
    assert AuditRecord.objects.filter(action="auth.2fa_disabled", actor_id=cast.admin.pk).exists()


def test_it_lets_an_optional_user_remove_it_with_a_current_code_only(cast: Cast, client_for: object) -> None:
    app, _ = _enrol(cast.officer)
    client = client_for(cast.officer)  # type: ignore[operator]
    response = client.post(reverse("accounts-2fa-disable"), {"code": "999999" if app.now() != "999999" else "1"})
    assert response.status_code == 400 and totp.totp_enabled(cast.officer)
    client.post(reverse("accounts-2fa-disable"), {"code": app.now()})
    assert not totp.totp_enabled(cast.officer)


def test_it_shows_the_policy_page_to_admins_only(cast: Cast, client_for: object) -> None:
    assert client_for(cast.clerk).get(reverse("accounts-2fa-policy")).status_code == 403  # type: ignore[operator]
    admin = client_for(cast.admin)  # type: ignore[operator]
    assert admin.get(reverse("accounts-2fa-policy")).status_code == 200
    admin.post(reverse("accounts-2fa-policy"), {"admins": "on"})
    rule = TwoFactorPolicy.objects.get(pk=1)
    assert rule.required_for_admins and not rule.required_for_executives
    assert not totp.totp_required(cast.director) and totp.totp_required(cast.admin)


def test_it_refuses_malformed_codes_and_changes_nothing(cast: Cast) -> None:
    _enrol(cast.officer)
    device = TotpDevice.objects.get(user=cast.officer)
    for bad in ["", "abcdef", "1" * 7, "１２３４５６", "12 34\x0056", "-" * 40]:
        with pytest.raises(totp.TwoFactorCodeError):
            totp.totp_verify(user=cast.officer, code=bad)
    device.refresh_from_db()
    assert device.last_used_step == TotpDevice.objects.get(user=cast.officer).last_used_step
    with pytest.raises(totp.TwoFactorStateError):
        totp.totp_enrolment_start(user=cast.officer)


def test_it_reads_thai_digits_in_a_code(cast: Cast) -> None:
    app, _ = _enrol(cast.officer)
    thai = app.now().translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    totp.totp_verify(user=cast.officer, code=thai)
    assert AuditRecord.objects.filter(action="auth.2fa_verified").count() == 1
