"""The receive stamp (ตรารับหนังสือ, แบบที่ 12): a 2.5 x 5 cm box with the agency name, เลขรับ,
วันที่ and เวลา, drawn on a copy of the letter's first page at the top right.

The box is rendered by WeasyPrint as a transparent page of the same size as the letter's first
page, then merged onto that page (``lib.pdf.overlay_pages``); the original file is never touched.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from govcommon import thaidate
from saraban.lib.pdf import THAI_FONT_FAMILY, overlay_pages


@dataclass(frozen=True)
class StampText:
    agency: str
    number: int
    year: int  # calendar year (CE)
    received_at: dt.datetime  # local time
    thai_digits: bool

    @property
    def number_text(self) -> str:
        return thaidate.digits(f"{self.number}/{self.year + thaidate.BE_OFFSET}", thai=self.thai_digits)

    @property
    def date_text(self) -> str:
        return thaidate.format_date(self.received_at, style="short", thai=self.thai_digits)

    @property
    def time_text(self) -> str:
        return thaidate.format_time(self.received_at, thai=self.thai_digits)


def _overlay_html(text: StampText, *, width_pt: float, height_pt: float, right_mm: int, top_mm: int) -> str:
    return f"""<!doctype html><html lang="th"><head><meta charset="utf-8"><style>
@page {{ size: {width_pt:.2f}pt {height_pt:.2f}pt; margin: 0; }}
html, body {{ margin: 0; background: transparent; }}
.stamp {{ position: absolute; right: {right_mm}mm; top: {top_mm}mm; width: 50mm; height: 25mm;
  box-sizing: border-box; border: 0.6mm solid #1f3a93; color: #1f3a93; background: rgba(255,255,255,0.85);
  font-family: {THAI_FONT_FAMILY}; font-size: 11pt; line-height: 1.15; padding: 1mm 2mm; }}
.agency {{ text-align: center; font-weight: bold; white-space: nowrap; overflow: hidden; }}
.row {{ white-space: nowrap; }}
</style></head><body><div class="stamp">
<div class="agency">{escape(text.agency)}</div>
<div class="row">เลขรับ {escape(text.number_text)}</div>
<div class="row">วันที่ {escape(text.date_text)}</div>
<div class="row">เวลา {escape(text.time_text)}</div>
</div></body></html>"""


def stamp_pdf(original: bytes, text: StampText, *, right_mm: int = 10, top_mm: int = 10) -> bytes:
    """Return a copy of ``original`` with the receive stamp on its first page."""
    return overlay_pages(
        original,
        lambda width, height: _overlay_html(text, width_pt=width, height_pt=height, right_mm=right_mm, top_mm=top_mm),
        first_only=True,
        metadata={"/Subject": f"ประทับตรารับ เลขรับ {text.number}/{text.year + thaidate.BE_OFFSET}"},
    )
