from __future__ import annotations

from contextvars import ContextVar, Token

from saraban.accounts.models import AgencyProfile

# The profile read once per request by AgencyDisplayMiddleware; outside a request it is read afresh.
_request_profile: ContextVar[AgencyProfile | None] = ContextVar("request_profile", default=None)


def agency_profile() -> AgencyProfile | None:
    """This installation's profile (one small indexed read per request)."""
    cached = _request_profile.get()
    if cached is not None:
        return cached
    return AgencyProfile.objects.select_related("root_unit").filter(pk=1).first()


def agency_profile_for_request() -> tuple[AgencyProfile | None, Token[AgencyProfile | None]]:
    """Read the profile for the request now starting; returns it and the token that ends it."""
    profile = AgencyProfile.objects.select_related("root_unit").filter(pk=1).first()
    return profile, _request_profile.set(profile)


def agency_profile_request_end(token: Token[AgencyProfile | None]) -> None:
    _request_profile.reset(token)
