"""Opening letters and their files, with what secret letters require on the way out.

A cleared user who opens or downloads a file of a secret letter gets a copy with a watermark on
every page (the secrecy class, the viewer's name and username, the date and time), and every such
opening, download and view of a secret letter's page is audited. Scanned images of a secret letter
are served as a watermarked PDF. Files that have no pages (other types) are served as they are,
audited the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from urllib.parse import quote

import img2pdf
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone

from govcommon import thaidate
from saraban.accounts.models import User
from saraban.audit.services import audit_record
from saraban.correspondence import storage
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Letter, LetterFile
from saraban.lib.pdf import THAI_FONT_FAMILY, overlay_pages
from saraban.receiving.scans import img2pdf_ready

PDF = "application/pdf"


@dataclass(frozen=True)
class Served:
    data: bytes
    mime_type: str
    name: str


def watermark_text(viewer: User, letter: Letter) -> str:
    when = timezone.localtime()
    name = viewer.get_full_name() or viewer.get_username()
    return (f"{Secrecy(letter.secrecy).label} · {name} ({viewer.get_username()}) · "
            f"{thaidate.format_date(when, style='short')} {thaidate.format_time(when)}")


def _overlay_html(text: str, *, width_pt: float, height_pt: float) -> str:
    line = escape(text)
    rows = "".join(f'<div class="row">{line}</div>' for _ in range(7))
    return f"""<!doctype html><html lang="th"><head><meta charset="utf-8"><style>
@page {{ size: {width_pt:.2f}pt {height_pt:.2f}pt; margin: 0; }}
html, body {{ margin: 0; background: transparent; }}
.mark {{ position: absolute; left: -20%; top: 5%; width: 140%; transform: rotate(-30deg);
  font-family: {THAI_FONT_FAMILY}; font-size: 20pt; color: rgba(200, 0, 0, 0.22); text-align: center; }}
.row {{ white-space: nowrap; margin: 0 0 {height_pt / 8:.0f}pt 0; }}
.foot {{ position: absolute; left: 0; right: 0; bottom: 4mm; text-align: center;
  font-family: {THAI_FONT_FAMILY}; font-size: 10pt; color: rgba(200, 0, 0, 0.7); }}
</style></head><body><div class="mark">{rows}</div><div class="foot">{line}</div></body></html>"""


def watermark_pdf(data: bytes, text: str) -> bytes:
    """A copy of ``data`` with ``text`` across and at the foot of every page."""
    return overlay_pages(data, lambda width, height: _overlay_html(text, width_pt=width, height_pt=height))


def letter_page_viewed(*, viewer: User, letter: Letter) -> None:
    """Record that a cleared user opened a secret letter's page (normal letters are not recorded)."""
    if not letter.is_secret:
        return
    with transaction.atomic():
        audit_record(actor=viewer, action="letter.secret_viewed", obj=letter,
                     summary=f"เปิดดูหนังสือ{Secrecy(letter.secrecy).label} ที่ {letter.reference_no or '-'}",
                     data={"secrecy": letter.secrecy})


def _served(viewer: User, letter: Letter, data: bytes, mime_type: str, name: str, *, download: bool,
            file_id: int | None) -> Served:
    if not letter.is_secret:
        return Served(data, mime_type, name)
    text = watermark_text(viewer, letter)
    if mime_type == PDF:
        data = watermark_pdf(data, text)
    elif mime_type in ("image/jpeg", "image/png", "image/tiff"):
        data = watermark_pdf(bytes(img2pdf.convert(img2pdf_ready(data))), text)
        mime_type, name = PDF, f"{name.rsplit('.', 1)[0]}.pdf"
    action = "letter.secret_file_downloaded" if download else "letter.secret_file_opened"
    verb = "ดาวน์โหลด" if download else "เปิด"
    with transaction.atomic():
        audit_record(actor=viewer, action=action, obj=letter,
                     summary=f"{verb}ไฟล์หนังสือ{Secrecy(letter.secrecy).label} ที่ {letter.reference_no or '-'}",
                     data={"file_id": file_id, "download": download,
                           "watermark": text, "watermarked": mime_type == PDF})
    return Served(data, mime_type, name)


def letter_file_serve(*, viewer: User, file: LetterFile, download: bool) -> Served:
    """The bytes a user gets for one stored file of a letter they may open (view rights are the caller's)."""
    return _served(viewer, file.letter, storage.letter_file_bytes(file), file.mime_type, file.name,
                   download=download, file_id=file.pk)


def rendered_serve(*, viewer: User, letter: Letter, data: bytes, name: str, download: bool) -> Served:
    """A PDF rendered on the fly (a draft's preview), watermarked and audited like a stored file."""
    return _served(viewer, letter, data, PDF, name, download=download, file_id=None)


def response_for(served: Served, *, download: bool) -> HttpResponse:
    """PDFs open in the browser unless asked for as a download; other types are always downloads."""
    response = HttpResponse(served.data, content_type=served.mime_type)
    disposition = "inline" if served.mime_type == PDF and not download else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(served.name)}"
    return response
