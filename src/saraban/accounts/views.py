from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from govcommon.errors import AppError
from saraban.accounts.forms import LoginForm, PasswordChangeForm
from saraban.accounts.models import User
from saraban.accounts.security_views import login_finish
from saraban.accounts.services import user_authenticate, user_change_password, user_logout_record
from saraban.web.security import client_ip, login_failure_count, login_throttled, throttled_response


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if request.method == "POST" and form.is_valid():
        ip, username = client_ip(request), form.cleaned_data["username"]
        if login_throttled(ip=ip, username=username):
            return throttled_response(request)
        try:
            user = user_authenticate(username=username, password=form.cleaned_data["password"], ip=ip)
        except AppError as exc:
            login_failure_count(ip=ip, username=username)
            form.add_error(None, exc.message)
        else:
            return login_finish(request, user, next_url)  # second factor when enrolled or required
    return render(
        request,
        "accounts/login.html",
        {"form": form, "next": next_url, "expired": request.GET.get("expired")},
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        assert isinstance(request.user, User)
        user_logout_record(user=request.user, reason="user")
    logout(request)
    return redirect("accounts-login")


@login_required
@require_http_methods(["GET", "POST"])
def password_change_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user_change_password(
                user=user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except AppError as exc:
            form.add_error(None, exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "เปลี่ยนรหัสผ่านเรียบร้อยแล้ว")
            return redirect("web-home")
    return render(request, "accounts/password_change.html", {"form": form})
