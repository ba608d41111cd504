"""Standard file names of letters sent by e-mail (see docs/EMAIL.md, "File names").

    <reference>_<YYYYMMDD>.pdf            the letter itself
    <reference>_<YYYYMMDD>_cover.pdf      the cover letter (หนังสือนำส่ง), always included
    <reference>_<YYYYMMDD>_att<N>.pdf     enclosures, numbered from 1 in the order they were added

<reference> is the letter's ที่ with "/" replaced by "-", spaces removed and characters that file
systems refuse dropped (ดศ 0101/ว 45 → ดศ0101-ว45); <YYYYMMDD> is the letter's date in the
Christian era (ISO 8601 basic form, so names sort by date and every system reads them the same way).
"""

from __future__ import annotations

import datetime as dt
import re

_FORBIDDEN = re.compile(r'[\\:*?"<>|\x00-\x1f]')


def reference_part(reference_no: str) -> str:
    text = reference_no.strip().replace("/", "-")
    text = _FORBIDDEN.sub("", re.sub(r"\s+", "", text))
    return text or "no-reference"


def letter_file_name(*, reference_no: str, letter_date: dt.date, suffix: str = "") -> str:
    stem = f"{reference_part(reference_no)}_{letter_date:%Y%m%d}"
    return f"{stem}_{suffix}.pdf" if suffix else f"{stem}.pdf"


STANDARD_NAME = re.compile(r"^(?P<ref>[^_]+)_(?P<date>\d{8})(?:_(?P<suffix>cover|att\d+))?\.pdf$", re.IGNORECASE)
