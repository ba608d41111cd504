"""Property-based fuzzing of the XML reader and the message codec.

Whatever bytes arrive, reading an envelope or a document either returns a parsed message or raises
one of the library's own ``ProtocolError`` types: never a bare lxml, Unicode, value or key error
that the hub would turn into a 500.
"""

from __future__ import annotations

import base64
import contextlib
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from thegif import codec, soap
from thegif import messages as m
from thegif.errors import ProtocolError
from thegif.xmlsafe import Limits, parse_small, read_xml

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SMALL = Limits(max_bytes=256 * 1024)


def _party(ministry: str, department: str) -> m.Party:
    return m.Party(ministry_id=ministry, department_id=department, job_title="ผู้อำนวยการ")


def _sample() -> bytes:
    letter = m.CorrespondenceLetter(
        id="นร 0505/1234", correspondence_date=date(2025, 3, 14), subject="ขอเชิญประชุม", secret_code="001",
        speed_code="002", sender=_party("0100000000", "0105000000"), receiver=_party("1500000000", "1503000000"),
        main_letter=m.BinaryObject.from_bytes(b"%PDF-1.4\n%%EOF", mime_code="application/pdf",
                                              file_name="cover.pdf"),
        attachment_text="", send_date=date(2025, 3, 14), attachments=[],
    )
    return soap.envelope_bytes(m.OutboundRequest(item=letter),
                               addressing=soap.Addressing(message_id=soap.new_message_id(), to="http://hub/"))


SAMPLE = _sample()
# Fragments a mutation may splice in: markup, entities, DOCTYPEs, odd encodings, huge numbers.
FRAGMENTS = [b"<", b">", b"&", b"&amp;", b"&#0;", b"&#xD800;", b"<!DOCTYPE r [<!ENTITY x 'y'>]>", b"]]>",
             b"<![CDATA[", b"\x00", b"\xff\xfe", b"\xc3\x28", b"<?xml version='1.0' encoding='EBCDIC'?>",
             b"xmlns:x='urn:x'", b"</soap:Body>", b"=====", b"9" * 40, "ลับที่สุด".encode()]


@st.composite
def mutated(draw: st.DrawFn, sample: bytes = SAMPLE) -> bytes:
    """Byte-level mutations of a valid envelope (also used against the hub's endpoint)."""
    data = bytearray(sample)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "cut", "splice", "dup", "drop"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
        elif kind == "splice":
            data[at:at] = draw(st.sampled_from(FRAGMENTS))
        elif kind == "dup":
            end = min(len(data), at + draw(st.integers(1, 400)))
            data[at:at] = data[at:end]
        else:
            end = min(len(data), at + draw(st.integers(1, 200)))
            del data[at:end]
    return bytes(data)


@st.composite
def mutated_elements(draw: st.DrawFn, sample: bytes = SAMPLE) -> bytes:
    """Well-formed envelopes whose elements are dropped, repeated or given other text."""
    root = etree.fromstring(sample)
    elements = [e for e in root.iter() if e is not root]
    for _ in range(draw(st.integers(1, 4))):
        target = elements[draw(st.integers(0, len(elements) - 1))]
        parent = target.getparent()
        kind = draw(st.sampled_from(["drop", "repeat", "text", "b64"]))
        if kind == "drop" and parent is not None and target in parent:
            parent.remove(target)
        elif kind == "repeat" and parent is not None:
            parent.append(etree.fromstring(etree.tostring(target)))
        elif kind == "text":
            target.text = draw(st.text(max_size=40).filter(lambda s: all(ord(c) >= 32 for c in s)))
        else:
            tail = draw(st.sampled_from(["", "=", "!"]))
            target.text = base64.b64encode(draw(st.binary(max_size=64))).decode() + tail
    return bytes(etree.tostring(root))


def _read(data: bytes) -> None:
    try:
        received = soap.read_envelope(data, limits=SMALL)
    except ProtocolError:
        return
    assert isinstance(received.message, m.Request)


@FUZZ
@given(st.binary(max_size=2048))
def test_it_raises_only_protocol_errors_on_random_bytes(data: bytes) -> None:
    with contextlib.suppress(ProtocolError):
        read_xml(data, limits=SMALL)
    _read(data)


@FUZZ
@given(mutated())
def test_it_raises_only_protocol_errors_on_mutated_envelopes(data: bytes) -> None:
    _read(data)


@FUZZ
@given(mutated_elements())
def test_it_raises_only_protocol_errors_on_envelopes_with_mutated_elements(data: bytes) -> None:
    _read(data)


@FUZZ
@given(st.recursive(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x0E7F), max_size=20),
    lambda inner: st.builds(lambda tag, kids: f"<{tag}>{''.join(kids)}</{tag}>",
                            st.sampled_from(["a", "Body", "ram:ID", "x"]), st.lists(inner, max_size=3)),
    max_leaves=12,
))
def test_it_raises_only_protocol_errors_when_a_document_is_not_a_message(text: str) -> None:
    with contextlib.suppress(ProtocolError):
        codec.parse(parse_small(text.encode()))


def test_it_still_reads_the_unmutated_sample() -> None:
    received = soap.read_envelope(SAMPLE, limits=SMALL)
    assert isinstance(received.message, m.OutboundRequest)


def test_it_refuses_non_ascii_characters_in_base64_as_a_protocol_error() -> None:
    """Found by the hub fuzz run: a character outside ASCII in a file's base64 gave a 500."""
    from thegif import xmlsafe
    from thegif.errors import Base64Error

    sink = xmlsafe._Base64Sink(None, 1024)
    sink.write("000\x80")
    with pytest.raises(Base64Error):
        sink._flush(final=True)


def test_it_reads_elements_in_a_default_namespace() -> None:
    """Agency clients may write xmlns="…" instead of a prefix; the names must come out the same."""
    import io

    from thegif import xmlsafe

    doc = b'<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><x xmlns="urn:y">1</x></Body></Envelope>'
    parsed = xmlsafe.read_xml(io.BytesIO(doc))
    assert parsed.root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
    assert parsed.root[0][0].tag == "{urn:y}x"
