"""Hostile XML is refused before it can do harm."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from thegif import soap
from thegif.errors import (
    Base64Error,
    EnvelopeError,
    ForbiddenXMLError,
    MalformedXMLError,
    ProtocolError,
    TooLargeError,
    XMLLimitError,
)
from thegif.xmlsafe import Limits, parse_small, read_xml

XXE_FILE = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
XXE_NET = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><r/>'
PARAM = b'<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><r/>'
LAUGHS = (
    b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><l>&d;&d;</l>'
)


@pytest.mark.parametrize("payload", [XXE_FILE, XXE_NET, PARAM, LAUGHS], ids=["xxe", "dtd", "param", "laughs"])
def test_it_refuses_any_doctype(payload: bytes) -> None:
    with pytest.raises(ForbiddenXMLError):
        read_xml(payload)


def test_it_refuses_undeclared_entities_and_broken_xml() -> None:
    for payload in (b"<r>&x;</r>", b"<r><a></r>", b"", b"not xml"):
        with pytest.raises(MalformedXMLError):
            read_xml(payload)


def test_it_limits_depth_elements_and_size() -> None:
    with pytest.raises(XMLLimitError):
        read_xml(b"<a>" * 65 + b"</a>" * 65)
    read_xml(b"<a>" * 64 + b"</a>" * 64)
    with pytest.raises(XMLLimitError):
        read_xml(b"<r>" + b"<i/>" * 20 + b"</r>", limits=Limits(max_elements=10))
    with pytest.raises(TooLargeError):
        read_xml(b"<r>" + b" " * 200_000 + b"</r>", limits=Limits(max_bytes=100_000))


def test_it_limits_the_size_of_a_streamed_document_and_removes_its_spooled_file(tmp_path: Path) -> None:
    content = base64.b64encode(b"x" * 300_000)
    doc = (
        b'<r xmlns:ram="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1">'
        b'<ram:AttachmentBinaryObject mimeCode="text/plain">' + content + b"</ram:AttachmentBinaryObject></r>"
    )
    with pytest.raises(TooLargeError):
        read_xml(io.BytesIO(doc), limits=Limits(max_bytes=250_000), spool_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_it_refuses_broken_base64_in_files() -> None:
    doc = (
        b'<r xmlns:ram="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1">'
        b'<ram:MainLetterBinaryObject mimeCode="application/pdf">QUJD=QUJD</ram:MainLetterBinaryObject></r>'
    )
    with pytest.raises(Base64Error):
        read_xml(doc)


def test_it_decodes_base64_split_across_lines_and_chunks() -> None:
    raw = bytes(range(256)) * 1000
    encoded = base64.encodebytes(raw)  # 76-character lines
    doc = (
        b'<r xmlns:ram="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1">'
        b'<ram:MainLetterBinaryObject mimeCode="application/pdf">\n' + encoded + b"</ram:MainLetterBinaryObject></r>"
    )
    with read_xml(doc) as parsed:
        (spooled,) = parsed.binaries.values()
        assert spooled.read_bytes() == raw


def test_it_refuses_base64_with_characters_outside_ascii_or_the_alphabet() -> None:
    for text in ("QUJD\u0e01QUJD", "QUJD\u00a0QUJD", "QUJD-QUJD"):
        doc = (
            '<r xmlns:ram="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1">'
            f'<ram:MainLetterBinaryObject mimeCode="application/pdf">{text}</ram:MainLetterBinaryObject></r>'
        ).encode()
        with pytest.raises(Base64Error):
            read_xml(doc)


def test_it_drops_only_xml_whitespace_from_base64() -> None:
    doc = (
        b'<r xmlns:ram="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1">'
        b'<ram:MainLetterBinaryObject mimeCode="application/pdf">'
        b"QU\tJD\r\nRE VG</ram:MainLetterBinaryObject></r>"
    )
    with read_xml(doc) as parsed:
        assert [s.read_bytes() for s in parsed.binaries.values()] == [b"ABCDEF"]


def test_it_reads_a_fault_as_its_error() -> None:
    from thegif.errors import DigestMismatchError

    fault = soap.fault_bytes(DigestMismatchError("ไม่ตรง"), relates_to="urn:uuid:1")
    with pytest.raises(DigestMismatchError, match="ไม่ตรง"):
        soap.read_envelope(fault, expect_request=False)
    with pytest.raises(ProtocolError) as caught:
        soap.read_envelope(fault, expect_request=True)
    assert caught.value.code == "ECMS-SCHEMA-001"


def test_it_refuses_what_is_not_a_soap_1_1_envelope() -> None:
    with pytest.raises(EnvelopeError):
        soap.read_envelope(b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>')
    assert parse_small(b"<ok/>").tag == "ok"


def test_it_reuses_a_cleanly_closed_parser_and_drops_one_that_failed(tmp_path: Path) -> None:
    from thegif import xmlsafe

    def doc(content: bytes) -> bytes:
        return (
            b'<r xmlns:ram="urn:th:gov:egif:data:standard:ReusableAggregateBusinessInformationEntity:1">'
            b'<ram:MainLetterBinaryObject mimeCode="application/pdf">' + content + b"</ram:MainLetterBinaryObject></r>"
        )

    first = read_xml(doc(base64.b64encode(b"first")), spool_dir=tmp_path)
    kept = xmlsafe._local.parser
    assert kept is not None
    second = read_xml(doc(base64.b64encode(b"second")), spool_dir=tmp_path)
    assert xmlsafe._local.parser[0] is kept[0]  # the same parser read the second document
    assert [b.read_bytes() for b in first.binaries.values()] == [b"first"]
    assert [b.read_bytes() for b in second.binaries.values()] == [b"second"]
    with pytest.raises(Base64Error):
        read_xml(doc(b"QUJD=QUJD"), spool_dir=tmp_path)
    assert xmlsafe._local.parser is None  # a parser that failed is not kept
    with pytest.raises(MalformedXMLError):
        read_xml(b"<r><a></r>")
    with read_xml(doc(base64.b64encode(b"third")), spool_dir=tmp_path) as third:
        assert [b.read_bytes() for b in third.binaries.values()] == [b"third"]
        assert third.root.tag == "r" and len(third.root) == 1
    first.cleanup()
    second.cleanup()
    assert list(tmp_path.iterdir()) == []
