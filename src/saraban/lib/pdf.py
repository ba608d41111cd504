"""HTML to PDF with Thai fonts (WeasyPrint), shared by letters, registers and reports."""

from __future__ import annotations

from pathlib import Path

from weasyprint import HTML

# Debian's fonts-tlwg-laksaman is a metric clone of TH Sarabun New, the government standard font.
THAI_FONT_FAMILY = '"TH Sarabun New", "Laksaman", "Sarabun", "Norasi", serif'


def render_pdf(html: str, *, base_url: str | Path | None = None) -> bytes:
    """Render an HTML document (with its own @page CSS) to PDF bytes."""
    document = HTML(string=html, base_url=str(base_url) if base_url else None)
    pdf: bytes = document.write_pdf()
    return pdf
