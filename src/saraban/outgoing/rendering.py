"""The official layouts (ภาคผนวก of the regulation) as HTML for WeasyPrint, and their PDF.

A4, margins top 2.5 cm, left 3 cm, right 2 cm; the crest at the top (3 cm for external letters,
1.5 cm for internal memos); 16 pt Thai body; speed and secrecy marks in red, speed ≥ 32 pt;
page numbers from page two on.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from govcommon import thaidate
from saraban.accounts.models import AgencyProfile, User
from saraban.correspondence.enums import LetterKind, LetterSubKind, Secrecy, Speed
from saraban.correspondence.models import Letter
from saraban.lib.pdf import THAI_FONT_FAMILY, render_pdf

CREST_PLACEHOLDER = Path(__file__).resolve().parent.parent / "static" / "outgoing" / "crest-placeholder.png"

# What the heading of each directive / public-relations / evidence sub-kind says.
TITLE_OF: dict[str, str] = {
    LetterSubKind.ORDER: "คำสั่ง",
    LetterSubKind.REGULATION: "ระเบียบ",
    LetterSubKind.BYLAW: "ข้อบังคับ",
    LetterSubKind.ANNOUNCEMENT: "ประกาศ",
    LetterSubKind.STATEMENT: "แถลงการณ์",
    LetterSubKind.NEWS: "ข่าว",
    LetterSubKind.CERTIFICATE: "หนังสือรับรอง",
    LetterSubKind.MINUTES: "รายงานการประชุม",
    LetterSubKind.NOTE: "บันทึก",
}


@dataclass(frozen=True)
class Signature:
    name: str
    position: str


def crest_path() -> Path:
    """The agency's Garuda crest if uploaded (SARABAN_CREST_IMAGE), else a neutral placeholder."""
    configured = getattr(settings, "SARABAN_CREST_IMAGE", "") or ""
    path = Path(configured) if configured else CREST_PLACEHOLDER
    return path if path.is_file() else CREST_PLACEHOLDER


def _thai(profile: AgencyProfile | None) -> bool:
    return True if profile is None else profile.use_thai_digits


def letter_context(
    *, letter: Letter, extra: dict[str, Any], salutation: str, closing: str, signature: Signature | None,
    file_copy: dict[str, str] | None = None,
) -> dict[str, Any]:
    profile = AgencyProfile.objects.select_related("root_unit").filter(pk=1).first()
    thai = _thai(profile)
    date = letter.letter_date or timezone.localdate()
    unit = letter.owner_unit
    root = profile.root_unit if profile else unit

    def d(text: object) -> str:
        return thaidate.digits(str(text), thai=thai)

    return {
        "letter": letter,
        "kind": letter.kind,
        "subkind": letter.subkind,
        "title": TITLE_OF.get(letter.subkind, ""),
        "extra": {k: d(v) for k, v in extra.items()},
        "reference": d(letter.reference_no),
        "date_text": thaidate.format_date(date, style="full", thai=thai),
        "day_text": d(date.day),
        "month_text": thaidate.month_name(date.month),
        "year_text": d(date.year + 543),
        "salutation": salutation,
        "closing": closing,
        "signature": signature,
        "speed": Speed(letter.speed).label if letter.speed else "",
        "secrecy": Secrecy(letter.secrecy).label if letter.secrecy else "",
        "agency_name": root.name if root else "",
        "agency_address": d(root.address) if root else "",
        "unit_name": unit.name if unit else "",
        "unit_phone": d(unit.phone) if unit else "",
        "unit_email": unit.email if unit else "",
        "body_paragraphs": [d(p) for p in letter.body.split("\n") if p.strip()],
        "references": d(letter.references),
        "enclosures": d(letter.enclosures),
        "copies_to": d(letter.copies_to),
        "crest": crest_path().as_uri(),
        "font_family": THAI_FONT_FAMILY,
        "file_copy": file_copy,
        "extra_thai": thai,
    }


def letter_html(**kwargs: Any) -> str:
    return render_to_string("outgoing/pdf/letter.html", letter_context(**kwargs))


def letter_pdf(**kwargs: Any) -> bytes:
    return render_pdf(letter_html(**kwargs))


def cover_pdf(*, letter: Letter, recipient: str, sender: User) -> bytes:
    """The cover letter (หนังสือนำส่ง) that goes with every electronic delivery."""
    cover = Letter(
        kind=LetterKind.EXTERNAL, subject=f"ส่ง{letter.subject}", recipient_text=recipient,
        reference_no=letter.reference_no, letter_date=letter.letter_date or timezone.localdate(),
        owner_unit=letter.owner_unit, speed=letter.speed, secrecy=letter.secrecy,
        enclosures=f"{letter.subject} จำนวน ๑ ฉบับ",
        body=f"ด้วย{letter.owner_unit.name if letter.owner_unit else ''}ขอส่ง{letter.subject} "
             "รายละเอียดปรากฏตามสิ่งที่ส่งมาด้วย\nจึงเรียนมาเพื่อโปรดทราบ",
    )
    return letter_pdf(letter=cover, extra={}, salutation="เรียน", closing="ขอแสดงความนับถือ",
                      signature=Signature(name=sender.get_full_name(), position=sender.position))


def letter_source_blocks(pdf_html: str) -> list[str]:
    """The text of each paragraph a letter's HTML shows: what its PDF text layer must read back."""
    body = re.sub(r"(?s)<style.*?</style>", "", pdf_html)
    blocks = re.findall(r"(?s)<p[^>]*>(.*?)</p>", body)
    return [t for t in (" ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", b)).split()) for b in blocks) if t]
