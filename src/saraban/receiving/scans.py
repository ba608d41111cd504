"""Incoming files checked by their content, never by their name: PDFs are opened with pypdf,
scanned pages (JPEG, PNG, TIFF) are decoded with Pillow and joined into one PDF with img2pdf."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import filetype
import img2pdf
from django.conf import settings
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError

from govcommon.errors import ValidationError

PDF_MIME = "application/pdf"
IMAGE_MIMES = ("image/jpeg", "image/png", "image/tiff")


class FileRejectedError(ValidationError):
    code = "RCV-FILE"
    default_message = "ไฟล์ไม่ถูกต้อง"


@dataclass(frozen=True)
class IncomingFile:
    """A file as it arrived: its name (display only), its bytes and the sniffed content type."""

    name: str
    data: bytes
    mime_type: str
    pages: int | None = None


def _limit() -> int:
    return int(settings.SARABAN_MAX_UPLOAD_BYTES)


def sniff(name: str, data: bytes) -> IncomingFile:
    """Check one uploaded file; raise FileRejectedError with a message the clerk understands."""
    if not data:
        raise FileRejectedError(f"ไฟล์ {name} ว่างเปล่า", code="RCV-FILE-EMPTY")
    if len(data) > _limit():
        raise FileRejectedError(
            f"ไฟล์ {name} มีขนาด {len(data):,} ไบต์ เกินกว่าที่กำหนด {_limit():,} ไบต์", code="RCV-FILE-SIZE"
        )
    kind = filetype.guess(data)
    mime = kind.mime if kind is not None else ""
    if mime == PDF_MIME:
        return IncomingFile(name=name, data=data, mime_type=PDF_MIME, pages=pdf_page_count(name, data))
    if mime in IMAGE_MIMES:
        _check_image(name, data)
        return IncomingFile(name=name, data=data, mime_type=mime)
    raise FileRejectedError(
        f"ไฟล์ {name} ไม่ใช่ PDF หรือภาพสแกน (JPEG, PNG, TIFF)", code="RCV-FILE-TYPE"
    )


def pdf_page_count(name: str, data: bytes) -> int:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        count = len(reader.pages)
        if count:
            reader.pages[0].mediabox  # noqa: B018 - touching the first page proves it can be read
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        raise FileRejectedError(f"ไฟล์ PDF {name} เสียหาย เปิดอ่านไม่ได้", code="RCV-FILE-PDF") from exc
    if count == 0:
        raise FileRejectedError(f"ไฟล์ PDF {name} ไม่มีหน้าเอกสาร", code="RCV-FILE-PDF")
    return count


def _check_image(name: str, data: bytes) -> None:
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
        with Image.open(io.BytesIO(data)) as im:
            im.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise FileRejectedError(f"ไฟล์ภาพ {name} เสียหาย เปิดอ่านไม่ได้", code="RCV-FILE-IMAGE") from exc


def img2pdf_ready(data: bytes) -> bytes:
    """img2pdf embeds images losslessly but refuses alpha channels; flatten those onto white."""
    with Image.open(io.BytesIO(data)) as im:
        if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
            rgba = im.convert("RGBA")
            flat = Image.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
            out = io.BytesIO()
            flat.save(out, "PNG")
            return out.getvalue()
    return data


def letter_pdf_from(files: Sequence[IncomingFile]) -> IncomingFile:
    """The letter as one PDF: a single PDF as is, or the scanned pages joined in upload order."""
    if not files:
        raise FileRejectedError("กรุณาแนบไฟล์หนังสือ", code="RCV-FILE-NONE")
    if len(files) == 1 and files[0].mime_type == PDF_MIME:
        return files[0]
    if any(f.mime_type == PDF_MIME for f in files):
        raise FileRejectedError("แนบ PDF ได้ไฟล์เดียว หรือแนบภาพสแกนหลายหน้า อย่างใดอย่างหนึ่ง",
                                code="RCV-FILE-MIX")
    try:
        pdf = bytes(img2pdf.convert([img2pdf_ready(f.data) for f in files]))
    except (img2pdf.ImageOpenError, ValueError, OSError) as exc:
        raise FileRejectedError("แปลงภาพสแกนเป็น PDF ไม่ได้", code="RCV-FILE-IMAGE") from exc
    if len(pdf) > _limit():
        raise FileRejectedError("ไฟล์ PDF ที่รวมจากภาพสแกนมีขนาดเกินกว่าที่กำหนด", code="RCV-FILE-SIZE")
    stem = files[0].name.rsplit(".", 1)[0] or "scan"
    return IncomingFile(name=f"{stem}.pdf", data=pdf, mime_type=PDF_MIME, pages=pdf_page_count(stem, pdf))
