"""Buddhist Era dates for the hub's pages (the hub has no per-agency digit setting: Arabic digits)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from govcommon import thaidate

register = template.Library()


@register.filter
def thdate(value: dt.date | None, style: str = "short") -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return thaidate.format_date(value, style=style)


@register.filter
def thdatetime(value: dt.datetime | None) -> str:
    if value is None:
        return "-"
    return thaidate.format_datetime(timezone.localtime(value))


@register.filter
def percent(value: float) -> str:
    return f"{value * 100:.1f}%"
