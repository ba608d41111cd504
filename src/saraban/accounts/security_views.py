"""Pages of two-factor sign-in: the second step after the password, enrolment, recovery codes,
removal, and the agency's policy. Each view authorises, parses, calls one service, renders."""

from __future__ import annotations

import time

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from govcommon.errors import AppError
from saraban.accounts import totp
from saraban.accounts.models import Role, User
from saraban.accounts.permissions import require_role
from saraban.web import security

_BACKEND = "django.contrib.auth.backends.ModelBackend"


class CodeForm(forms.Form):
    code = forms.CharField(label="รหัส 6 หลักจากแอปยืนยันตัวตน", max_length=16, required=False)
    recovery = forms.CharField(label="หรือรหัสกู้คืน", max_length=32, required=False)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("code") and not data.get("recovery"):
            raise forms.ValidationError("กรุณากรอกรหัสจากแอปหรือรหัสกู้คืน")
        return data


class PolicyForm(forms.Form):
    executives = forms.BooleanField(label="บังคับสำหรับผู้บริหาร (ผู้ลงนาม)", required=False)
    admins = forms.BooleanField(label="บังคับสำหรับผู้ดูแลระบบ", required=False)
    everyone = forms.BooleanField(label="บังคับสำหรับผู้ใช้ทุกคน", required=False)


def _safe_next(request: HttpRequest, next_url: str) -> str:
    return next_url if url_has_allowed_host_and_scheme(next_url, {request.get_host()}) else ""


def login_finish(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """After a correct password: ask for the second factor, or sign in (and send a user whom
    policy requires to use one, but who has none yet, to enrolment)."""
    next_url = _safe_next(request, next_url)
    if totp.totp_enabled(user):
        request.session.cycle_key()
        request.session[security.SESSION_PENDING_USER] = user.pk
        request.session[security.SESSION_PENDING_SINCE] = int(time.time())
        request.session[security.SESSION_PENDING_NEXT] = next_url
        request.session[security.SESSION_PENDING_FAILURES] = 0
        return redirect("accounts-2fa-verify")
    login(request, user, backend=_BACKEND)
    if totp.totp_required(user):
        request.session[security.SESSION_MUST_ENROL] = True
        return redirect("accounts-2fa-enrol")
    return redirect(next_url or "web-home")


def _pending_user(request: HttpRequest) -> User | None:
    pk = request.session.get(security.SESSION_PENDING_USER)
    since = int(request.session.get(security.SESSION_PENDING_SINCE, 0))
    if pk is None or time.time() - since > security.PENDING_MAX_SECONDS:
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def _pending_clear(request: HttpRequest) -> None:
    for key in (security.SESSION_PENDING_USER, security.SESSION_PENDING_SINCE,
                security.SESSION_PENDING_NEXT, security.SESSION_PENDING_FAILURES):
        request.session.pop(key, None)


@require_http_methods(["GET", "POST"])
def totp_verify_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        _pending_clear(request)
        return redirect("accounts-login")
    ip = security.client_ip(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if security.login_throttled(ip=ip, username=user.username):
            return security.throttled_response(request)
        try:
            if form.cleaned_data["code"]:
                totp.totp_verify(user=user, code=form.cleaned_data["code"], ip=ip)
                left = None
            else:
                left = totp.recovery_code_use(user=user, code=form.cleaned_data["recovery"], ip=ip)
        except AppError as exc:
            security.login_failure_count(ip=ip, username=user.username)
            failures = int(request.session.get(security.SESSION_PENDING_FAILURES, 0)) + 1
            request.session[security.SESSION_PENDING_FAILURES] = failures
            if failures >= security.PENDING_MAX_FAILURES:
                _pending_clear(request)
                return redirect("accounts-login")
            form.add_error(None, exc.message)
        else:
            next_url = str(request.session.get(security.SESSION_PENDING_NEXT, ""))
            _pending_clear(request)
            login(request, user, backend=_BACKEND)
            if left is not None:
                messages.warning(request, f"ใช้รหัสกู้คืนแล้ว เหลืออีก {left} รหัส กรุณาตั้งค่าแอปยืนยันตัวตนใหม่หากทำโทรศัพท์หาย")
            return redirect(_safe_next(request, next_url) or "web-home")
    return render(request, "security/verify.html", {"form": form, "pending": user})


@login_required
@require_http_methods(["GET", "POST"])
def totp_enrol_view(request: HttpRequest) -> HttpResponse:
    """GET: status (and the secret while enrolment is open). POST action=start|confirm."""
    user = request.user
    assert isinstance(user, User)
    form = CodeForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "start":
        totp.totp_enrolment_start(user=user)
        return redirect("accounts-2fa-enrol")
    if request.method == "POST" and action == "confirm" and form.is_valid():
        try:
            codes = totp.totp_enrolment_confirm(user=user, code=form.cleaned_data["code"] or "")
        except AppError as exc:
            form.add_error(None, exc.message)
        else:
            request.session.pop(security.SESSION_MUST_ENROL, None)
            return render(request, "security/recovery_codes.html", {"codes": codes})
    device = totp.totp_device(user)
    context = {
        "form": form,
        "device": device,
        "secret": device.secret if device is not None and not device.confirmed else "",
        "uri": totp.totp_uri(device) if device is not None and not device.confirmed else "",
        "required": totp.totp_required(user),
        "must_enrol": bool(request.session.get(security.SESSION_MUST_ENROL)),
        "codes_left": totp.recovery_codes_left(user) if device is not None and device.confirmed else 0,
    }
    return render(request, "security/enrol.html", context)


@login_required
@require_POST
def recovery_codes_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    codes = totp.recovery_codes_regenerate(user=user, code=request.POST.get("code", "")[:16])
    return render(request, "security/recovery_codes.html", {"codes": codes})


@login_required
@require_POST
def totp_disable_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    totp.totp_disable(actor=user, user=user, code=request.POST.get("code", "")[:16])
    messages.success(request, "ยกเลิกการยืนยันตัวตนสองขั้นตอนแล้ว")
    return redirect("accounts-2fa-enrol")


@require_role(Role.ADMIN)
@require_POST
def totp_reset_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """An agency administrator removes another user's second factor (lost phone and codes)."""
    actor = request.user
    assert isinstance(actor, User)
    target = get_object_or_404(User, pk=user_id)
    totp.totp_disable(actor=actor, user=target)
    messages.success(request, f"ยกเลิกการยืนยันตัวตนสองขั้นตอนของ {target.username} แล้ว")
    return redirect("accounts-2fa-policy")


@require_role(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def totp_policy_view(request: HttpRequest) -> HttpResponse:
    actor = request.user
    assert isinstance(actor, User)
    rule = totp.policy()
    form = PolicyForm(request.POST or None, initial={
        "executives": rule.required_for_executives, "admins": rule.required_for_admins,
        "everyone": rule.required_for_everyone,
    })
    if request.method == "POST" and form.is_valid():
        totp.totp_policy_set(actor=actor, executives=form.cleaned_data["executives"],
                             admins=form.cleaned_data["admins"], everyone=form.cleaned_data["everyone"])
        messages.success(request, "บันทึกนโยบายแล้ว")
        return redirect("accounts-2fa-policy")
    enrolled = User.objects.filter(totp_device__confirmed_at__isnull=False).order_by("username")
    return render(request, "security/policy.html", {"form": form, "enrolled": enrolled})
