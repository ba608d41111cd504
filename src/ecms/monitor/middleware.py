from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from ecms.monitor.models import Officer


class PasswordChangeRequiredMiddleware:
    """An officer signed in with the e-mailed password must choose its own before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.path.startswith("/monitor/"):
            allowed = (reverse("monitor-password-change"), reverse("monitor-logout"))
            if (
                request.path not in allowed
                and Officer.objects.filter(user_id=user.pk, must_change_password=True).exists()
            ):
                return redirect("monitor-password-change")
        return self.get_response(request)
