"""Sign-in with lockout, and changes to users and their rights; each change is audited."""

from __future__ import annotations

import datetime as dt
import secrets
import string
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from govcommon.errors import AppError, ValidationError
from saraban.accounts.models import Membership, OrgUnit, User
from saraban.audit.services import audit_record


class LoginFailedError(AppError):
    code = "AUTH-001"
    http_status = 401
    default_message = "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"


class AccountLockedError(AppError):
    code = "AUTH-002"
    http_status = 403
    default_message = "บัญชีถูกล็อกชั่วคราวเนื่องจากใส่รหัสผ่านผิดหลายครั้ง"


class AccountDisabledError(AppError):
    code = "AUTH-003"
    http_status = 403
    default_message = "บัญชีนี้ถูกระงับการใช้งาน"


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    error: AppError | None


def user_authenticate(*, username: str, password: str, ip: str = "") -> User:
    """Check a username and password; count failures and lock the account after too many.

    Failures are committed (and audited) before the error is raised, so a failed attempt is
    never rolled back with the request.
    """
    outcome = _authenticate_and_record(username=username, password=password, ip=ip)
    if outcome.error is not None:
        raise outcome.error
    assert outcome.user is not None
    return outcome.user


@transaction.atomic
def _authenticate_and_record(*, username: str, password: str, ip: str) -> LoginOutcome:
    now = timezone.now()
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        User().set_password(password)  # same work as a real check, so timing reveals nothing
        audit_record(actor=None, action="auth.login_failed", summary=f"ชื่อผู้ใช้ไม่มีในระบบ: {username}"[:200],
                     data={"username": username[:150], "ip": ip})
        return LoginOutcome(None, LoginFailedError())
    if user.locked_until is not None and user.locked_until > now:
        audit_record(actor=user, action="auth.login_refused_locked", obj=user, data={"ip": ip})
        return LoginOutcome(None, AccountLockedError(locked_until=user.locked_until.isoformat()))
    if not user.check_password(password):
        user.failed_logins += 1
        data: dict[str, Any] = {"ip": ip, "failed_logins": user.failed_logins}
        if user.failed_logins >= settings.SARABAN_LOGIN_MAX_FAILURES:
            user.locked_until = now + dt.timedelta(minutes=settings.SARABAN_LOGIN_LOCK_MINUTES)
            user.failed_logins = 0
            data["locked_until"] = user.locked_until.isoformat()
            user.save(update_fields=["failed_logins", "locked_until"])
            audit_record(actor=user, action="auth.account_locked", obj=user, data=data)
            return LoginOutcome(None, AccountLockedError(locked_until=user.locked_until.isoformat()))
        user.save(update_fields=["failed_logins"])
        audit_record(actor=user, action="auth.login_failed", obj=user, data=data)
        return LoginOutcome(None, LoginFailedError())
    if not user.is_active:
        audit_record(actor=user, action="auth.login_refused_inactive", obj=user, data={"ip": ip})
        return LoginOutcome(None, AccountDisabledError())
    user.failed_logins = 0
    user.locked_until = None
    user.last_login = now
    user.save(update_fields=["failed_logins", "locked_until", "last_login"])
    audit_record(actor=user, action="auth.login", obj=user, data={"ip": ip})
    return LoginOutcome(user, None)


def user_logout_record(*, user: User, reason: str) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="auth.logout", obj=user, data={"reason": reason})


def generate_password(length: int = 14) -> str:
    alphabet = string.ascii_letters + string.digits
    while True:
        value = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isdigit() for c in value) and any(c.isalpha() for c in value):
            return value


def _validated(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(" ".join(exc.messages), code="AUTH-010") from exc


def user_create(
    *,
    actor: User | None,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    position: str = "",
    email: str = "",
    clearance: int = 0,
    can_open: bool = True,
    can_receive: bool = False,
    can_send: bool = False,
    memberships: list[tuple[OrgUnit, str]] | None = None,
    must_change_password: bool = True,
    validate: bool = True,
) -> User:
    with transaction.atomic():
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            title=title,
            position=position,
            email=email,
            clearance=clearance,
            can_open=can_open,
            can_receive=can_receive,
            can_send=can_send,
            must_change_password=must_change_password,
        )
        if validate:
            _validated(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save()
        for unit, role in memberships or []:
            Membership.objects.create(user=user, unit=unit, role=role)
        audit_record(
            actor=actor,
            action="user.created",
            obj=user,
            summary=f"สร้างผู้ใช้ {username}",
            data=_rights_snapshot(user),
        )
        return user


def _rights_snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "clearance": user.clearance,
        "can_open": user.can_open,
        "can_receive": user.can_receive,
        "can_send": user.can_send,
        "is_active": user.is_active,
        "memberships": sorted(f"{m.unit_id}:{m.role}" for m in user.memberships.all()),
    }


def user_record_change(*, actor: User | None, user: User, action: str = "user.changed") -> None:
    """Audit a change to a user made through the admin UI (called inside its transaction)."""
    audit_record(actor=actor, action=action, obj=user, summary=f"แก้ไขผู้ใช้ {user.username}",
                 data=_rights_snapshot(user))


def user_change_password(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError("รหัสผ่านเดิมไม่ถูกต้อง", code="AUTH-011")
    _validated(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "must_change_password", "password_changed_at"])
        audit_record(actor=user, action="auth.password_changed", obj=user)


def user_unlock(*, actor: User, user: User) -> None:
    with transaction.atomic():
        user.locked_until = None
        user.failed_logins = 0
        user.save(update_fields=["locked_until", "failed_logins"])
        audit_record(actor=actor, action="user.unlocked", obj=user, summary=f"ปลดล็อก {user.username}")


def user_reset_password(*, actor: User, user: User) -> str:
    """Give the user a generated password that must be changed at the next sign-in."""
    password = generate_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.locked_until = None
        user.failed_logins = 0
        user.save(update_fields=["password", "must_change_password", "locked_until", "failed_logins"])
        audit_record(actor=actor, action="user.password_reset", obj=user, summary=f"ตั้งรหัสผ่านใหม่ให้ {user.username}")
    return password
