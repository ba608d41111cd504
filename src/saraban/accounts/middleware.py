from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from saraban.accounts.models import User
from saraban.accounts.services import user_logout_record

_KEY = "saraban_last_seen"
_ALLOWED_WHILE_CHANGING = ("accounts-password-change", "accounts-logout", "set_language")


class IdleTimeoutMiddleware:
    """Signs a user out after a period without requests (the session cookie has its own hard
    limit) and keeps a user whose password must be changed on the password page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            assert isinstance(user, User)
            now = int(time.time())
            last = request.session.get(_KEY)
            if last is not None and now - int(last) > settings.SARABAN_IDLE_TIMEOUT_SECONDS:
                user_logout_record(user=user, reason="idle_timeout")
                logout(request)
                return redirect(reverse("accounts-login") + "?expired=1")
            request.session[_KEY] = now
            if user.must_change_password and not request.path.startswith("/static/"):
                allowed = {reverse(name) for name in _ALLOWED_WHILE_CHANGING if name != "set_language"}
                if request.path not in allowed and not request.path.startswith("/i18n/"):
                    return redirect("accounts-password-change")
        return self.get_response(request)
