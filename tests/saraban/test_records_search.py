"""Search: Thai words inside longer runs, scanned pages read by OCR, filters and access rules."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from saraban.accounts.models import User
from saraban.correspondence import storage
from saraban.correspondence.enums import Secrecy, Speed
from saraban.correspondence.models import Book, Letter, LetterFile, RegisterEntry, Registry
from saraban.records.models import LetterIndex
from saraban.records.selectors import SearchQuery, letters_search
from saraban.records.services import letter_index
from tests.saraban.conftest import Cast

FONT = "/usr/share/fonts/truetype/tlwg/Laksaman.ttf"


def make_letter(cast: Cast, subject: str, **fields: object) -> Letter:
    fields.setdefault("owner_unit", cast.central.unit)
    fields.setdefault("direction", Letter.Direction.INCOMING)
    letter = Letter.objects.create(subject=subject, created_by=cast.clerk, **fields)
    letter_index(letter=letter)
    return letter


def found(user: User, text: str = "", **filters: object) -> set[int]:
    return {letter.pk for letter in letters_search(user=user, query=SearchQuery(text=text, **filters))}  # type: ignore[arg-type]


def attach(letter: Letter, data: bytes, *, name: str, mime: str = "application/pdf") -> None:
    sha, size = storage.store_bytes(data)
    LetterFile.objects.create(letter=letter, role=LetterFile.Role.ORIGINAL, name=name, mime_type=mime,
                              size=size, sha256=sha)


def scanned_pdf(text: str) -> bytes:
    """A PDF made of one image of Thai text: no text layer, as a scanner produces."""
    font = ImageFont.truetype(FONT, 64)
    image = Image.new("L", (1600, 400), 255)
    ImageDraw.Draw(image).text((80, 150), text, font=font, fill=0)
    buf = io.BytesIO()
    image.save(buf, format="PDF", resolution=200)
    return buf.getvalue()


def test_it_finds_a_thai_word_inside_a_longer_run(cast: Cast) -> None:
    letter = make_letter(cast, "ขอเชิญประชุมคณะกรรมการพิจารณางบประมาณ")
    make_letter(cast, "ขอส่งรายงานผลการดำเนินงานประจำปี")
    assert found(cast.admin, "งบประมาณ") == {letter.pk}
    assert found(cast.admin, "คณะกรรมการ") == {letter.pk}
    # Words typed together need not be adjacent in the letter.
    assert found(cast.admin, "ประชุมงบประมาณ") == {letter.pk}
    assert found(cast.admin, "สัมมนา") == set()


def test_it_finds_reference_numbers_written_in_thai_digits(cast: Cast) -> None:
    letter = make_letter(cast, "แจ้งผลการพิจารณา", reference_no="ดศ ๐๑๐๑/๒๕๖๘")
    assert found(cast.admin, "0101/2568") == {letter.pk}
    assert found(cast.admin, "๐๑๐๑/๒๕๖๘") == {letter.pk}


def test_it_finds_words_in_the_text_layer_of_a_pdf(cast: Cast) -> None:
    from saraban.lib.pdf import render_pdf

    letter = Letter.objects.create(subject="หนังสือแนบไฟล์", owner_unit=cast.central.unit, direction="in")
    attach(letter, render_pdf("<p>Procurement of network switches</p>"), name="a.pdf")
    index = letter_index(letter=letter)
    assert index.state == LetterIndex.State.OK
    assert found(cast.admin, "switches") == {letter.pk}


def test_it_finds_a_scanned_letter_by_a_word_only_in_its_image(cast: Cast, tmp_path: Path) -> None:
    letter = Letter.objects.create(subject="หนังสือสแกน", owner_unit=cast.central.unit, direction="in")
    attach(letter, scanned_pdf("ขออนุมัติจัดซื้อครุภัณฑ์คอมพิวเตอร์"), name="scan.pdf")
    assert letter_index(letter=letter).state == LetterIndex.State.PENDING_OCR
    assert found(cast.admin, "ครุภัณฑ์") == set()

    out = io.StringIO()
    call_command("index_letters", stdout=out)

    assert LetterIndex.objects.get(letter=letter).state == LetterIndex.State.OK
    assert found(cast.admin, "ครุภัณฑ์") == {letter.pk}
    assert found(cast.admin, "คอมพิวเตอร์") == {letter.pk}


def test_it_hides_a_secret_letter_from_a_user_without_the_clearance(cast: Cast) -> None:
    secret = make_letter(cast, "แผนรักษาความปลอดภัยสถานที่ราชการ", secrecy=Secrecy.SECRET)
    normal = make_letter(cast, "แผนรักษาความสะอาดสถานที่ราชการ")
    assert cast.admin.clearance < Secrecy.SECRET <= cast.director.clearance
    assert found(cast.director, "สถานที่ราชการ") == {secret.pk, normal.pk}
    assert found(cast.admin, "สถานที่ราชการ") == {normal.pk}
    assert found(cast.admin, "ความปลอดภัย") == set()


def test_it_hides_letters_of_other_units(cast: Cast) -> None:
    mine = make_letter(cast, "โครงการพัฒนาระบบ", owner_unit=cast.unit_registry.unit)
    other = make_letter(cast, "โครงการพัฒนาบุคลากร", owner_unit=cast.central.unit)
    assert found(cast.officer, "โครงการ") == {mine.pk}
    assert found(cast.auditor, "โครงการ") == {mine.pk, other.pk}


def test_it_filters_by_date_speed_direction_kind_sender_and_registry(cast: Cast) -> None:
    a = make_letter(cast, "เรื่องทดสอบตัวกรอง", letter_date=dt.date(2025, 1, 10), speed=Speed.URGENT,
                    sender_text="กรมบัญชีกลาง")
    b = make_letter(cast, "เรื่องทดสอบตัวกรอง", letter_date=dt.date(2025, 6, 1),
                    direction=Letter.Direction.OUTGOING, kind="internal", sender_text="กองคลัง")
    with transaction.atomic():
        RegisterEntry.objects.create(registry=cast.unit_registry, book=Book.RECEIVE, year=2025, number=1,
                                     letter=b, registered_at=timezone.now(), registered_by=cast.clerk)
    user = cast.auditor
    assert found(user, "ตัวกรอง") == {a.pk, b.pk}
    assert found(user, "ตัวกรอง", date_from=dt.date(2025, 3, 1)) == {b.pk}
    assert found(user, "ตัวกรอง", date_to=dt.date(2025, 3, 1)) == {a.pk}
    assert found(user, "ตัวกรอง", speed=Speed.URGENT) == {a.pk}
    assert found(user, "", direction=Letter.Direction.OUTGOING) == {b.pk}
    assert found(user, "ตัวกรอง", kind="internal") == {b.pk}
    assert found(user, "", sender="บัญชีกลาง") == {a.pk}
    assert found(user, "ตัวกรอง", registry_id=cast.unit_registry.pk) == {b.pk}
    assert isinstance(cast.central, Registry)


def test_it_updates_the_index_when_a_letter_is_indexed_again(cast: Cast) -> None:
    letter = make_letter(cast, "ร่างระเบียบการเบิกจ่าย")
    letter.subject = "ร่างประกาศการจัดซื้อ"
    letter.save()
    letter_index(letter=letter)
    assert found(cast.admin, "เบิกจ่าย") == set()
    assert found(cast.admin, "จัดซื้อ") == {letter.pk}


def test_it_renders_the_search_page_with_results(cast: Cast, client_for: object) -> None:
    make_letter(cast, "ขอเชิญประชุมคณะกรรมการพิจารณางบประมาณ")
    client = client_for(cast.admin)  # type: ignore[operator]
    response = client.get("/records/search/", {"q": "งบประมาณ"})
    assert response.status_code == 200
    assert "ขอเชิญประชุมคณะกรรมการพิจารณางบประมาณ" in response.content.decode()
    response = client.get("/records/search/", {"q": "ไม่มีคำนี้ในระบบ"})
    assert "ไม่พบหนังสือ" in response.content.decode()


def test_it_refuses_the_search_page_to_a_user_without_the_right_to_open(cast: Cast, client_for: object) -> None:
    User.objects.filter(pk=cast.officer.pk).update(can_open=False)
    response = client_for(cast.officer).get("/records/search/", {"q": "x"})  # type: ignore[operator]
    assert response.status_code == 403
    assert client_for(cast.officer).get("/records/search/").status_code == 403  # type: ignore[operator]


def test_it_merges_sealed_secret_letters_newest_first_into_a_full_page(cast: Cast) -> None:
    """A cleared user's results take secret letters (matched on their sealed text) in date order: with a
    full page of other letters only newer secret letters are opened, an older one waits for a larger page."""
    old_secret = make_letter(cast, "รายงานการตรวจสอบพัสดุประจำปี", secrecy=Secrecy.SECRET)
    normal = make_letter(cast, "รายงานการตรวจสอบพัสดุคงเหลือ")
    new_secret = make_letter(cast, "รายงานการตรวจสอบพัสดุชำรุด", secrecy=Secrecy.SECRET)

    def newest(limit: int) -> list[int]:
        query = SearchQuery(text="ตรวจสอบพัสดุ")
        return [x.pk for x in letters_search(user=cast.clerk, query=query, limit=limit)]

    assert newest(1) == [new_secret.pk]
    assert newest(2) == [new_secret.pk, normal.pk]
    assert newest(3) == [new_secret.pk, normal.pk, old_secret.pk]
    assert found(cast.officer, "ตรวจสอบพัสดุ") == set()
