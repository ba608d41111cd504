"""The XML Test Tool: every problem of one message, with line numbers and a plain explanation.

It uses the hub's own schemas and rules (``thegif``), but instead of stopping at the first fault as
the hub does, it collects all of them so that a developer can fix a message in one go.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from lxml import etree  # type: ignore[import-untyped]  # no stubs pinned for lxml

from thegif import codec, ns
from thegif import messages as m


@dataclass(frozen=True)
class Process:
    key: str
    label: str  # Thai first, English after
    element: str  # body element
    item: str | None = None  # for CorrespondenceLetterOutboundRequest: the child element


PROCESSES: dict[str, Process] = {
    p.key: p
    for p in (
        Process("letter", "ส่งหนังสือ (Send letter)", m.OutboundRequest.ELEMENT, m.ItemType.GOVERNMENT_DOCUMENT),
        Process("receive", "หนังสือตอบรับ (ReceiveLetterNotifier)", m.OutboundRequest.ELEMENT, m.ItemType.RECEIVE),
        Process("accept", "หนังสือแจ้งเลขรับ (AcceptLetterNotifier)", m.OutboundRequest.ELEMENT, m.ItemType.ACCEPT),
        Process("reject", "หนังสือปฏิเสธ (RejectLetterNotifier)", m.OutboundRequest.ELEMENT, m.ItemType.REJECT),
        Process("invalid", "หนังสือแจ้งหนังสือผิด (InvalidLetterNotifier)", m.OutboundRequest.ELEMENT, m.ItemType.INVALID),
        Process(
            "invalid_accept_id",
            "แจ้งเลขรับผิด (InvalidAcceptIDNotifier)",
            m.OutboundRequest.ELEMENT,
            m.ItemType.INVALID_ACCEPT_ID,
        ),
        Process("inbound", "ดึงรายการที่รออยู่ (Inbound)", m.InboundRequest.ELEMENT),
        Process("inbound_special", "ขอหนังสือหรือ notifier ซ้ำ (InboundSpecial)", m.InboundSpecialRequest.ELEMENT),
        Process("delete", "ลบรายการออกจากคิว (Delete)", m.DeleteRequest.ELEMENT),
        Process(
            "delete_document",
            "ลบหนังสือที่ส่งไปแล้ว (DeleteGovernmentDocument)",
            m.DeleteGovernmentDocumentRequest.ELEMENT,
        ),
        Process("ministry_list", "รายชื่อกระทรวง (GetMinistryOrganizationList)", m.MinistryListRequest.ELEMENT),
        Process("organization_list", "รายชื่อหน่วยงาน (GetOrganizationList)", m.OrganizationListRequest.ELEMENT),
        Process("secret_codes", "รหัสชั้นความลับ (GetSecretCodes)", m.SecretCodesRequest.ELEMENT),
        Process("speed_codes", "รหัสชั้นความเร็ว (GetSpeedCodes)", m.SpeedCodesRequest.ELEMENT),
        Process("mime_codes", "รหัสชนิดไฟล์ (GetMimeCodes)", m.MimeCodesRequest.ELEMENT),
        Process("outbound_status", "สถานะหนังสือที่ส่ง (OutboundStatus)", m.OutboundStatusRequest.ELEMENT),
        Process("time_check", "เวลาของระบบกลาง (TimeCheck)", m.TimeCheckRequest.ELEMENT),
    )
}


@dataclass(frozen=True)
class Problem:
    line: int | None
    code: str
    th: str
    en: str
    detail: str = ""


@dataclass
class CheckResult:
    process: Process | None
    detected: bool  # the process was detected from the body element (not chosen)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _problem(result: CheckResult, line: int | None, code: str, th: str, en: str, detail: str = "") -> None:
    result.problems.append(Problem(line=line, code=code, th=th, en=en, detail=detail))


def _parser() -> etree.XMLParser:
    # Same switches as the hub's hardened parser; line numbers are kept for the report.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def _body_element(root: etree._Element, result: CheckResult) -> etree._Element | None:
    if root.tag == ns.soap("Envelope"):
        body = root.find(ns.soap("Body"))
        if body is None or len(body) == 0:
            _problem(result, root.sourceline, "NO-BODY", "ไม่มี soap:Body หรือ Body ว่าง", "No soap:Body, or it is empty")
            return None
        return body[0]
    if etree.QName(root).namespace == ns.SOAP_ENV:
        _problem(
            result, root.sourceline, "NO-ENVELOPE", "element รากของ SOAP ต้องเป็น Envelope", "SOAP root must be Envelope"
        )
        return None
    return root


def detect_process(body: etree._Element) -> Process | None:
    qname = etree.QName(body)
    if qname.namespace != ns.GD:
        return None
    for process in PROCESSES.values():
        if process.element != qname.localname:
            continue
        if process.item is None:
            return process
        if body.find(ns.gd(process.item)) is not None:
            return process
    return None


_SCHEMA_PATTERNS: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(
            r"Element '(?P<el>[^']+)': This element is not expected\. Expected is(?: one of)? \( (?P<exp>.+) \)"
        ),
        "พบ element {el} ในตำแหน่งที่ไม่ควรมี ตรงนี้ควรเป็น {exp} (ลำดับ element ผิด, สะกดผิด หรือขาด element ก่อนหน้า)",
        "Element {el} is not expected here; expected {exp}"
        " (wrong order, misspelt, or a required element before it is missing)",
    ),
    (
        re.compile(r"Element '(?P<el>[^']+)': This element is not expected\."),
        "พบ element {el} ซึ่งไม่ควรมีในตำแหน่งนี้",
        "Element {el} is not allowed here",
    ),
    (
        re.compile(r"Element '(?P<el>[^']+)': Missing child element\(s\)\. Expected is(?: one of)? \( (?P<exp>.+) \)"),
        "element {el} ขาด element ลูกที่จำเป็น: {exp}",
        "Element {el} lacks a required child: {exp}",
    ),
    (
        re.compile(
            r"Element '(?P<el>[^']+)': '(?P<val>[^']*)' is not a valid value of the atomic type '(?P<type>[^']+)'"
        ),
        "ค่า '{val}' ของ {el} ไม่ถูกต้องตามชนิดข้อมูล {type} (เช่น วันที่ต้องเป็น YYYY-MM-DD)",
        "Value '{val}' of {el} is not a valid {type} (e.g. dates are YYYY-MM-DD)",
    ),
    (
        re.compile(r"Element '(?P<el>[^']+)': \[facet '(?P<facet>[^']+)'\] The value '(?P<val>[^']*)'"),
        "ค่า '{val}' ของ {el} ไม่ผ่านข้อกำหนด {facet} ของ schema (ความยาวหรือรูปแบบหรือรายการค่าที่อนุญาต)",
        "Value '{val}' of {el} breaks the schema's {facet} rule (length, pattern or allowed values)",
    ),
    (
        re.compile(r"Element '(?P<el>[^']+)': The attribute '(?P<attr>[^']+)' is required but missing"),
        "element {el} ต้องมี attribute {attr}",
        "Element {el} needs the attribute {attr}",
    ),
    (
        re.compile(r"Element '(?P<el>[^']+)', attribute '(?P<attr>[^']+)': The attribute '[^']+' is not allowed"),
        "element {el} มี attribute {attr} ที่ไม่อนุญาต",
        "Element {el} carries the attribute {attr}, which is not allowed",
    ),
    (
        re.compile(r"Element '(?P<el>[^']+)': No matching global declaration available for the validation root"),
        "schema ไม่รู้จัก element ราก {el} (namespace หรือชื่อผิด)",
        "The schema does not know the root element {el} (wrong namespace or name)",
    ),
]


def _short(name: str) -> str:
    # "{urn:...:GovernmentDocument:1.0}Subject" → "gd:Subject"
    for prefix, uri in (("gd", ns.GD), ("ram", ns.RAM)):
        name = name.replace(f"{{{uri}}}", f"{prefix}:")
    return name


def explain_schema_error(message: str) -> tuple[str, str]:
    """A Thai and an English explanation of one libxml2 schema message."""
    for pattern, th, en in _SCHEMA_PATTERNS:
        found = pattern.search(message)
        if found:
            parts = {k: _short(v) for k, v in found.groupdict().items()}
            return th.format(**parts), en.format(**parts)
    return "ไม่ตรงตาม XML Schema", "Does not follow the XML Schema"


def _check_schema(body: etree._Element, result: CheckResult) -> None:
    checker = codec.schema()
    if checker.validate(body):
        return
    for error in checker.error_log:
        th, en = explain_schema_error(error.message)
        _problem(result, error.line, "SCHEMA", th, en, _short(error.message))


def _check_binary(el: etree._Element, result: CheckResult, *, cover: bool) -> None:
    name = etree.QName(el).localname
    mime = el.get("mimeCode")
    if mime is not None and mime not in m.MIME_CODES:
        _problem(
            result,
            el.sourceline,
            "MIME",
            f"{name}: ไม่รองรับ mimeCode '{mime}'",
            f"{name}: mimeCode '{mime}' is not supported",
        )
    text = "".join((el.text or "").split())
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        _problem(
            result,
            el.sourceline,
            "BASE64",
            f"{name}: เนื้อไฟล์ไม่ใช่ base64 ที่ถูกต้อง",
            f"{name}: the content is not valid base64",
        )
        return
    if cover:
        if not content:
            _problem(
                result,
                el.sourceline,
                "COVER-EMPTY",
                "หนังสือนำ (MainLetterBinaryObject) ว่างเปล่า",
                "The cover letter (MainLetterBinaryObject) is empty",
            )
        elif mime == "application/pdf" and not content.startswith(b"%PDF-"):
            _problem(
                result,
                el.sourceline,
                "COVER-NOT-PDF",
                "หนังสือนำระบุเป็น PDF แต่เนื้อไฟล์ไม่ใช่ PDF",
                "The cover letter says PDF but its content is not a PDF",
            )
        elif mime is not None and mime != "application/pdf":
            _problem(
                result,
                el.sourceline,
                "COVER-NOT-PDF",
                f"หนังสือนำต้องเป็น application/pdf ไม่ใช่ {mime}",
                f"The cover letter must be application/pdf, not {mime}",
            )
    size = el.get("size")
    if size is not None and size.isdigit() and int(size) != len(content):
        _problem(
            result,
            el.sourceline,
            "SIZE",
            f"{name}: ระบุขนาด {size} ไบต์ แต่เนื้อไฟล์มี {len(content)} ไบต์",
            f"{name}: declares {size} bytes but carries {len(content)}",
        )
    sha = el.get("sha256")
    if sha is not None and sha.lower() != hashlib.sha256(content).hexdigest():
        _problem(
            result,
            el.sourceline,
            "SHA256",
            f"{name}: ค่า sha256 ไม่ตรงกับเนื้อไฟล์",
            f"{name}: the sha256 attribute does not match the content",
        )


def _check_letter_rules(body: etree._Element, result: CheckResult) -> None:
    """The hub's rules beyond the schema: a cover letter that is a PDF, sound files, sane dates."""
    letter = body.find(f"{ns.gd('GovernmentDocument')}/{ns.gd('CorrespondenceLetter')}")
    if letter is None:
        return
    main = letter.find(ns.ram("MainLetterBinaryObject"))
    if main is None:
        _problem(
            result,
            letter.sourceline,
            "COVER-MISSING",
            "ไม่มีหนังสือนำ (MainLetterBinaryObject) ซึ่งต้องแนบทุกครั้ง",
            "The cover letter (MainLetterBinaryObject) is missing; it is mandatory",
        )
    else:
        _check_binary(main, result, cover=True)
    for att in letter.iterfind(ns.ram("AttachmentBinaryObject")):
        _check_binary(att, result, cover=False)
    for tag, code in (("SecretCode", m.SECRET_CODES), ("SpeedCode", m.SPEED_CODES)):
        el = letter.find(ns.ram(tag))
        if el is not None and (el.text or "").strip() not in code:
            _problem(
                result,
                el.sourceline,
                "CODE",
                f"{tag} '{el.text}' ไม่อยู่ในตารางรหัส ({', '.join(code)})",
                f"{tag} '{el.text}' is not in the code table ({', '.join(code)})",
            )
    sent = letter.find(ns.ram("CorrespondenceDate"))
    if sent is not None:
        try:
            day = codec.parse_date((sent.text or "").strip())
        except ValueError:
            return  # already reported by the schema
        if day.year > datetime.now(UTC).year + 1:
            _problem(
                result,
                sent.sourceline,
                "DATE",
                "วันที่หนังสืออยู่ในอนาคตเกินหนึ่งปี (ใช้ปี ค.ศ. ไม่ใช่ พ.ศ.)",
                "The letter date is more than a year ahead (use the Gregorian year, not the Buddhist Era)",
            )


def check_message(data: bytes, *, process_key: str | None = None) -> CheckResult:
    """Check one message (a SOAP envelope or the bare body element) against the chosen process."""
    chosen = PROCESSES.get(process_key) if process_key else None
    result = CheckResult(process=chosen, detected=False)
    # the misspelled namespace of public client code is accepted by the hub: rewrite it the same way
    data = data.replace(ns.RAM_MISSPELLED.encode(), ns.RAM.encode())
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        # a well-formedness error is fatal: the parser stops at the first (lxml's error log is shared
        # by the thread, so only the exception itself is trusted)
        _problem(result, exc.lineno, "XML", "XML ไม่ถูกต้องตามรูปแบบ (well-formed)", "The XML is not well-formed", exc.msg)
        return result
    if root.getroottree().docinfo.doctype:
        _problem(
            result,
            1,
            "DOCTYPE",
            "ห้ามมี DOCTYPE (ระบบกลางปฏิเสธเพื่อป้องกัน XXE)",
            "DOCTYPE is forbidden (the hub refuses it to prevent XXE)",
        )
    body = _body_element(root, result)
    if body is None:
        return result
    detected = detect_process(body)
    if chosen is None:
        result.process = detected
        result.detected = detected is not None
        if detected is None:
            _problem(
                result,
                body.sourceline,
                "UNKNOWN",
                f"ไม่รู้จักข้อความ {etree.QName(body).localname} จึงเลือกกระบวนการไม่ได้",
                f"Unknown message {etree.QName(body).localname}: cannot tell the process",
            )
    elif detected is not chosen:
        found = detected.label if detected else etree.QName(body).localname
        _problem(
            result,
            body.sourceline,
            "PROCESS",
            f"เลือกกระบวนการ {chosen.label} แต่ข้อความเป็น {found}",
            f"Chose {chosen.key} but the message is {found}",
        )
    _check_schema(body, result)
    _check_letter_rules(body, result)
    result.problems.sort(key=lambda p: p.line or 0)
    return result


# ----- valid samples -----

_SAMPLE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_SAMPLE_DATE = date(2025, 3, 14)
_SAMPLE_LETTER_ID = "9f1c2a7e5b6d4c3e8a1b2c3d4e5f6a7b"


def _sample_message(process: Process) -> m.Request:
    if process.key == "letter":
        return m.OutboundRequest(
            item=m.CorrespondenceLetter(
                id="นร 0105/123",
                correspondence_date=_SAMPLE_DATE,
                subject="ขอเชิญประชุม",
                secret_code="001",  # noqa: S106  # a classification code, not a password
                speed_code="001",
                sender=m.Party(ministry_id="0100000000", department_id="0105000000", job_title="ผู้อำนวยการ"),
                receiver=m.Party(ministry_id="1500000000", department_id="1503000000", job_title="อธิบดี"),
                attachment_text="กำหนดการ 1 ฉบับ",
                send_date=_SAMPLE_DATE,
                main_letter=m.BinaryObject.from_bytes(_SAMPLE_PDF, mime_code="application/pdf", file_name="cover.pdf"),
            )
        )
    if process.item is not None:
        kind = m.ItemType(process.item)
        return m.OutboundRequest(
            item=m.Notifier(
                kind=kind,
                letter_id=_SAMPLE_LETTER_ID,
                correspondence_date=_SAMPLE_DATE,
                subject="ขอเชิญประชุม",
                accept_id="รับที่ 456" if kind in m.NOTIFIERS_WITH_ACCEPT_ID else None,
                description="ไม่ใช่หนังสือของหน่วยงานนี้" if kind in (m.ItemType.REJECT, m.ItemType.INVALID) else None,
            )
        )
    if process.key == "inbound_special":
        return m.InboundSpecialRequest(
            item_type=m.ItemType.GOVERNMENT_DOCUMENT,
            letter_id=_SAMPLE_LETTER_ID,
            correspondence_date=_SAMPLE_DATE,
            sender_department="0105000000",
            accept_department="1503000000",
        )
    if process.key == "delete":
        return m.DeleteRequest(process_id="4b1e0c9d2f3a4e5b8c7d6e5f4a3b2c1d")
    if process.key == "delete_document":
        return m.DeleteGovernmentDocumentRequest(
            letter_id=_SAMPLE_LETTER_ID,
            correspondence_date=_SAMPLE_DATE,
            sender_department="0105000000",
            accept_department="1503000000",
        )
    if process.key == "organization_list":
        return m.OrganizationListRequest(ministry_id="0100000000")
    if process.key == "outbound_status":
        return m.OutboundStatusRequest(letter_id=_SAMPLE_LETTER_ID)
    cls = m.REQUEST_ELEMENTS[process.element]
    return cls()  # type: ignore[call-arg]  # the remaining requests are empty


def sample_message(process_key: str) -> str:
    """A valid body element for the process, files filled in base64, pretty-printed."""
    body, binaries = codec.build(_sample_message(PROCESSES[process_key]))
    for el, obj in binaries.items():
        el.text = base64.b64encode(obj.read_bytes()).decode()
    text: str = etree.tostring(body, encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text
