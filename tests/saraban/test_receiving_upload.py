"""Paper letters scanned to PDF or images: registration, the stamped copy, and bad input refused."""

from __future__ import annotations

import hashlib
import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageDraw
from pypdf import PdfReader

from govcommon import thaidate
from saraban.correspondence import storage
from saraban.correspondence.models import Letter, LetterFile, RegisterEntry
from saraban.lib.pdf import render_pdf
from tests.saraban.conftest import Cast

pytestmark = pytest.mark.django_db


def scanned_page(text: str, *, mode: str = "RGB", fmt: str = "PNG") -> bytes:
    """An A4 page at 100 dpi with a line of text, as a scanner would produce it."""
    im = Image.new(mode, (827, 1169), "white")
    ImageDraw.Draw(im).text((80, 80), text, fill="black")
    out = io.BytesIO()
    im.save(out, fmt)
    return out.getvalue()


def letter_pdf(text: str = "Letter body") -> bytes:
    return render_pdf(f"<html><body><p>{text}</p></body></html>")


def pdf_text(data: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        Path(tmp.name).write_bytes(data)
        return subprocess.run(["pdftotext", "-layout", tmp.name, "-"], capture_output=True, check=True,
                              text=True).stdout


def _form(cast: Cast, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "registry": cast.central.pk, "reference_no": "นร 0104/123", "letter_date": "2026-02-03",
        "sender_text": "สำนักนายกรัฐมนตรี", "recipient_text": "ปลัดกระทรวง", "subject": "ขอเชิญประชุม",
        "kind": "external", "subkind": "", "speed": "1", "secrecy": "0",
    }
    data.update(extra)
    return data


def _post(client: Client, data: dict[str, object]) -> object:
    return client.post("/receiving/new/", data)


def test_it_registers_a_three_page_scan_and_stamps_a_copy(cast: Cast, client_for: object) -> None:
    client = client_for(cast.clerk)  # type: ignore[operator]
    pages = [SimpleUploadedFile(f"page{i}.png", scanned_page(f"Page {i}"), "image/png") for i in (1, 2, 3)]
    response = _post(client, _form(cast, document=pages))
    assert response.status_code == 302  # type: ignore[attr-defined]
    letter = Letter.objects.get()
    entry = RegisterEntry.objects.get(letter=letter)
    assert (entry.book, entry.number) == ("receive", 1)
    original = letter.files.get(role=LetterFile.Role.ORIGINAL)
    stamped = letter.files.get(role=LetterFile.Role.STAMPED)
    original_bytes = storage.read_bytes(original.sha256)
    assert hashlib.sha256(original_bytes).hexdigest() == original.sha256
    assert len(PdfReader(io.BytesIO(original_bytes)).pages) == 3 == original.pages
    assert "เลขรับ" not in pdf_text(original_bytes)
    text = pdf_text(storage.read_bytes(stamped.sha256))
    assert thaidate.thai_digits(f"1/{entry.year + 543}") in text
    detail = client.get(response.url)  # type: ignore[attr-defined]
    assert thaidate.thai_digits(f"1/{entry.year + 543}") in detail.content.decode()


def test_it_accepts_a_pdf_and_an_rgba_png_attachment(cast: Cast, client_for: object) -> None:
    client = client_for(cast.clerk)  # type: ignore[operator]
    doc = SimpleUploadedFile("letter.pdf", letter_pdf(), "application/pdf")
    att = SimpleUploadedFile("map.png", scanned_page("map", mode="RGBA"), "image/png")
    assert _post(client, _form(cast, document=[doc], attachments=[att])).status_code == 302  # type: ignore[attr-defined]
    letter = Letter.objects.get()
    assert sorted(letter.files.values_list("role", flat=True)) == ["attachment", "original", "stamped"]


@pytest.mark.parametrize(
    ("name", "payload", "message"),
    [
        ("empty.pdf", b"", "ว่างเปล่า"),
        ("broken.pdf", b"%PDF-1.7\n1 0 obj <<>> garbage without xref", "เสียหาย"),
        ("photo.png", b"this is plain text pretending to be an image", "ไม่ใช่ PDF หรือภาพสแกน"),
        ("scan.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "เสียหาย"),
    ],
)
def test_it_refuses_bad_files_with_a_form_error_and_creates_nothing(
    cast: Cast, client_for: object, name: str, payload: bytes, message: str
) -> None:
    client = client_for(cast.clerk)  # type: ignore[operator]
    response = _post(client, _form(cast, document=[SimpleUploadedFile(name, payload, "application/pdf")]))
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert not Letter.objects.exists() and not RegisterEntry.objects.exists()


def test_it_refuses_an_oversize_file(cast: Cast, client_for: object, settings: object) -> None:
    settings.SARABAN_MAX_UPLOAD_BYTES = 2000  # type: ignore[attr-defined]
    client = client_for(cast.clerk)  # type: ignore[operator]
    big = SimpleUploadedFile("big.png", scanned_page("big"), "image/png")
    response = _post(client, _form(cast, document=[big]))
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "เกินกว่าที่กำหนด" in response.content.decode()  # type: ignore[attr-defined]
    assert not Letter.objects.exists()


def test_it_refuses_a_letter_with_no_subject(cast: Cast, client_for: object) -> None:
    client = client_for(cast.clerk)  # type: ignore[operator]
    doc = SimpleUploadedFile("letter.pdf", letter_pdf(), "application/pdf")
    response = _post(client, _form(cast, document=[doc], subject="  "))
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "กรุณาระบุเรื่อง" in response.content.decode()  # type: ignore[attr-defined]
    assert not Letter.objects.exists() and not RegisterEntry.objects.exists()


def test_it_refuses_a_letter_with_no_file(cast: Cast, client_for: object) -> None:
    client = client_for(cast.clerk)  # type: ignore[operator]
    response = _post(client, _form(cast))
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert not Letter.objects.exists()


def test_it_forbids_registration_to_a_user_without_the_right(cast: Cast, client_for: object) -> None:
    client = client_for(cast.officer)  # type: ignore[operator]
    doc = SimpleUploadedFile("letter.pdf", letter_pdf(), "application/pdf")
    assert _post(client, _form(cast, document=[doc])).status_code == 403  # type: ignore[attr-defined]
    assert client.get("/receiving/new/").status_code == 403
    assert not Letter.objects.exists()
