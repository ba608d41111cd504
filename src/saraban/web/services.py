from __future__ import annotations

from saraban.accounts.models import AgencyProfile


def agency_profile() -> AgencyProfile | None:
    """This installation's profile (one small indexed read per request)."""
    return AgencyProfile.objects.select_related("root_unit").filter(pk=1).first()
