"""State changes of the Monitor site: registration, approval, refusal, password change.

Each runs in one transaction that writes a ``MonitorEvent``; e-mails leave after the commit.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ecms.hub.models import Organization
from ecms.monitor.models import MonitorEvent, Officer
from govcommon.errors import AppError

# No look-alike characters (0/O, 1/l/I): the password is typed from an e-mail.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105  # an alphabet


class RegistrationError(AppError):
    code = "MONITOR-REG-001"
    http_status = 400
    default_message = "ลงทะเบียนไม่ได้"


class DecisionError(AppError):
    code = "MONITOR-REG-002"
    http_status = 409
    default_message = "คำขอนี้ได้รับการพิจารณาแล้ว"


def _event(kind: str, *, actor: Any = None, officer: Officer | None = None, **data: Any) -> None:
    MonitorEvent.objects.create(
        kind=kind,
        actor=actor,
        officer=officer,
        organization=officer.organization if officer else None,
        data=data,
        created_at=timezone.now(),
    )


def password_generate(length: int = 12) -> str:
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def officer_register(*, full_name: str, org_id: str, position: str, email: str) -> Officer:
    """A records officer asks for an account; it waits for a hub administrator's decision."""
    email = email.strip().lower()
    user_model = get_user_model()
    with transaction.atomic():
        org = Organization.objects.filter(org_id=org_id, kind=Organization.Kind.DEPARTMENT, active=True).first()
        if org is None:
            raise RegistrationError("ไม่พบหน่วยงานนี้ในทะเบียนหน่วยงานของระบบกลาง")
        if user_model.objects.filter(username=email).exists():
            raise RegistrationError("อีเมลนี้ลงทะเบียนไว้แล้ว")
        user = user_model.objects.create_user(username=email, email=email, is_active=False)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        officer = Officer.objects.create(
            user=user,
            organization=org,
            full_name=full_name.strip(),
            position=position.strip(),
            email=email,
            created_at=timezone.now(),
        )
        _event(MonitorEvent.Kind.REGISTERED, officer=officer, email=email)
    return officer


def _pending(officer_id: int) -> Officer:
    officer = Officer.objects.select_for_update().select_related("user", "organization").filter(pk=officer_id).first()
    if officer is None:
        raise RegistrationError("ไม่พบคำขอ")
    if officer.status != Officer.Status.PENDING:
        raise DecisionError()
    return officer


def officer_approve(*, admin: AbstractBaseUser, officer_id: int) -> Officer:
    """Activate the account with a generated password, e-mailed once the approval is committed."""
    password = password_generate()
    with transaction.atomic():
        officer = _pending(officer_id)
        officer.status = Officer.Status.APPROVED
        officer.decided_by_id = admin.pk
        officer.decided_at = timezone.now()
        officer.must_change_password = True
        officer.save(update_fields=["status", "decided_by", "decided_at", "must_change_password"])
        user = officer.user
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        _event(MonitorEvent.Kind.APPROVED, actor=admin, officer=officer)
        body = (
            f"เรียน {officer.full_name}\n\n"
            f"ผู้ดูแลระบบกลางอนุมัติบัญชีระบบติดตามหนังสือ (Monitor) ของท่านแล้ว\n"
            f"ชื่อผู้ใช้: {officer.email}\n"
            f"รหัสผ่านชั่วคราว: {password}\n\n"
            f"เข้าสู่ระบบที่ {settings.ECMS_MONITOR_URL} ระบบจะขอให้เปลี่ยนรหัสผ่านในการเข้าใช้ครั้งแรก\n"
        )
        recipient = officer.email
        transaction.on_commit(
            lambda: send_mail(
                "บัญชีระบบติดตามหนังสือ e-CMS ได้รับอนุมัติแล้ว",
                body,
                settings.DEFAULT_FROM_EMAIL,
                [recipient],
            )
        )
    return officer


def officer_refuse(*, admin: AbstractBaseUser, officer_id: int, reason: str) -> Officer:
    with transaction.atomic():
        officer = _pending(officer_id)
        officer.status = Officer.Status.REFUSED
        officer.decided_by_id = admin.pk
        officer.decided_at = timezone.now()
        officer.refusal_reason = reason.strip()
        officer.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
        _event(MonitorEvent.Kind.REFUSED, actor=admin, officer=officer, reason=officer.refusal_reason)
        body = (
            f"เรียน {officer.full_name}\n\nคำขอบัญชีระบบติดตามหนังสือ (Monitor) ของท่านไม่ได้รับอนุมัติ\n"
            f"เหตุผล: {officer.refusal_reason or '-'}\n"
        )
        recipient = officer.email
        transaction.on_commit(
            lambda: send_mail("คำขอบัญชีระบบติดตามหนังสือ e-CMS ไม่ได้รับอนุมัติ", body, settings.DEFAULT_FROM_EMAIL, [recipient])
        )
    return officer


def officer_password_changed(*, user: AbstractBaseUser) -> None:
    """Record that the user chose its own password (the form already saved it)."""
    with transaction.atomic():
        officer = Officer.objects.select_for_update().filter(user_id=user.pk).first()
        if officer is not None:
            officer.must_change_password = False
            officer.save(update_fields=["must_change_password"])
        _event(MonitorEvent.Kind.PASSWORD_CHANGED, actor=user, officer=officer)
