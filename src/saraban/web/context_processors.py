from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from saraban.accounts.models import User
from saraban.accounts.permissions import has_right, is_agency_admin
from saraban.web.services import agency_profile


def agency(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    nav: dict[str, bool] = {}
    if isinstance(user, User) and user.is_authenticated:
        nav = {
            "open": has_right(user, "open"),
            "receive": has_right(user, "receive"),
            "send": has_right(user, "send"),
            "admin": is_agency_admin(user),
        }
    return {
        "agency": agency_profile(),
        "nav": nav,
        "now": timezone.now(),
        "instance_name": settings.INSTANCE,
    }
