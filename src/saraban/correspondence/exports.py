"""Register exports: the printable register in the official layout (แบบที่ 13 receive, แบบที่ 14
send) as PDF, and the same lines as CSV and XLSX for spreadsheets."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from itertools import groupby

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from govcommon import thaidate
from saraban.correspondence.models import Book, RegisterEntry, Registry
from saraban.lib.pdf import THAI_FONT_FAMILY, render_pdf

TITLES = {Book.RECEIVE: "ทะเบียนหนังสือรับ", Book.SEND: "ทะเบียนหนังสือส่ง",
          Book.SECRET_RECEIVE: "ทะเบียนรับหนังสือลับ", Book.SECRET_SEND: "ทะเบียนส่งหนังสือลับ"}
FORMS = {Book.RECEIVE: "แบบที่ 13", Book.SEND: "แบบที่ 14"}


def columns(book: str) -> list[str]:
    first = "เลขทะเบียนส่ง" if book in (Book.SEND, Book.SECRET_SEND) else "เลขทะเบียนรับ"
    return [first, "ที่", "ลงวันที่", "จาก", "ถึง", "เรื่อง", "การปฏิบัติ", "หมายเหตุ"]


@dataclass(frozen=True)
class RegisterLine:
    number: int
    registered_at: dt.datetime  # local time
    reference_no: str
    letter_date: dt.date | None
    sender: str
    recipient: str
    subject: str
    action: str
    remarks: str


def lines(entries: Iterable[RegisterEntry]) -> list[RegisterLine]:
    result = []
    for e in entries:
        letter = e.letter
        subject = f"({letter.get_speed_display()}) {letter.subject}" if letter.speed else letter.subject
        remarks = e.remarks
        if e.cancelled:
            remarks = f"ยกเลิก: {e.cancelled_reason}" + (f"; {remarks}" if remarks else "")
        result.append(RegisterLine(
            number=e.number, registered_at=timezone.localtime(e.registered_at), reference_no=letter.reference_no,
            letter_date=letter.letter_date, sender=letter.sender_text, recipient=letter.recipient_text,
            subject=subject, action=e.action_text, remarks=remarks,
        ))
    return result


def _title(book: str, registry: Registry, year: int) -> str:
    return f"{TITLES.get(Book(book), 'ทะเบียน')} {registry.name} พ.ศ. {year + thaidate.BE_OFFSET}"


def register_csv(*, book: str, entries: Iterable[RegisterEntry]) -> bytes:
    """UTF-8 with a byte-order mark so that spreadsheet programs read the Thai text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*columns(book), "วันเวลาลงทะเบียน"])
    for line in lines(entries):
        writer.writerow([
            line.number, line.reference_no,
            thaidate.format_date(line.letter_date, style="short") if line.letter_date else "",
            line.sender, line.recipient, line.subject, line.action, line.remarks,
            thaidate.format_datetime(line.registered_at),
        ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def register_xlsx(*, book: str, registry: Registry, year: int, entries: Iterable[RegisterEntry]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = TITLES.get(Book(book), "ทะเบียน")[:31]
    ws.append([_title(book, registry, year)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([*columns(book), "วันเวลาลงทะเบียน"])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for line in lines(entries):
        ws.append([
            line.number, line.reference_no,
            thaidate.format_date(line.letter_date, style="short") if line.letter_date else "",
            line.sender, line.recipient, line.subject, line.action, line.remarks,
            thaidate.format_datetime(line.registered_at),
        ])
    for letter, width in zip("ABCDEFGHI", (12, 18, 14, 28, 28, 48, 30, 24, 20), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def register_pdf(*, book: str, registry: Registry, year: int, entries: Iterable[RegisterEntry],
                 thai_digits: bool) -> bytes:
    """The register as printed on the official form: A4 landscape, one heading per registration
    date ("ทะเบียนหนังสือรับ วันที่ … เดือน … พ.ศ. …"), the eight columns of the form."""
    def d(text: object) -> str:
        return escape(thaidate.digits(text, thai=thai_digits))

    head = "".join(f"<th>{escape(c)}</th>" for c in columns(book))
    sections = []
    for day, group in groupby(lines(entries), key=lambda line: line.registered_at.date()):
        rows = "".join(
            "<tr>"
            f"<td class='n'>{d(line.number)}</td><td>{d(line.reference_no)}</td>"
            f"<td>{d(thaidate.format_date(line.letter_date, style='short')) if line.letter_date else ''}</td>"
            f"<td>{escape(line.sender)}</td><td>{escape(line.recipient)}</td><td>{escape(line.subject)}</td>"
            f"<td>{d(line.action)}</td><td>{escape(line.remarks)}</td>"
            "</tr>"
            for line in group
        )
        heading = (f"{escape(TITLES.get(Book(book), ''))} วันที่ {d(day.day)} เดือน {thaidate.month_name(day.month)}"
                   f" พ.ศ. {d(day.year + thaidate.BE_OFFSET)}")
        sections.append(f"<h2>{heading}</h2><table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    if not sections:
        sections.append(f"<table><thead><tr>{head}</tr></thead><tbody></tbody></table><p>ยังไม่มีรายการ</p>")
    form = FORMS.get(Book(book), "")
    html = f"""<!doctype html><html lang="th"><head><meta charset="utf-8"><style>
@page {{ size: A4 landscape; margin: 15mm 12mm 15mm 12mm;
  @top-right {{ content: "{escape(form)}"; font-family: {THAI_FONT_FAMILY}; font-size: 12pt; }}
  @bottom-center {{ content: "หน้า " counter(page); font-family: {THAI_FONT_FAMILY}; font-size: 12pt; }} }}
body {{ font-family: {THAI_FONT_FAMILY}; font-size: 14pt; }}
h1 {{ font-size: 18pt; text-align: center; margin: 0 0 4mm; }}
h2 {{ font-size: 15pt; margin: 4mm 0 2mm; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
th, td {{ border: 0.3mm solid #000; padding: 1mm 1.5mm; vertical-align: top; word-wrap: break-word; }}
th {{ font-weight: bold; text-align: center; }}
td.n {{ text-align: center; }}
col.c1 {{ width: 9%; }} col.c2 {{ width: 11%; }} col.c3 {{ width: 10%; }}
thead {{ display: table-header-group; }}
tr {{ page-break-inside: avoid; }}
</style></head><body><h1>{d(_title(book, registry, year))}</h1>{''.join(sections)}</body></html>"""
    return render_pdf(html)
