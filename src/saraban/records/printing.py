"""The records forms as printed (PDF): แบบที่ 19, 20, 21, 24, 25, the 20-year keep list, the deposit
list and the destruction certificate. Buddhist Era dates; Thai digits when the agency uses them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from html import escape

from django.utils import timezone

from govcommon import thaidate
from saraban.accounts.models import AgencyProfile
from saraban.lib.pdf import THAI_FONT_FAMILY, render_pdf
from saraban.records.models import (
    DepositList,
    DestructionBatch,
    DestructionItem,
    Loan,
    StorageRecord,
    StorageTransfer,
    TwentyYearList,
)


class _Doc:
    def __init__(self, profile: AgencyProfile | None) -> None:
        self.thai = bool(profile and profile.use_thai_digits)
        root = profile.root_unit if profile else None
        ministry = root.ministry.name if root and root.ministry else ""
        self.agency = " ".join(x for x in (ministry, root.name if root else "") if x)

    def d(self, value: object) -> str:
        return escape(thaidate.digits("" if value is None else value, thai=self.thai))

    def date(self, value: dt.date | dt.datetime | None, style: str = "short") -> str:
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            value = timezone.localdate(value)
        return self.d(thaidate.format_date(value, style=style))

    def render(self, *, form: str, title: str, header: str, columns: Sequence[str], widths: Sequence[int],
               rows: Sequence[Sequence[str]], footer: str = "", landscape: bool = True) -> bytes:
        counter = "thai" if self.thai else "decimal"
        cols = "".join(f"<col style='width:{w}%'>" for w in widths)
        head = "".join(f"<th>{escape(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
        if not rows:
            body = f"<tr><td colspan='{len(columns)}' class='c'>- ไม่มีรายการ -</td></tr>"
        html = f"""<!doctype html><html lang="th"><head><meta charset="utf-8"><style>
@page {{ size: A4 {'landscape' if landscape else 'portrait'}; margin: 18mm 12mm 15mm 12mm;
  @top-right {{ content: "{escape(form)}   แผ่นที่ " counter(page, {counter});
    font-family: {THAI_FONT_FAMILY}; font-size: 13pt; }} }}
body {{ font-family: {THAI_FONT_FAMILY}; font-size: 14pt; }}
h1 {{ font-size: 18pt; text-align: center; margin: 0 0 2mm; }}
.hd {{ text-align: center; margin: 0 0 3mm; }}
table {{ width: 100%; border-collapse: collapse; table-layout: fixed; }}
th, td {{ border: 0.3mm solid #000; padding: 1mm 1.5mm; vertical-align: top; word-wrap: break-word; }}
th {{ font-weight: bold; text-align: center; }} td.c {{ text-align: center; }}
thead {{ display: table-header-group; }} tr {{ page-break-inside: avoid; }}
.stamp {{ color: #c00; font-weight: bold; }}
.sign {{ margin-top: 8mm; }} .sign p {{ margin: 1mm 0; }}
</style></head><body><h1>{escape(title)}</h1><div class="hd">{header}</div>
<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{footer}</body></html>"""
        return render_pdf(html)


def _letter_cells(doc: _Doc, record: StorageRecord) -> list[str]:
    letter = record.letter
    return [doc.d(letter.reference_no), doc.date(letter.letter_date), escape(letter.subject)]


def transfer_pdf(*, transfer: StorageTransfer, profile: AgencyProfile | None) -> bytes:
    """บัญชีหนังสือส่งเก็บ (แบบที่ 19)."""
    doc = _Doc(profile)
    items = list(transfer.items.select_related("letter"))
    rows = []
    for n, item in enumerate(items, 1):
        years = "ห้ามทำลาย" if item.retention == 0 else f"{item.retention} ปี"
        rows.append([doc.d(n), doc.d(item.letter.reference_no), doc.date(item.letter.letter_date),
                     escape(item.letter.subject), doc.d(item.file_code), doc.d(years), escape(item.remarks)])
    header = (f"ประจำปี {doc.d(transfer.year_be)} &nbsp; {escape(doc.agency)} &nbsp; {escape(transfer.unit.name)}"
              f" &nbsp; วันที่ {doc.date(transfer.sent_at, 'full')}")
    accepted = escape(transfer.accepted_by.display_name) if transfer.accepted_by else "........"
    footer = (f"<div class='sign'><p>ผู้ส่งเก็บ {escape(transfer.sent_by.display_name)}</p>"
              f"<p>ผู้รับเก็บ {accepted}</p></div>")
    return doc.render(form="แบบที่ 19", title="บัญชีหนังสือส่งเก็บ", header=header,
                      columns=["ลำดับที่", "ที่", "ลงวันที่", "เรื่อง", "รหัสแฟ้ม", "อายุการเก็บหนังสือ", "หมายเหตุ"],
                      widths=[7, 14, 11, 36, 10, 11, 11], rows=rows, footer=footer)


def register_pdf(*, records: Sequence[StorageRecord], profile: AgencyProfile | None) -> bytes:
    """ทะเบียนหนังสือเก็บ (แบบที่ 20) with the red เก็บถึง พ.ศ. stamp."""
    doc = _Doc(profile)
    rows = []
    for n, r in enumerate(records, 1):
        remarks = escape(r.remarks or (r.get_status_display() if r.status != StorageRecord.Status.STORED else ""))
        rows.append([doc.d(n), doc.date(r.stored_at), *_letter_cells(doc, r), doc.d(r.file_code),
                     f"<span class='stamp'>{doc.d(r.stamp)}</span>", remarks])
    header = f"{escape(doc.agency)} &nbsp; วันที่พิมพ์ {doc.date(timezone.localdate(), 'full')}"
    return doc.render(form="แบบที่ 20", title="ทะเบียนหนังสือเก็บ", header=header,
                      columns=["ลำดับที่", "วันเก็บ", "ที่", "ลงวันที่", "เรื่อง", "รหัสแฟ้ม", "อายุการเก็บหนังสือ",
                               "หมายเหตุ"],
                      widths=[6, 10, 13, 10, 30, 9, 11, 11], rows=rows)


def loans_pdf(*, loans: Sequence[Loan], profile: AgencyProfile | None) -> bytes:
    """บัตรยืมหนังสือ (แบบที่ 24), kept as a register by due date."""
    doc = _Doc(profile)
    rows = []
    for loan in loans:
        letter = loan.record.letter
        item = f"{escape(letter.subject)}<br>รหัสแฟ้ม {doc.d(loan.record.file_code)}"
        if loan.mode == Loan.Mode.VIEW_COPY:
            item += "<br>(ขอดูหรือคัดสำเนาเท่านั้น)"
        borrower = f"{escape(loan.borrower_name)}<br>{escape(loan.borrower_position)} {escape(loan.borrower_unit)}"
        rows.append([item, borrower, escape(loan.received_by), doc.date(loan.borrowed_on), doc.date(loan.due_date),
                     escape(loan.returned_by), doc.date(loan.returned_on)])
    return doc.render(form="แบบที่ 24", title="บัตรยืมหนังสือ", header=escape(doc.agency),
                      columns=["รายการ", "ผู้ยืม", "ผู้รับ", "วันยืม", "กำหนดส่งคืน", "ผู้ส่งคืน", "วันส่งคืน"],
                      widths=[26, 20, 12, 10, 10, 12, 10], rows=rows)


def _decision(doc: _Doc, item: DestructionItem) -> str:
    if item.decision == DestructionItem.Decision.KEEP:
        return f"ขยายเวลาเก็บ {doc.d(item.extend_years)} ปี"
    return escape(item.get_decision_display())


def destruction_list_pdf(*, batch: DestructionBatch, profile: AgencyProfile | None) -> bytes:
    """บัญชีหนังสือขอทำลาย (แบบที่ 25) signed jointly by the committee."""
    doc = _Doc(profile)
    rows = [[doc.d(n), doc.d(i.record.file_code), *_letter_cells(doc, i.record), _decision(doc, i),
             escape(i.remarks)] for n, i in enumerate(batch.items.select_related("record__letter"), 1)]
    header = (f"ประจำปี {doc.d(batch.year_be)} &nbsp; {escape(doc.agency)} &nbsp; "
              f"วันที่ {doc.date(batch.created_at, 'full')}<br>คณะกรรมการตาม{doc.d(batch.appointing_order)}")
    signs = "".join(f"<p>ลงชื่อ ........................ {escape(m.name)} {escape(m.position)} "
                    f"({'ประธานกรรมการ' if m.is_chair else 'กรรมการ'})</p>" for m in batch.committee.all())
    return doc.render(form="แบบที่ 25", title="บัญชีหนังสือขอทำลาย", header=header,
                      columns=["ลำดับที่", "รหัสแฟ้ม", "ที่", "ลงวันที่", "เรื่อง", "การพิจารณา", "หมายเหตุ"],
                      widths=[7, 10, 14, 11, 33, 12, 13], rows=rows, footer=f"<div class='sign'>{signs}</div>")


def destruction_certificate_pdf(*, batch: DestructionBatch, profile: AgencyProfile | None) -> bytes:
    """The certificate of destruction: what was destroyed, when, how, on whose authority."""
    doc = _Doc(profile)
    items = list(batch.items.filter(destroyed_at__isnull=False).select_related("record__letter"))
    rows = [[doc.d(n), doc.d(i.record.file_code), *_letter_cells(doc, i.record), doc.d(i.files_removed)]
            for n, i in enumerate(items, 1)]
    review = ("ไม่ได้ตอบภายใน 60 วัน ถือว่าเห็นชอบ" if batch.archives_deemed
              else f"ตอบเมื่อ {doc.date(batch.archives_reply_on, 'full')}")
    header = (f"{escape(doc.agency)}<br>ขอรับรองว่าได้ทำลายหนังสือตามบัญชีหนังสือขอทำลาย ประจำปี {doc.d(batch.year_be)}"
              f" เมื่อ {doc.date(batch.destroyed_at, 'full')} โดยวิธี{escape(batch.method)}<br>"
              f"คณะกรรมการตาม{doc.d(batch.appointing_order)}; กรมศิลปากร{review}")
    if batch.electronic_order:
        header += (f"<br>หนังสืออิเล็กทรอนิกส์ทำลายตาม{doc.d(batch.electronic_order)} ของ"
                   f"{escape(batch.electronic_order_by)} ลงวันที่ {doc.date(batch.electronic_order_on, 'full')}")
    signs = "".join(f"<p>ลงชื่อ ........................ {escape(m.name)} "
                    f"({'ประธานกรรมการ' if m.is_chair else 'กรรมการ'})</p>" for m in batch.committee.all())
    return doc.render(form="", title="หนังสือรับรองการทำลายหนังสือ", header=header,
                      columns=["ลำดับที่", "รหัสแฟ้ม", "ที่", "ลงวันที่", "เรื่อง", "จำนวนไฟล์ที่ลบ"],
                      widths=[8, 12, 16, 12, 40, 12], rows=rows, footer=f"<div class='sign'>{signs}</div>",
                      landscape=False)


def twenty_year_pdf(*, listing: TwentyYearList, profile: AgencyProfile | None) -> bytes:
    """บัญชีส่งมอบหนังสือครบ 20 ปี (แบบที่ 21) or บัญชีหนังสือครบ 20 ปีที่ขอเก็บเอง."""
    doc = _Doc(profile)
    rows = [[doc.d(n), doc.d(i.record.file_code), *_letter_cells(doc, i.record), escape(i.remarks)]
            for n, i in enumerate(listing.items.select_related("record__letter"), 1)]
    header = (f"ประจำปี {doc.d(listing.year_be)} &nbsp; {escape(doc.agency)} &nbsp; "
              f"วันที่ {doc.date(listing.created_at, 'full')}")
    form = "แบบที่ 21" if listing.kind == TwentyYearList.Kind.TRANSFER else ""
    return doc.render(form=form, title=listing.get_kind_display(), header=header,
                      columns=["ลำดับที่", "รหัสแฟ้ม", "ที่", "ลงวันที่", "เรื่อง", "หมายเหตุ"],
                      widths=[8, 12, 16, 12, 38, 14], rows=rows)


def deposit_list_pdf(*, deposit: DepositList, profile: AgencyProfile | None) -> bytes:
    """บัญชีฝากหนังสือ (ข้อ 60): the depositor and the Archives sign each line when the letters are
    checked and handed over."""
    doc = _Doc(profile)
    rows = [[doc.d(n), doc.d(i.receive_number or "-"), escape(i.record.letter.subject), escape(i.remarks), "", ""]
            for n, i in enumerate(deposit.items.select_related("record__letter"), 1)]
    header = (f"{escape(doc.agency)} &nbsp; ฝากไว้กับ{escape(deposit.archives)} &nbsp; "
              f"วันที่ {doc.date(deposit.created_at, 'full')}")
    position = f" ตำแหน่ง {escape(deposit.depositor_position)}" if deposit.depositor_position else ""
    footer = (f"<div class='sign'><p>ผู้ฝาก {escape(deposit.depositor_name)}{position}</p>"
              f"<p>ผู้รับฝาก ........................ {escape(deposit.archives)}</p></div>")
    return doc.render(form="", title="บัญชีฝากหนังสือ", header=header,
                      columns=["ลำดับที่", "เลขทะเบียนรับ", "เรื่อง", "หมายเหตุ", "ลงชื่อผู้ฝาก", "ลงชื่อผู้รับฝาก"],
                      widths=[7, 13, 38, 14, 14, 14], rows=rows, footer=footer)
