"""Buddhist Era dates, Thai month names, time as ``hh.mm น.`` and Thai digits.

Official letters write the day as a number, the month in full and the BE year
(๒๕ พฤษภาคม ๒๕๖๔); registers and stamps use the short month (25 พ.ค. 2564).
Numbers are always stored as integers; digits are converted only for display.
"""

from __future__ import annotations

import datetime as dt

BE_OFFSET = 543

MONTHS_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)
MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)
_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
_TO_ARABIC = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def thai_digits(text: object) -> str:
    return str(text).translate(_TO_THAI)


def arabic_digits(text: object) -> str:
    return str(text).translate(_TO_ARABIC)


def digits(text: object, *, thai: bool) -> str:
    return thai_digits(text) if thai else str(text)


def be_year(value: dt.date) -> int:
    return value.year + BE_OFFSET


def format_date(value: dt.date, *, style: str = "full", thai: bool = False) -> str:
    """``full``: 25 พฤษภาคม 2564; ``short``: 25 พ.ค. 2564; ``numeric``: 25/05/2564."""
    if isinstance(value, dt.datetime):
        value = value.date()
    year = be_year(value)
    if style == "full":
        text = f"{value.day} {MONTHS_FULL[value.month - 1]} {year}"
    elif style == "short":
        text = f"{value.day} {MONTHS_SHORT[value.month - 1]} {year}"
    elif style == "numeric":
        text = f"{value.day:02d}/{value.month:02d}/{year}"
    else:
        raise ValueError(f"unknown date style {style!r}")
    return digits(text, thai=thai)


def format_time(value: dt.time | dt.datetime, *, thai: bool = False) -> str:
    """Time the Thai official way: 10.30 น."""
    return digits(f"{value.hour:02d}.{value.minute:02d} น.", thai=thai)


def format_datetime(value: dt.datetime, *, style: str = "short", thai: bool = False) -> str:
    return f"{format_date(value, style=style, thai=thai)} {format_time(value, thai=thai)}"


def month_name(month: int) -> str:
    return MONTHS_FULL[month - 1]
