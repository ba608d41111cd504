"""Register exports for the receive (แบบที่ 13) and send (แบบที่ 14) books: PDF, CSV, XLSX."""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from openpyxl import load_workbook
from pypdf import PdfReader

from govcommon import thaidate
from saraban.correspondence.models import Book, Letter
from saraban.correspondence.services import register_entry_cancel, register_entry_create
from tests.saraban.conftest import Cast
from tests.saraban.test_receiving_upload import pdf_text

pytestmark = pytest.mark.django_db


def _entries(cast: Cast, book: str) -> None:
    with transaction.atomic():
        for i, subject in enumerate(("ขอเชิญประชุม", "ขอความอนุเคราะห์ข้อมูล", "แจ้งผลการพิจารณา"), start=1):
            letter = Letter.objects.create(
                direction=Letter.Direction.INCOMING if book == Book.RECEIVE else Letter.Direction.OUTGOING,
                subject=subject, reference_no=f"นร 0104/{i}", sender_text="สำนักนายกรัฐมนตรี",
                recipient_text="ปลัดกระทรวง", speed=1 if i == 2 else 0, created_by=cast.clerk)
            entry = register_entry_create(actor=cast.clerk, registry=cast.central, book=book, letter=letter,
                                          action_text="ส่ง กยผ.")
    register_entry_cancel(actor=cast.clerk, entry=entry, reason="ลงซ้ำ")


@pytest.mark.parametrize(("book", "path", "form", "first_column"), [
    (Book.RECEIVE, "receive", "แบบที่ 13", "เลขทะเบียนรับ"),
    (Book.SEND, "send", "แบบที่ 14", "เลขทะเบียนส่ง"),
])
def test_it_prints_the_register_as_pdf_in_the_official_layout(
    cast: Cast, client_for: object, book: str, path: str, form: str, first_column: str
) -> None:
    _entries(cast, book)
    response = client_for(cast.clerk).get(f"/letters/register/{path}/export.pdf")  # type: ignore[operator]
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height  # A4 landscape
    text = pdf_text(response.content)
    assert thaidate.thai_digits(form) in text or form in text
    for word in (first_column, "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ", "ขอเชิญประชุม"):
        assert word in text, word
    assert "ลงซ้ำ" in text


@pytest.mark.parametrize(("book", "path"), [(Book.RECEIVE, "receive"), (Book.SEND, "send")])
def test_it_exports_the_register_as_csv_and_xlsx(cast: Cast, client_for: object, book: str, path: str) -> None:
    _entries(cast, book)
    client = client_for(cast.clerk)  # type: ignore[operator]
    csv_text = client.get(f"/letters/register/{path}/export.csv").content.decode("utf-8-sig")
    rows = [line.split(",") for line in csv_text.strip().splitlines()]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert "(ด่วน) ขอความอนุเคราะห์ข้อมูล" in csv_text and "ยกเลิก: ลงซ้ำ" in csv_text
    wb = load_workbook(io.BytesIO(client.get(f"/letters/register/{path}/export.xlsx").content))
    ws = wb.active
    assert ws is not None
    values = [[c.value for c in row] for row in ws.iter_rows(min_row=3)]
    assert [v[0] for v in values] == [1, 2, 3]
    assert values[0][5] == "ขอเชิญประชุม"


def test_it_filters_the_export_like_the_screen(cast: Cast, client_for: object) -> None:
    _entries(cast, Book.RECEIVE)
    csv_text = client_for(cast.clerk).get(  # type: ignore[operator]
        "/letters/register/receive/export.csv", {"q": "อนุเคราะห์"}).content.decode("utf-8-sig")
    assert len(csv_text.strip().splitlines()) == 2


def test_it_refuses_exports_to_users_without_the_right_or_the_registry(cast: Cast, client_for: object) -> None:
    _entries(cast, Book.RECEIVE)
    assert client_for(cast.officer).get("/letters/register/receive/export.csv").status_code == 403  # type: ignore[operator]
    unit_clerk = client_for(cast.unitclerk)  # type: ignore[operator]
    assert unit_clerk.get("/letters/register/receive/export.csv", {"registry": cast.central.pk}).status_code == 404
    assert client_for(cast.clerk).get("/letters/register/receive/export.doc").status_code == 404  # type: ignore[operator]
