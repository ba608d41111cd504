"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238) and one-time recovery codes.

Every enrolment, use, failure, recovery and removal is audited in the transaction that makes it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

import pyotp
from django.db import transaction
from django.utils import timezone

from govcommon.errors import AppError
from saraban.accounts.models import Role, User
from saraban.audit.services import audit_record
from saraban.security.models import RecoveryCode, TotpDevice, TwoFactorPolicy

ISSUER = "Saraban"
RECOVERY_CODE_COUNT = 10
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class TwoFactorCodeError(AppError):
    code = "AUTH-020"
    http_status = 400
    default_message = "รหัสยืนยันตัวตนไม่ถูกต้องหรือหมดอายุ"


class TwoFactorStateError(AppError):
    code = "AUTH-021"
    http_status = 409
    default_message = "สถานะการยืนยันตัวตนสองขั้นตอนไม่ถูกต้องสำหรับคำขอนี้"


class TwoFactorForbiddenError(AppError):
    code = "AUTH-023"
    http_status = 403
    default_message = "เฉพาะผู้ดูแลระบบเท่านั้นที่ดำเนินการนี้ได้"


class TwoFactorRequiredError(AppError):
    code = "AUTH-022"
    http_status = 403
    default_message = "นโยบายของส่วนราชการกำหนดให้ผู้ใช้นี้ต้องใช้การยืนยันตัวตนสองขั้นตอน"


def policy() -> TwoFactorPolicy:
    return TwoFactorPolicy.objects.filter(pk=1).first() or TwoFactorPolicy()


def totp_required(user: User) -> bool:
    """Whether the agency's policy requires a second factor of this user (signers and admins by default)."""
    rule = policy()
    if rule.required_for_everyone:
        return True
    if rule.required_for_admins and (user.is_superuser or user.has_role(Role.ADMIN)):
        return True
    return rule.required_for_executives and user.has_role(Role.EXECUTIVE)


def totp_device(user: User) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user).first()


def totp_enabled(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def totp_uri(device: TotpDevice) -> str:
    return pyotp.TOTP(device.secret).provisioning_uri(name=device.user.get_username(), issuer_name=ISSUER)


_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def _normalise_code(code: str) -> str:
    """Spaces and dashes dropped, Thai digits read as digits, letters upper-cased."""
    return "".join(ch for ch in code if not ch.isspace() and ch != "-").translate(_THAI_DIGITS).upper()


def _hash_recovery(user: User, code: str) -> str:
    # Codes are random (50 bits), so a keyed fast hash is enough; the user id stops reuse across users.
    return hashlib.sha256(f"{user.pk}:{_normalise_code(code)}".encode("utf-8", "replace")).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_hash_recovery(user, c)) for c in codes])
    return codes


def _matching_step(device: TotpDevice, code: str) -> int | None:
    """The time step of a valid code (one step of clock drift either way), or None."""
    code = _normalise_code(code)
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(device.secret)
    now = timezone.now()
    step_now = totp.timecode(now)
    for step in (step_now, step_now - 1, step_now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def totp_enrolment_start(*, user: User) -> TotpDevice:
    """Create (or replace) an unconfirmed authenticator secret; a confirmed one is never replaced here."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is not None and device.confirmed:
            raise TwoFactorStateError("ผู้ใช้นี้ตั้งค่าการยืนยันตัวตนสองขั้นตอนไว้แล้ว")
        if device is None:
            device = TotpDevice(user=user)
        device.secret = pyotp.random_base32(length=32)
        device.save()
        audit_record(actor=user, action="auth.2fa_enrolment_started", obj=user)
        return device


def totp_enrolment_confirm(*, user: User, code: str) -> list[str]:
    """Confirm the authenticator with one correct code; returns the recovery codes (shown once)."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None or device.confirmed:
            raise TwoFactorStateError()
        step = _matching_step(device, code)
        if step is None:
            raise TwoFactorCodeError()
        device.confirmed_at = timezone.now()
        device.last_used_step = step
        device.save(update_fields=["confirmed_at", "last_used_step"])
        codes = _new_recovery_codes(user)
        audit_record(actor=user, action="auth.2fa_enrolled", obj=user,
                     summary=f"ตั้งค่ายืนยันตัวตนสองขั้นตอน {user.username}", data={"recovery_codes": len(codes)})
        return codes


def totp_verify(*, user: User, code: str, ip: str = "") -> None:
    """The second sign-in step. A code is accepted once only; failures are committed and audited."""
    error = _verify_and_record(user=user, code=code, ip=ip)
    if error is not None:
        raise error


@transaction.atomic
def _verify_and_record(*, user: User, code: str, ip: str) -> AppError | None:
    device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return TwoFactorStateError()
    step = _matching_step(device, code)
    if step is None or step <= device.last_used_step:
        audit_record(actor=user, action="auth.2fa_failed", obj=user,
                     data={"ip": ip, "replay": step is not None})
        return TwoFactorCodeError()
    device.last_used_step = step
    device.save(update_fields=["last_used_step"])
    audit_record(actor=user, action="auth.2fa_verified", obj=user, data={"ip": ip})
    return None


def recovery_code_use(*, user: User, code: str, ip: str = "") -> int:
    """Sign in with a recovery code instead of the app; the code is spent. Returns codes left."""
    result = _recovery_and_record(user=user, code=code, ip=ip)
    if isinstance(result, AppError):
        raise result
    return result


@transaction.atomic
def _recovery_and_record(*, user: User, code: str, ip: str) -> int | AppError:
    if not TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        return TwoFactorStateError()
    spent = (
        RecoveryCode.objects.select_for_update()
        .filter(user=user, code_hash=_hash_recovery(user, code), used_at__isnull=True)
        .first()
    )
    if spent is None:
        audit_record(actor=user, action="auth.2fa_recovery_failed", obj=user, data={"ip": ip})
        return TwoFactorCodeError("รหัสกู้คืนไม่ถูกต้องหรือถูกใช้ไปแล้ว")
    spent.used_at = timezone.now()
    spent.save(update_fields=["used_at"])
    left = RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()
    audit_record(actor=user, action="auth.2fa_recovery_used", obj=user, data={"ip": ip, "codes_left": left})
    return left


def recovery_codes_regenerate(*, user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), authorised by a current app code."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
        if device is None:
            raise TwoFactorStateError()
        step = _matching_step(device, code)
        if step is None or step <= device.last_used_step:
            raise TwoFactorCodeError()
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
        codes = _new_recovery_codes(user)
        audit_record(actor=user, action="auth.2fa_recovery_regenerated", obj=user)
        return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def totp_disable(*, actor: User, user: User, code: str = "") -> None:
    """Remove a user's second factor: by the user (with a current code, only when policy allows)
    or by an agency administrator for another user (lost phone and codes)."""
    from saraban.accounts.permissions import is_agency_admin

    by_admin = actor.pk != user.pk
    if by_admin and not is_agency_admin(actor):
        raise TwoFactorForbiddenError()
    if not by_admin and totp_required(user):
        raise TwoFactorRequiredError()
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user).first()
        if device is None:
            raise TwoFactorStateError("ผู้ใช้นี้ยังไม่ได้ตั้งค่าการยืนยันตัวตนสองขั้นตอน")
        if not by_admin and device.confirmed:
            step = _matching_step(device, code)
            if step is None or step <= device.last_used_step:
                raise TwoFactorCodeError()
        device.delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit_record(actor=actor, action="auth.2fa_disabled", obj=user,
                     summary=f"ยกเลิกยืนยันตัวตนสองขั้นตอน {user.username}", data={"by_admin": by_admin})


def totp_policy_set(*, actor: User, executives: bool, admins: bool, everyone: bool) -> TwoFactorPolicy:
    from saraban.accounts.permissions import is_agency_admin

    if not is_agency_admin(actor):
        raise TwoFactorForbiddenError()
    with transaction.atomic():
        rule, _ = TwoFactorPolicy.objects.select_for_update().get_or_create(pk=1)
        rule.required_for_executives = executives
        rule.required_for_admins = admins
        rule.required_for_everyone = everyone
        rule.save()
        audit_record(actor=actor, action="auth.2fa_policy_changed", obj=rule,
                     data={"executives": executives, "admins": admins, "everyone": everyone})
        return rule

