"""Each of the six kinds and their sub-kinds renders in its official layout, with a text layer
that reads back the source text exactly."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from govcommon.thaidate import thai_digits
from saraban.correspondence.enums import LetterKind, LetterSubKind, Speed
from saraban.lib.pdf import pdf_text, text_normalise
from saraban.outgoing import rendering
from saraban.outgoing.models import Draft
from saraban.outgoing.services import DraftInput, draft_create, draft_pdf
from tests.saraban.conftest import Cast

BODY = ("ด้วยสำนักงานปลัดกระทรวงได้กำหนดจัดทำลายมือชื่ออิเล็กทรอนิกส์ประจำปี "
        "จึงขอความกรุณาพิจารณาให้ผู้อำนวยการเข้าร่วมประชุมด้วย")
EXTRA = {"authority": "มาตรา ๓๒ แห่งพระราชบัญญัติระเบียบบริหารราชการแผ่นดิน", "issue_no": "2",
         "meeting_no": "3/2569", "venue": "ห้องประชุมใหญ่", "attendees": "นายหนึ่ง นายสอง",
         "absentees": "นายสาม", "observers": "นางสี่", "start_time": "09.30 น.", "end_time": "12.00 น."}

# (kind, sub-kind, words the regulation requires on the page)
CASES = [
    (LetterKind.EXTERNAL, "", ["ที่", "เรื่อง", "เรียน", "อ้างถึง", "สิ่งที่ส่งมาด้วย", "ขอแสดงความนับถือ",
                               "กองยุทธศาสตร์และแผนงาน", "โทร.", "ไปรษณีย์อิเล็กทรอนิกส์", "สำเนาส่ง", "ด่วนที่สุด"]),
    (LetterKind.INTERNAL, "", ["บันทึกข้อความ", "ส่วนราชการ", "ที่", "วันที่", "เรื่อง", "เรียน"]),
    (LetterKind.STAMPED, "", ["ที่", "ถึง", "ลงชื่อย่อกำกับตรา", "โทร.", "ไปรษณีย์อิเล็กทรอนิกส์"]),
    (LetterKind.DIRECTIVE, LetterSubKind.ORDER, ["คำสั่ง", "ที่", "เรื่อง", "สั่ง ณ วันที่"]),
    (LetterKind.DIRECTIVE, LetterSubKind.REGULATION, ["ระเบียบ", "ว่าด้วย", "พ.ศ.", "ประกาศ ณ วันที่"]),
    (LetterKind.DIRECTIVE, LetterSubKind.BYLAW, ["ข้อบังคับ", "ว่าด้วย", "อาศัยอำนาจตาม", "ประกาศ ณ วันที่"]),
    (LetterKind.PUBLIC_RELATIONS, LetterSubKind.ANNOUNCEMENT, ["ประกาศ", "เรื่อง", "ประกาศ ณ วันที่"]),
    (LetterKind.PUBLIC_RELATIONS, LetterSubKind.STATEMENT, ["แถลงการณ์", "เรื่อง", "ฉบับที่"]),
    (LetterKind.PUBLIC_RELATIONS, LetterSubKind.NEWS, ["ข่าว", "เรื่อง", "ฉบับที่"]),
    (LetterKind.EVIDENCE, LetterSubKind.CERTIFICATE, ["หนังสือรับรอง", "เลขที่", "ให้ไว้ ณ วันที่"]),
    (LetterKind.EVIDENCE, LetterSubKind.MINUTES, ["รายงานการประชุม", "ครั้งที่", "เมื่อ", "ผู้มาประชุม",
                                                  "ผู้ไม่มาประชุม", "ผู้เข้าร่วมประชุม", "เริ่มประชุมเวลา",
                                                  "เลิกประชุมเวลา", "ผู้จดรายงานการประชุม"]),
    (LetterKind.EVIDENCE, LetterSubKind.NOTE, ["บันทึก", "เรื่อง", "เรียน"]),
]
PICTURES = Path(__file__).resolve().parents[2] / "docs" / "letters"


@pytest.mark.parametrize(("kind", "subkind", "required"), CASES, ids=[c[1] or c[0] for c in CASES])
def test_it_renders_every_kind_with_its_fields_and_an_exact_text_layer(
    cast: Cast, kind: str, subkind: str, required: list[str]
) -> None:
    unit = cast.officer.memberships.get().unit
    draft = draft_create(actor=cast.officer, owner_unit=unit, data=DraftInput(
        kind=kind, subkind=subkind, subject="ขอเชิญประชุมคณะทำงานจัดทำระบบสารบรรณ", body=BODY,
        recipient_text="ผู้อำนวยการสำนักงานสถิติแห่งชาติ", salutation="เรียน", closing="ขอแสดงความนับถือ",
        references="หนังสือสำนักงานสถิติแห่งชาติ ที่ สถ 0101/12", enclosures="กำหนดการ จำนวน 1 ฉบับ",
        copies_to="กองกลาง", speed=Speed.MOST_URGENT if kind == LetterKind.EXTERNAL else 0,
        series=Draft.Series.ORDER if subkind == LetterSubKind.ORDER else Draft.Series.SEND, extra=EXTRA,
    ))
    draft.letter.reference_no = "ดศ 0102/123"
    draft.extra = {**draft.extra, "meeting_no": "123"} if subkind == LetterSubKind.MINUTES else draft.extra
    draft.signer = cast.director
    html = rendering.letter_html(letter=draft.letter, extra=draft.extra, salutation=draft.salutation,
                                 closing=draft.closing, signature=rendering.Signature("นายประเสริฐ บริหารดี",
                                                                                      "ผู้อำนวยการ"))
    pdf = draft_pdf(draft)
    if os.environ.get("SARABAN_LETTER_PICTURES"):
        PICTURES.mkdir(parents=True, exist_ok=True)
        subprocess.run(["/usr/bin/pdftoppm", "-png", "-r", "60", "-singlefile", "-",
                        str(PICTURES / (subkind or kind))], input=pdf, check=True)
    text = text_normalise(pdf_text(pdf))
    subject = [] if kind == LetterKind.STAMPED or subkind == LetterSubKind.CERTIFICATE else [draft.letter.subject]
    for word in [*required, *subject, "ผู้อำนวยการ", "ประจำปี", "กรุณาพิจารณา", "ทำลาย"]:
        assert word in text, word
    # Every paragraph of the source reads back exactly, and nothing else is there (poppler may
    # order floated blocks differently and moves line breaks, so compare without spaces).
    flat = "".join(pdf_text(pdf, raw=True).split())
    blocks = ["".join(b.split()) for b in rendering.letter_source_blocks(html)]
    for block in blocks:
        assert block in flat, block
    assert len(flat) == sum(len(b) for b in blocks)
    # Dates in the Buddhist Era with Thai digits, per AgencyProfile.use_thai_digits.
    assert thai_digits(str(timezone.localdate().year + 543)) in text
