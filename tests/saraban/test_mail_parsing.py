"""Standard file names and the metadata read from a message's subject and body."""

from __future__ import annotations

import datetime as dt

import pytest

from saraban.correspondence.enums import Speed
from saraban.correspondence.models import Letter
from saraban.mail.compose import subject_line
from saraban.mail.naming import STANDARD_NAME, letter_file_name
from saraban.mail.parsing import MalformedMailError, mail_parse, metadata_from


@pytest.mark.parametrize(("reference", "suffix", "expected"), [
    ("ดศ 0101/123", "", "ดศ0101-123_20250109.pdf"),
    ("ดศ 0101/ว 45", "cover", "ดศ0101-ว45_20250109_cover.pdf"),
    ("12/2568", "att2", "12-2568_20250109_att2.pdf"),
    ('a:b*c?"<>|', "", "abc_20250109.pdf"),
    ("", "", "no-reference_20250109.pdf"),
])
def test_it_names_files_by_the_standard_rule(reference: str, suffix: str, expected: str) -> None:
    name = letter_file_name(reference_no=reference, letter_date=dt.date(2025, 1, 9), suffix=suffix)
    assert name == expected and STANDARD_NAME.match(name)


def test_it_reads_back_the_subject_line_it_writes() -> None:
    letter = Letter(reference_no="ดศ 0101/77", letter_date=dt.date(2025, 3, 1), subject="ขอเชิญประชุม",
                    speed=Speed.VERY_URGENT)
    meta = metadata_from(subject=subject_line(letter), body="", from_name="สป.ดศ.", from_address="x@y.go.th",
                         attachment_name="a.pdf")
    assert (meta.reference_no, meta.letter_date, meta.subject, meta.speed, meta.sender_text) == (
        "ดศ 0101/77", dt.date(2025, 3, 1), "ขอเชิญประชุม", Speed.VERY_URGENT, "สป.ดศ.")


def test_it_reads_metadata_from_the_body_when_the_subject_is_plain() -> None:
    body = "ที่ มท ๐๓๐๗/๙๘\nลงวันที่ ๒ ก.พ. ๒๕๖๘\nเรื่อง ขอข้อมูล\nจาก กรมการปกครอง\n"
    meta = metadata_from(subject="Fwd: letter", body=body, from_name="", from_address="x@y.go.th",
                         attachment_name="a.pdf")
    assert meta.reference_no == "มท ๐๓๐๗/๙๘" and meta.letter_date == dt.date(2025, 2, 2)
    assert meta.subject == "ขอข้อมูล" and meta.sender_text == "กรมการปกครอง"


def test_it_keeps_an_unknown_subject_as_it_is() -> None:
    meta = metadata_from(subject="ส่งเอกสารที่ขอไว้", body="", from_name="", from_address="x@y.go.th",
                         attachment_name="a.pdf")
    assert meta.subject == "ส่งเอกสารที่ขอไว้" and meta.reference_no == "" and meta.sender_text == "x@y.go.th"


@pytest.mark.parametrize(("raw", "code"), [
    (b"", "MAIL-UNDECODABLE"),
    (b"\x00\xff\xfe garbage without headers", "MAIL-UNDECODABLE"),
    (b"Subject: no sender\r\n\r\nbody\r\n", "MAIL-NO-SENDER"),
])
def test_it_refuses_what_is_not_a_usable_message(raw: bytes, code: str) -> None:
    with pytest.raises(MalformedMailError) as caught:
        mail_parse(raw)
    assert caught.value.code == code and caught.value.message
