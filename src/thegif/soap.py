"""SOAP 1.1 envelopes with WS-Addressing, optional WS-Security UsernameToken, and faults.

Writing streams: the envelope is serialised as a small tree and the files' base64 is written chunk
by chunk from their source, so a big letter is never one big string in memory.
"""

from __future__ import annotations

import base64
import io
import uuid
from dataclasses import dataclass, field
from typing import IO, Any

from lxml import etree  # type: ignore[import-untyped]  # no stubs pinned for lxml

from thegif import codec, ns
from thegif import messages as m
from thegif.errors import (
    EnvelopeError,
    ProtocolError,
    UnknownMessageError,
    error_for_code,
)
from thegif.xmlsafe import Limits, ParsedXML, read_xml

_B64_CHUNK = 3 * 16 * 1024  # a multiple of 3: no padding until the end
ENVELOPE_NSMAP: dict[str | None, str] = {"soap": ns.SOAP_ENV, "wsa": ns.WSA, "gd": ns.GD, "ram": ns.RAM}
ACTION_PREFIX = "urn:th:gov:egif:ecms:"


def new_message_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


@dataclass
class Addressing:
    """The WS-Addressing headers we use. ``message_id`` is the idempotency key of a request."""

    message_id: str | None = None
    to: str | None = None
    action: str | None = None
    relates_to: str | None = None


@dataclass
class UsernameToken:
    username: str
    password: str = field(repr=False)


def _header(env: etree._Element, addressing: Addressing | None, token: UsernameToken | None) -> None:
    if addressing is None and token is None:
        return
    header = etree.SubElement(env, ns.soap("Header"))
    if addressing is not None:
        for tag, value in (
            ("Action", addressing.action),
            ("MessageID", addressing.message_id),
            ("RelatesTo", addressing.relates_to),
            ("To", addressing.to),
        ):
            if value:
                etree.SubElement(header, ns.wsa(tag)).text = value
    if token is not None:
        security = etree.SubElement(header, f"{{{ns.WSSE}}}Security", nsmap={"wsse": ns.WSSE})
        user_token = etree.SubElement(security, f"{{{ns.WSSE}}}UsernameToken")
        etree.SubElement(user_token, f"{{{ns.WSSE}}}Username").text = token.username
        etree.SubElement(user_token, f"{{{ns.WSSE}}}Password").text = token.password


def write_envelope(
    out: IO[bytes],
    message: m.Message,
    *,
    addressing: Addressing | None = None,
    token: UsernameToken | None = None,
    check_schema: bool = False,
) -> None:
    """Serialise ``message`` in a SOAP 1.1 envelope to ``out``.

    File elements get a one-off placeholder; the serialised text is written around them and each
    file's base64 is streamed in its place, chunk by chunk, from the file's source.
    """
    body, binaries = codec.build(message)
    if check_schema:
        codec.validate(body)  # file elements are still empty here, which base64Binary allows
    env = etree.Element(ns.soap("Envelope"), nsmap=ENVELOPE_NSMAP)
    _header(env, addressing, token)
    etree.SubElement(env, ns.soap("Body")).append(body)
    nonce = uuid.uuid4().hex
    sources: list[tuple[bytes, m.BinaryObject]] = []
    for index, (el, obj) in enumerate(binaries.items()):
        placeholder = f"@@{nonce}-{index}@@"
        el.text = placeholder
        sources.append((placeholder.encode(), obj))
    data = etree.tostring(env, xml_declaration=True, encoding="utf-8")
    # Each placeholder occurs once (the nonce is new on every call); plain searches, in document
    # order, instead of a regular expression that would be compiled anew for every nonce.
    found = sorted((data.index(marker), marker, obj) for marker, obj in sources)
    pos = 0
    for start, marker, obj in found:
        out.write(data[pos:start])
        with obj.open() as fh:
            while chunk := fh.read(_B64_CHUNK):
                out.write(base64.b64encode(chunk))
        pos = start + len(marker)
    out.write(data[pos:] if pos else data)


def envelope_bytes(
    message: m.Message,
    *,
    addressing: Addressing | None = None,
    token: UsernameToken | None = None,
    check_schema: bool = False,
) -> bytes:
    buf = io.BytesIO()
    write_envelope(buf, message, addressing=addressing, token=token, check_schema=check_schema)
    return buf.getvalue()


def fault_bytes(error: ProtocolError, *, relates_to: str | None = None) -> bytes:
    """A SOAP 1.1 Fault whose ``detail`` carries ``gd:ErrorDetail`` with the stable code."""
    env = etree.Element(ns.soap("Envelope"), nsmap={"soap": ns.SOAP_ENV, "wsa": ns.WSA, "gd": ns.GD})
    if relates_to:
        header = etree.SubElement(env, ns.soap("Header"))
        etree.SubElement(header, ns.wsa("RelatesTo")).text = relates_to
    fault = etree.SubElement(etree.SubElement(env, ns.soap("Body")), ns.soap("Fault"))
    etree.SubElement(fault, "faultcode").text = f"soap:{error.fault_actor}"
    etree.SubElement(fault, "faultstring").text = f"[{error.code}] {error.message}"
    detail = etree.SubElement(etree.SubElement(fault, "detail"), ns.gd("ErrorDetail"))
    etree.SubElement(detail, ns.gd("ErrorCode")).text = error.code
    etree.SubElement(detail, ns.gd("ErrorDescription")).text = error.message[:4000]
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))


def _raise_fault(fault: etree._Element) -> None:
    code = fault.findtext(f"detail/{ns.gd('ErrorDetail')}/{ns.gd('ErrorCode')}")
    description = fault.findtext(f"detail/{ns.gd('ErrorDetail')}/{ns.gd('ErrorDescription')}")
    faultstring = fault.findtext("faultstring") or ""
    raise error_for_code(code or "ECMS-000", description or faultstring)


@dataclass
class ReceivedEnvelope:
    """A parsed envelope. Files of the message live in temporary files until ``cleanup()``."""

    message: m.Message
    body: etree._Element
    addressing: Addressing
    token: UsernameToken | None
    parsed: ParsedXML

    def cleanup(self) -> None:
        self.parsed.cleanup()

    def __enter__(self) -> ReceivedEnvelope:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def _header_text(header: etree._Element | None, tag: str) -> str | None:
    if header is None:
        return None
    found = header.find(tag)
    return (found.text or "").strip() if found is not None else None


def read_envelope(
    source: bytes | IO[bytes],
    *,
    limits: Limits | None = None,
    spool_dir: Any = None,
    check_schema: bool = True,
    expect_request: bool = True,
    pre_check: Any = None,
) -> ReceivedEnvelope:
    """Read, check and parse a SOAP 1.1 envelope.

    A response that is a Fault raises the ``ProtocolError`` of its code. ``pre_check(body_element)``
    runs before schema validation, for checks that deserve their own code (e.g. the cover letter).
    """
    parsed = read_xml(source, limits=limits, spool_dir=spool_dir)
    try:
        root = parsed.root
        if root.tag != ns.soap("Envelope"):
            raise EnvelopeError(f"element รากต้องเป็น soap:Envelope ของ SOAP 1.1 ไม่ใช่ {root.tag}")
        header = root.find(ns.soap("Header"))
        body_el = root.find(ns.soap("Body"))
        if body_el is None:
            raise EnvelopeError("ไม่มี soap:Body")
        children = [child for child in body_el if isinstance(child.tag, str)]
        if len(children) != 1:
            raise EnvelopeError("soap:Body ต้องมีข้อความเดียว")
        content = children[0]
        if content.tag == ns.soap("Fault"):
            if expect_request:
                raise UnknownMessageError("คำขอต้องไม่เป็น soap:Fault")
            _raise_fault(content)
        addressing = Addressing(
            message_id=_header_text(header, ns.wsa("MessageID")),
            to=_header_text(header, ns.wsa("To")),
            action=_header_text(header, ns.wsa("Action")),
            relates_to=_header_text(header, ns.wsa("RelatesTo")),
        )
        token = None
        if header is not None:
            token_el = header.find(f"{{{ns.WSSE}}}Security/{{{ns.WSSE}}}UsernameToken")
            if token_el is not None:
                token = UsernameToken(
                    username=(token_el.findtext(f"{{{ns.WSSE}}}Username") or "").strip(),
                    password=token_el.findtext(f"{{{ns.WSSE}}}Password") or "",
                )
        if pre_check is not None:
            pre_check(content)
        message = codec.parse(content, parsed.binaries, check_schema=check_schema)
        if expect_request and not isinstance(message, tuple(m.REQUEST_ELEMENTS.values())):
            raise UnknownMessageError(f"{etree.QName(content).localname} ไม่ใช่คำขอ")
    except BaseException:
        parsed.cleanup()
        raise
    return ReceivedEnvelope(message=message, body=content, addressing=addressing, token=token, parsed=parsed)
