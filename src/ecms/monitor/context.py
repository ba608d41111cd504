from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ecms.monitor.selectors import is_hub_admin


def environment(request: HttpRequest) -> dict[str, Any]:
    """The environment banner of the hub on every page, and whether the user administers the hub."""
    return {
        "ecms_environment": settings.ECMS_ENVIRONMENT,
        "ecms_banner_text": settings.ECMS_BANNER_TEXT,
        "ecms_banner_colour": settings.ECMS_BANNER_COLOUR,
        "is_hub_admin": is_hub_admin(request.user) if hasattr(request, "user") else False,
    }
