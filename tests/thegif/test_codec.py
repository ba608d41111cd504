"""Build / parse / validate of the messages, without a hub."""

from __future__ import annotations

import base64
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from lxml import etree

from thegif import codec, ns, soap
from thegif import messages as m
from thegif.errors import (
    CoverLetterNotPDFError,
    DigestMismatchError,
    MissingCoverLetterError,
    SchemaViolationError,
    UnknownMimeCodeError,
)

BKK = timezone(timedelta(hours=7))
PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF"


def letter(**overrides: object) -> m.CorrespondenceLetter:
    fields: dict[str, object] = {
        "id": "ดศ 0201/55",
        "correspondence_date": date(2025, 6, 1),
        "subject": "ขอความอนุเคราะห์ข้อมูลสถิติ",
        "secret_code": "001",
        "speed_code": "004",
        "sender": m.Party("2100000000", "2102000000", "สมหญิง", "ใจดี", "ผู้อำนวยการ"),
        "receiver": m.Party("2100000000", "2103000000", job_title="เลขาธิการ"),
        "main_letter": m.BinaryObject.from_bytes(PDF, mime_code="application/pdf", file_name="หนังสือนำ.pdf"),
        "references": [m.ReferenceCorrespondence("ดศ 0201/40", date(2025, 5, 1), "เรื่องเดิม")],
        "attachment_text": "แบบสอบถาม 1 ชุด",
        "send_date": date(2025, 6, 2),
        "description": "รายละเอียดเพิ่มเติม",
        "attachments": [m.BinaryObject.from_bytes(b"a,b\n1,2\n", mime_code="text/plain", file_name="data.csv")],
    }
    fields.update(overrides)
    return m.CorrespondenceLetter(**fields)  # type: ignore[arg-type]


def roundtrip(message: m.Message) -> m.Message:
    data = soap.envelope_bytes(message, addressing=soap.Addressing(message_id="urn:uuid:x"), check_schema=True)
    received = soap.read_envelope(data, expect_request=isinstance(message, tuple(m.REQUEST_ELEMENTS.values())))
    return received.message


def _strip_files(value: m.CorrespondenceLetter) -> list[tuple[str, str | None, int | None, str | None, bytes]]:
    return [(b.mime_code, b.file_name, b.size, b.sha256, b.read_bytes()) for b in value.binaries()]


def test_it_round_trips_a_letter_with_its_files() -> None:
    original = letter()
    parsed = roundtrip(m.OutboundRequest(item=original))
    assert isinstance(parsed, m.OutboundRequest) and isinstance(parsed.item, m.CorrespondenceLetter)
    assert _strip_files(parsed.item) == _strip_files(original)
    for field in ("id", "correspondence_date", "subject", "speed_code", "sender", "receiver", "references",
                  "attachment_text", "send_date", "description"):
        assert getattr(parsed.item, field) == getattr(original, field), field


@pytest.mark.parametrize(
    "message",
    [
        m.OutboundRequest(item=m.Notifier(m.ItemType.ACCEPT, "L1", date(2025, 1, 1), "เรื่อง", accept_id="123")),
        m.OutboundRequest(item=m.Notifier(m.ItemType.REJECT, "L1", date(2025, 1, 1), "เรื่อง", description="ผิด")),
        m.InboundRequest(),
        m.InboundSpecialRequest(m.ItemType.RECEIVE, "L1", date(2025, 1, 1), "0105000000", "1503000000"),
        m.DeleteRequest(process_id="abc123"),
        m.DeleteGovernmentDocumentRequest("L1", date(2025, 1, 1), "0105000000", "1503000000"),
        m.OrganizationListRequest(ministry_id="1500000000"),
        m.MinistryListRequest(),
        m.SpeedCodesRequest(),
        m.OutboundStatusRequest(letter_id="L1"),
        m.TimeCheckRequest(),
        m.OutboundResponse("p1", datetime(2025, 1, 1, 9, 0, tzinfo=BKK), "L1"),
        m.InboundResponse(datetime(2025, 1, 1, 9, 0, tzinfo=BKK), 0),
        m.InboundResponse(
            datetime(2025, 1, 1, 9, 0, tzinfo=BKK),
            3,
            m.InboundItem("p1", "L1", "0105000000", "1503000000",
                          m.Notifier(m.ItemType.INVALID_ACCEPT_ID, "L1", date(2025, 1, 1), "ก", accept_id="9")),
        ),
        m.OrganizationListResponse(
            "p1", datetime(2025, 1, 1, tzinfo=BKK),
            [m.OrganizationEntry("1503000000", "กรมการปกครอง", "มท 03", "1500000000", m.PublicKey("RSA", b"\x01"))],
        ),
        m.SecretCodesResponse("p1", datetime(2025, 1, 1, tzinfo=BKK), [m.CodeEntry("002", "ลับ")]),
        m.OutboundStatusResponse(
            "p1", datetime(2025, 1, 1, tzinfo=BKK),
            [m.LetterStatusEntry("L1", "นร 1/2", date(2025, 1, 1), "ก", "1503000000", m.LetterStatus.ACCEPTED,
                                 datetime(2025, 1, 2, tzinfo=BKK), accept_id="5")],
        ),
        m.TimeCheckResponse("p1", datetime(2025, 1, 1, 12, 30, 15, 123000, tzinfo=BKK)),
    ],
    ids=lambda msg: type(msg).__name__,
)
def test_it_round_trips_every_message(message: m.Message) -> None:
    assert roundtrip(message) == message


def test_it_validates_against_the_schema() -> None:
    body, _ = codec.build(m.OutboundRequest(item=letter(speed_code="005")))
    with pytest.raises(SchemaViolationError, match="SpeedCode"):
        codec.validate(body)
    body, _ = codec.build(m.OutboundRequest(item=m.Notifier(m.ItemType.ACCEPT, "L1", date(2025, 1, 1), "ก")))
    with pytest.raises(SchemaViolationError, match="AcceptID"):  # an empty receive number
        codec.validate(body)


def test_it_reads_the_misspelled_namespace_as_the_correct_one() -> None:
    data = soap.envelope_bytes(m.OutboundRequest(item=letter()), addressing=soap.Addressing(message_id="urn:uuid:y"))
    misspelled = data.replace(ns.RAM.encode(), ns.RAM_MISSPELLED.encode())
    with soap.read_envelope(misspelled) as received:
        assert isinstance(received.message, m.OutboundRequest)
        assert received.body.find(f".//{ns.ram('Subject')}") is not None
        assert ns.RAM_MISSPELLED not in etree.tostring(received.body).decode()
    # and what we write uses only the correct spelling
    assert ns.RAM_MISSPELLED.encode() not in data


def test_it_detects_a_digest_that_does_not_match() -> None:
    bad = letter()
    assert bad.main_letter is not None
    bad.main_letter.sha256 = "f" * 64
    data = soap.envelope_bytes(m.OutboundRequest(item=bad), addressing=soap.Addressing(message_id="urn:uuid:z"))
    with pytest.raises(DigestMismatchError):
        soap.read_envelope(data)


def test_it_streams_files_to_disk_and_cleans_up(tmp_path: Path) -> None:
    big = b"%PDF-" + bytes(range(256)) * 4096  # 1 MB
    source = tmp_path / "big.pdf"
    source.write_bytes(big)
    msg = m.OutboundRequest(item=letter(main_letter=m.BinaryObject.from_file(source, mime_code="application/pdf")))
    out = tmp_path / "envelope.xml"
    with out.open("wb") as fh:
        soap.write_envelope(fh, msg, addressing=soap.Addressing(message_id="urn:uuid:s"))
    assert base64.b64encode(big[:3000]) in out.read_bytes()
    spool = tmp_path / "spool"
    spool.mkdir()
    with out.open("rb") as fh, soap.read_envelope(fh, spool_dir=spool) as received:
        assert isinstance(received.message, m.OutboundRequest)
        assert isinstance(received.message.item, m.CorrespondenceLetter)
        main = received.message.item.main_letter
        assert main is not None and main.path is not None and main.path.parent == spool
        assert main.read_bytes() == big and main.size == len(big)
    assert list(spool.iterdir()) == []


def test_it_checks_the_cover_letter() -> None:
    body, _ = codec.build(m.OutboundRequest(item=letter(main_letter=None)))
    with pytest.raises(MissingCoverLetterError):
        codec.check_cover_letter_present(body)
    empty = m.BinaryObject.from_bytes(b"", mime_code="application/pdf")
    with pytest.raises(MissingCoverLetterError):
        codec.check_letter_files(letter(main_letter=empty))
    png = m.BinaryObject.from_bytes(b"\x89PNG....", mime_code="image/png")
    with pytest.raises(CoverLetterNotPDFError):
        codec.check_letter_files(letter(main_letter=png))
    fake = m.BinaryObject.from_bytes(b"MZ not a pdf", mime_code="application/pdf")
    with pytest.raises(CoverLetterNotPDFError):
        codec.check_letter_files(letter(main_letter=fake))
    odd = m.BinaryObject.from_bytes(b"x", mime_code="application/x-msdownload")
    with pytest.raises(UnknownMimeCodeError):
        codec.check_letter_files(letter(attachments=[odd]))
    codec.check_letter_files(letter())
