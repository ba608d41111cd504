"""Web hardening: security headers, the two-factor session gate and sign-in throttling.

Throttling counts failed attempts in Django's cache (per client address and per username) over a
sliding window of fixed buckets. With several server processes the cache must be shared
(database, file or Redis cache), or each process counts on its own; see docs/SECURITY.md.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Session keys of the two-step sign-in (set by accounts.views.login_view).
SESSION_PENDING_USER = "saraban_2fa_pending_user"
SESSION_PENDING_SINCE = "saraban_2fa_pending_since"
SESSION_PENDING_NEXT = "saraban_2fa_pending_next"
SESSION_PENDING_FAILURES = "saraban_2fa_pending_failures"
SESSION_MUST_ENROL = "saraban_2fa_must_enrol"
PENDING_MAX_SECONDS = 300
PENDING_MAX_FAILURES = 5


class SecurityHeadersMiddleware:
    """Adds Content-Security-Policy (no inline script or style) and Permissions-Policy to every
    response; pages are never cached by shared caches once a user is signed in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-store"
        return response


_ENROL_ALLOWED = ("accounts-2fa-enrol", "accounts-logout", "accounts-password-change")


class TwoFactorSessionMiddleware:
    """Keeps a session that signed in with the password only, while policy requires a second
    factor the user has not set up yet, on the enrolment page until enrolment is done."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.session.get(SESSION_MUST_ENROL):
            allowed = {reverse(name) for name in _ENROL_ALLOWED}
            path = request.path
            if path not in allowed and not path.startswith(("/static/", "/i18n/")):
                return redirect("accounts-2fa-enrol")
        return self.get_response(request)


def client_ip(request: HttpRequest) -> str:
    """The client address. Behind a reverse proxy set SARABAN_TRUSTED_PROXY_HEADER (for
    example HTTP_X_REAL_IP) to the header the proxy overwrites; never trust it otherwise."""
    header = getattr(settings, "SARABAN_TRUSTED_PROXY_HEADER", "")
    value = request.META.get(header, "") if header else ""
    return str(value or request.META.get("REMOTE_ADDR", "")).split(",")[0].strip()[:64]


def _window() -> tuple[int, int]:
    return settings.SARABAN_LOGIN_RATE_WINDOW_SECONDS, settings.SARABAN_LOGIN_RATE_BUCKETS


def _keys(kind: str, value: str) -> list[str]:
    window, buckets = _window()
    size = max(1, window // buckets)
    now = int(time.time()) // size
    digest = hashlib.sha256(value.casefold().encode()).hexdigest()[:32]
    return [f"saraban:rl:{kind}:{digest}:{now - i}" for i in range(buckets)]


def _count(kind: str, value: str) -> int:
    return sum(int(v) for v in cache.get_many(_keys(kind, value)).values())


def _hit(kind: str, value: str) -> None:
    key = _keys(kind, value)[0]
    window, _ = _window()
    if not cache.add(key, 1, timeout=window + 60):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window + 60)


def login_throttled(*, ip: str, username: str) -> bool:
    """True when this address or this username has failed too often within the window."""
    if ip and _count("ip", ip) >= settings.SARABAN_LOGIN_RATE_PER_IP:
        return True
    return bool(username) and _count("user", username) >= settings.SARABAN_LOGIN_RATE_PER_USER


def login_failure_count(*, ip: str, username: str) -> None:
    """Count one failed attempt (wrong password, wrong second-factor code) against both keys."""
    if ip:
        _hit("ip", ip)
    if username:
        _hit("user", username)


def throttled_response(request: HttpRequest) -> HttpResponse:
    window, _ = _window()
    response = render(request, "security/throttled.html", {"minutes": max(1, window // 60)}, status=429)
    response["Retry-After"] = str(window)
    return response
