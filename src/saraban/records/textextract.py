"""Text of stored files for the search index: the PDF text layer (pdftotext) and, for pages
without one, Thai OCR (pdftoppm + tesseract -l tha), which is slow and so runs in the background."""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

PDF = "application/pdf"
OCR_DPI = 300
TIMEOUT = 300
# A page with fewer visible characters than this is treated as an image (a scan).
MIN_PAGE_CHARS = 8
_THAI_GAP = re.compile("(?<=[\u0e00-\u0e7f]) +(?=[\u0e00-\u0e7f])")


@dataclass(frozen=True)
class PdfText:
    pages: list[str]
    image_pages: list[int]  # 1-based numbers of pages with no text layer


def _run(args: list[str]) -> str:
    done = subprocess.run(args, capture_output=True, timeout=TIMEOUT, check=True)
    return done.stdout.decode("utf-8", errors="replace")


def pdf_text(path: Path) -> PdfText:
    """The text layer page by page; pages without one are listed for OCR."""
    out = _run(["pdftotext", "-enc", "UTF-8", str(path), "-"])
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    image_pages = [i + 1 for i, p in enumerate(pages) if len("".join(p.split())) < MIN_PAGE_CHARS]
    return PdfText(pages=pages, image_pages=image_pages)


def ocr_image(path: Path) -> str:
    # --psm 6 (one block of text): the automatic layout analysis splits Thai lines at the
    # tone marks above them, cutting words in two; letters are single-column text anyway.
    text = _run(["tesseract", str(path), "stdout", "-l", "tha", "--psm", "6"])
    # Tesseract puts spaces between Thai characters that belong to one word.
    return _THAI_GAP.sub("", text)


def ocr_pdf_pages(path: Path, pages: list[int]) -> str:
    """OCR the given pages of a PDF (rendered at OCR_DPI) and join their text."""
    texts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="saraban-ocr-") as tmp:
        for page in pages:
            prefix = Path(tmp) / f"p{page}"
            _run(["pdftoppm", "-r", str(OCR_DPI), "-f", str(page), "-l", str(page), "-gray", "-png",
                  "-singlefile", str(path), str(prefix)])
            texts.append(ocr_image(prefix.with_suffix(".png")))
    return "\n".join(texts)
