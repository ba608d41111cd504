"""Template filters for the Buddhist Era calendar and the agency's choice of digits."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from govcommon import thaidate
from saraban.web.display import use_thai_digits

register = template.Library()


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def thdate(value: dt.date | dt.datetime | None, style: str = "short") -> str:
    """``{{ d|thdate }}`` → 25 พ.ค. 2564; ``{{ d|thdate:"full" }}`` → 25 พฤษภาคม 2564."""
    if value in (None, ""):
        return ""
    assert value is not None
    return thaidate.format_date(_local(value), style=style, thai=use_thai_digits.get())


@register.filter
def thdatetime(value: dt.datetime | None, style: str = "short") -> str:
    if value is None:
        return ""
    local = _local(value)
    assert isinstance(local, dt.datetime)
    return thaidate.format_datetime(local, style=style, thai=use_thai_digits.get())


@register.filter
def thtime(value: dt.datetime | dt.time | None) -> str:
    if value is None:
        return ""
    local = _local(value) if isinstance(value, dt.datetime) else value
    assert isinstance(local, dt.datetime | dt.time)
    return thaidate.format_time(local, thai=use_thai_digits.get())


@register.filter
def thnum(value: object) -> str:
    """Digits in the agency's chosen style (Arabic or Thai)."""
    if value is None:
        return ""
    return thaidate.digits(value, thai=use_thai_digits.get())
