"""XML mapping of the messages: build, parse and validate the SOAP body content.

``build`` returns the body element and, for file elements, a map element → ``BinaryObject``: those
elements are left empty and the envelope writer streams their base64 content (see ``soap``).
``parse`` takes what ``xmlsafe.read_xml`` produced and checks the declared size and SHA-256 of every
file against the bytes actually received.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any, cast

from lxml import etree  # type: ignore[import-untyped]  # no stubs pinned for lxml

from thegif import messages as m
from thegif import ns
from thegif.errors import (
    Base64Error,
    CoverLetterNotPDFError,
    DigestMismatchError,
    MissingCoverLetterError,
    SchemaViolationError,
    SizeMismatchError,
    UnknownMessageError,
    UnknownMimeCodeError,
)
from thegif.xmlsafe import SpooledBinary, hardened_parser

SCHEMA_DIR = Path(__file__).with_name("schema")
SCHEMA_FILES = ("GovernmentDocument.xsd", "ReusableAggregateBusinessInformationEntity.xsd")
_BODY_NSMAP: dict[str | None, str] = {"gd": ns.GD, "ram": ns.RAM}
_local = threading.local()

Binaries = dict[etree._Element, m.BinaryObject]
BinaryResolver = Callable[[etree._Element], m.BinaryObject]


def schema() -> etree.XMLSchema:
    """The compiled XSD (one per thread: lxml schema objects are not shared across threads)."""
    compiled: etree.XMLSchema | None = getattr(_local, "schema", None)
    if compiled is None:
        doc = etree.parse(str(SCHEMA_DIR / "GovernmentDocument.xsd"), hardened_parser())
        compiled = etree.XMLSchema(doc)
        _local.schema = compiled
    return compiled


def validate(element: etree._Element) -> None:
    """Raise ``SchemaViolationError`` (ECMS-SCHEMA-002) unless ``element`` is valid."""
    checker = schema()
    if not checker.validate(element):
        errors = checker.error_log.filter_from_errors()
        first = errors[0] if errors else None
        detail = f"บรรทัด {first.line}: {first.message}" if first else "ไม่ผ่าน XML Schema"
        raise SchemaViolationError(f"ข้อความไม่ตรงตาม XML Schema: {detail}")


# ----- building -----


def _sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def _opt(parent: etree._Element, tag: str, text: str | None) -> None:
    if text is not None and text != "":
        _sub(parent, tag, text)


def format_datetime(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds")


def _binary(parent: etree._Element, tag: str, obj: m.BinaryObject, binaries: Binaries) -> None:
    el = _sub(parent, tag)
    el.set("mimeCode", obj.mime_code)
    if obj.file_name:
        el.set("fileName", obj.file_name)
    if obj.size is not None:
        el.set("size", str(obj.size))
    if obj.sha256:
        el.set("sha256", obj.sha256)
    binaries[el] = obj


def _party(parent: etree._Element, tag: str, party: m.Party) -> None:
    el = _sub(parent, tag)
    _opt(el, ns.ram("GivenName"), party.given_name)
    _opt(el, ns.ram("FamilyName"), party.family_name)
    _opt(el, ns.ram("JobTitle"), party.job_title)
    _sub(_sub(el, ns.ram("MinistryOrganization")), ns.ram("ID"), party.ministry_id)
    _sub(_sub(el, ns.ram("DepartmentOrganization")), ns.ram("ID"), party.department_id)


def _letter(parent: etree._Element, letter: m.CorrespondenceLetter, binaries: Binaries) -> None:
    doc = _sub(parent, ns.gd("GovernmentDocument"))
    el = _sub(doc, ns.gd("CorrespondenceLetter"))
    _sub(el, ns.ram("ID"), letter.id)
    _sub(el, ns.ram("CorrespondenceDate"), letter.correspondence_date.isoformat())
    _sub(el, ns.ram("Subject"), letter.subject)
    _sub(el, ns.ram("SecretCode"), letter.secret_code)
    _sub(el, ns.ram("SpeedCode"), letter.speed_code)
    _party(el, ns.ram("SenderParty"), letter.sender)
    _party(el, ns.ram("ReceiverParty"), letter.receiver)
    for ref in letter.references:
        ref_el = _sub(el, ns.ram("ReferenceCorrespondence"))
        _sub(ref_el, ns.ram("ID"), ref.id)
        _sub(ref_el, ns.ram("CorrespondenceDate"), ref.correspondence_date.isoformat())
        _sub(ref_el, ns.ram("Subject"), ref.subject)
    _opt(el, ns.ram("Attachment"), letter.attachment_text)
    _opt(el, ns.ram("SendDate"), letter.send_date.isoformat() if letter.send_date else None)
    _opt(el, ns.ram("Description"), letter.description)
    if letter.main_letter is not None:
        _binary(el, ns.ram("MainLetterBinaryObject"), letter.main_letter, binaries)
    for att in letter.attachments:
        _binary(el, ns.ram("AttachmentBinaryObject"), att, binaries)


def _notifier(parent: etree._Element, notifier: m.Notifier) -> None:
    el = _sub(parent, ns.gd(notifier.kind.value))
    _sub(el, ns.ram("LetterID"), notifier.letter_id)
    _sub(el, ns.ram("CorrespondenceDate"), notifier.correspondence_date.isoformat())
    _sub(el, ns.ram("Subject"), notifier.subject)
    if notifier.kind in m.NOTIFIERS_WITH_ACCEPT_ID:
        _sub(el, ns.ram("AcceptID"), notifier.accept_id or "")
    _opt(el, ns.ram("Description"), notifier.description)


def _item(parent: etree._Element, item: m.Item, binaries: Binaries) -> None:
    if isinstance(item, m.CorrespondenceLetter):
        _letter(parent, item, binaries)
    else:
        _notifier(parent, item)


def _dept(parent: etree._Element, tag: str, code: str) -> None:
    _sub(_sub(parent, ns.gd(tag)), ns.gd("Code"), code)


def _head(root: etree._Element, process_id: str | None, process_time: datetime) -> None:
    if process_id is not None:
        _sub(root, ns.gd("ProcessID"), process_id)
    _sub(root, ns.gd("ProcessTime"), format_datetime(process_time))


def build(message: m.Message) -> tuple[etree._Element, Binaries]:
    """The body element of ``message`` and the file elements whose content is streamed later."""
    root = etree.Element(ns.gd(message.ELEMENT), nsmap=_BODY_NSMAP)
    binaries: Binaries = {}
    match message:
        case m.OutboundRequest(item=item):
            _item(root, item, binaries)
        case m.OutboundResponse() | m.DeleteGovernmentDocumentResponse():
            _head(root, message.process_id, message.process_time)
            _sub(root, ns.ram("LetterID"), message.letter_id)
        case m.InboundResponse():
            _head(root, message.item.process_id if message.item else None, message.process_time)
            _sub(root, ns.gd("QueueLength"), str(message.queue_length))
            if message.item is not None:
                _sub(root, ns.ram("LetterID"), message.item.letter_id)
                _dept(root, "SenderDepartment", message.item.sender_department)
                _dept(root, "AcceptDepartment", message.item.accept_department)
                _item(root, message.item.content, binaries)
        case m.InboundSpecialRequest():
            _sub(root, ns.gd("ItemType"), message.item_type.value)
            _sub(root, ns.ram("LetterID"), message.letter_id)
            _sub(root, ns.ram("CorrespondenceDate"), message.correspondence_date.isoformat())
            _dept(root, "SenderDepartment", message.sender_department)
            _dept(root, "AcceptDepartment", message.accept_department)
        case m.DeleteRequest():
            _sub(root, ns.gd("ProcessID"), message.process_id)
        case m.DeleteResponse() | m.TimeCheckResponse():
            _head(root, message.process_id, message.process_time)
        case m.DeleteGovernmentDocumentRequest():
            _sub(root, ns.ram("LetterID"), message.letter_id)
            _sub(root, ns.ram("CorrespondenceDate"), message.correspondence_date.isoformat())
            _dept(root, "SenderDepartment", message.sender_department)
            _dept(root, "AcceptDepartment", message.accept_department)
        case m.OrganizationListRequest():
            _opt(root, ns.gd("MinistryID"), message.ministry_id)
        case m.MinistryListResponse():
            _head(root, message.process_id, message.process_time)
            for org in message.organizations:
                org_el = _sub(root, ns.gd("Organization"))
                _sub(org_el, ns.ram("ID"), org.id)
                _sub(org_el, ns.gd("Name"), org.name)
                _opt(org_el, ns.gd("ShortName"), org.short_name)
                _opt(org_el, ns.gd("MinistryID"), org.ministry_id)
                if org.public_key is not None:
                    key_el = _sub(org_el, ns.gd("PublicKey"), base64.b64encode(org.public_key.der).decode())
                    key_el.set("algorithm", org.public_key.algorithm)
        case m.SecretCodesResponse():
            _head(root, message.process_id, message.process_time)
            for entry in message.codes:
                entry_el = _sub(root, ns.gd("CodeEntry"))
                _sub(entry_el, ns.gd("Code"), entry.code)
                _sub(entry_el, ns.gd("Name"), entry.name)
        case m.OutboundStatusRequest():
            _opt(root, ns.ram("LetterID"), message.letter_id)
        case m.OutboundStatusResponse():
            _head(root, message.process_id, message.process_time)
            for st in message.statuses:
                st_el = _sub(root, ns.gd("LetterStatus"))
                _sub(st_el, ns.ram("LetterID"), st.letter_id)
                _sub(st_el, ns.ram("ID"), st.id)
                _sub(st_el, ns.ram("CorrespondenceDate"), st.correspondence_date.isoformat())
                _sub(st_el, ns.ram("Subject"), st.subject)
                _dept(st_el, "AcceptDepartment", st.accept_department)
                _sub(st_el, ns.gd("Status"), st.status.value)
                _sub(st_el, ns.gd("StatusTime"), format_datetime(st.status_time))
                _opt(st_el, ns.ram("AcceptID"), st.accept_id)
                _opt(st_el, ns.ram("Description"), st.description)
        case (
            m.InboundRequest()
            | m.MinistryListRequest()
            | m.SecretCodesRequest()
            | m.SpeedCodesRequest()
            | m.MimeCodesRequest()
            | m.TimeCheckRequest()
        ):
            pass
        case _:  # pragma: no cover - exhaustive over Message
            raise TypeError(f"cannot build {type(message).__name__}")
    return root, binaries


# ----- parsing -----


class _Reader:
    """Reads one validated body element; ``spooled`` holds file contents from ``read_xml``."""

    def __init__(
        self,
        spooled: dict[etree._Element, SpooledBinary],
        resolver: BinaryResolver | None = None,
    ) -> None:
        self.spooled = spooled
        self.resolver = resolver

    @staticmethod
    def child(el: etree._Element, tag: str) -> etree._Element:
        found = el.find(tag)
        if found is None:
            raise SchemaViolationError(f"ไม่มี element {etree.QName(tag).localname}")
        return found

    def text(self, el: etree._Element, tag: str) -> str:
        return (self.child(el, tag).text or "").strip()

    @staticmethod
    def opt(el: etree._Element, tag: str) -> str | None:
        found = el.find(tag)
        if found is None:
            return None
        return (found.text or "").strip()

    def date(self, el: etree._Element, tag: str) -> date:
        return parse_date(self.text(el, tag))

    def dept(self, el: etree._Element, tag: str) -> str:
        return self.text(self.child(el, ns.gd(tag)), ns.gd("Code"))

    def binary(self, el: etree._Element) -> m.BinaryObject:
        declared_size = el.get("size")
        declared_sha = el.get("sha256")
        spooled = self.spooled.get(el)
        if spooled is None and self.resolver is not None:
            # content kept elsewhere (e.g. the hub's store): trust the recorded attributes
            return self.resolver(el)
        if spooled is None:  # parsed without spooling (e.g. a tree built in memory)
            try:
                content = base64.b64decode((el.text or "").strip(), validate=True)
            except (binascii.Error, ValueError) as exc:  # ValueError: characters outside ASCII
                raise Base64Error() from exc
            obj = m.BinaryObject.from_bytes(content, mime_code=el.get("mimeCode", ""), file_name=el.get("fileName"))
        else:
            obj = m.BinaryObject(
                mime_code=el.get("mimeCode", ""),
                file_name=el.get("fileName"),
                size=spooled.size,
                sha256=spooled.sha256,
                path=spooled.path,
            )
        if declared_size is not None and int(declared_size) != obj.size:
            raise SizeMismatchError(f"ไฟล์ {obj.file_name or ''} ระบุขนาด {declared_size} แต่ได้รับ {obj.size} ไบต์")
        if declared_sha is not None and declared_sha != obj.sha256:
            raise DigestMismatchError(f"ไฟล์ {obj.file_name or ''}: SHA-256 ไม่ตรงกับที่ระบุ")
        return obj

    def party(self, el: etree._Element) -> m.Party:
        return m.Party(
            given_name=self.opt(el, ns.ram("GivenName")),
            family_name=self.opt(el, ns.ram("FamilyName")),
            job_title=self.opt(el, ns.ram("JobTitle")),
            ministry_id=self.text(self.child(el, ns.ram("MinistryOrganization")), ns.ram("ID")),
            department_id=self.text(self.child(el, ns.ram("DepartmentOrganization")), ns.ram("ID")),
        )

    def letter(self, doc: etree._Element) -> m.CorrespondenceLetter:
        el = self.child(doc, ns.gd("CorrespondenceLetter"))
        main = el.find(ns.ram("MainLetterBinaryObject"))
        send_date = self.opt(el, ns.ram("SendDate"))
        return m.CorrespondenceLetter(
            id=self.text(el, ns.ram("ID")),
            correspondence_date=self.date(el, ns.ram("CorrespondenceDate")),
            subject=self.text(el, ns.ram("Subject")),
            secret_code=self.text(el, ns.ram("SecretCode")),
            speed_code=self.text(el, ns.ram("SpeedCode")),
            sender=self.party(self.child(el, ns.ram("SenderParty"))),
            receiver=self.party(self.child(el, ns.ram("ReceiverParty"))),
            references=[
                m.ReferenceCorrespondence(
                    id=self.text(ref, ns.ram("ID")),
                    correspondence_date=self.date(ref, ns.ram("CorrespondenceDate")),
                    subject=self.text(ref, ns.ram("Subject")),
                )
                for ref in el.iterfind(ns.ram("ReferenceCorrespondence"))
            ],
            attachment_text=self.opt(el, ns.ram("Attachment")),
            send_date=parse_date(send_date) if send_date else None,
            description=self.opt(el, ns.ram("Description")),
            main_letter=self.binary(main) if main is not None else None,
            attachments=[self.binary(att) for att in el.iterfind(ns.ram("AttachmentBinaryObject"))],
        )

    def notifier(self, el: etree._Element) -> m.Notifier:
        return m.Notifier(
            kind=m.ItemType(etree.QName(el).localname),
            letter_id=self.text(el, ns.ram("LetterID")),
            correspondence_date=self.date(el, ns.ram("CorrespondenceDate")),
            subject=self.text(el, ns.ram("Subject")),
            accept_id=self.opt(el, ns.ram("AcceptID")),
            description=self.opt(el, ns.ram("Description")),
        )

    def item(self, parent: etree._Element) -> m.Item | None:
        for child in parent:
            qname = etree.QName(child)
            if qname.namespace != ns.GD:
                continue
            if qname.localname == m.ItemType.GOVERNMENT_DOCUMENT:
                return self.letter(child)
            if qname.localname in m.ItemType._value2member_map_:
                return self.notifier(child)
        return None

    def head(self, el: etree._Element) -> tuple[str, datetime]:
        return self.text(el, ns.gd("ProcessID")), parse_datetime(self.text(el, ns.gd("ProcessTime")))


def parse_date(value: str) -> date:
    # xs:date may carry a time zone ("2024-05-01+07:00"); the calendar date is what matters.
    return date.fromisoformat(value[:10])


def parse_datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


def message_class(element: etree._Element) -> type[m.Message]:
    qname = etree.QName(element)
    if qname.namespace == ns.GD:
        cls: type[m.Message] | None = m.REQUEST_ELEMENTS.get(qname.localname) or m.RESPONSE_ELEMENTS.get(
            qname.localname
        )
        if cls is not None:
            return cls
    raise UnknownMessageError(f"ไม่รู้จักข้อความ {qname.localname} ({qname.namespace})")


def parse(
    element: etree._Element,
    spooled: dict[etree._Element, SpooledBinary] | None = None,
    *,
    check_schema: bool = True,
    resolver: BinaryResolver | None = None,
) -> m.Message:
    """Validate (unless told not to) and convert a body element into its message object."""
    cls = message_class(element)
    if check_schema:
        validate(element)
    r = _Reader(spooled or {}, resolver)
    result: Any
    if cls is m.OutboundRequest:
        item = r.item(element)
        if item is None:
            raise SchemaViolationError("ไม่มีหนังสือหรือ notifier ในคำขอ")
        result = m.OutboundRequest(item=item)
    elif cls in (m.OutboundResponse, m.DeleteGovernmentDocumentResponse):
        pid, ptime = r.head(element)
        result = cls(process_id=pid, process_time=ptime, letter_id=r.text(element, ns.ram("LetterID")))
    elif cls in (m.InboundResponse, m.InboundSpecialResponse):
        content = r.item(element)
        inbound: m.InboundItem | None = None
        if content is not None:
            inbound = m.InboundItem(
                process_id=r.text(element, ns.gd("ProcessID")),
                letter_id=r.text(element, ns.ram("LetterID")),
                sender_department=r.dept(element, "SenderDepartment"),
                accept_department=r.dept(element, "AcceptDepartment"),
                content=content,
            )
        result = cls(
            process_time=parse_datetime(r.text(element, ns.gd("ProcessTime"))),
            queue_length=int(r.text(element, ns.gd("QueueLength"))),
            item=inbound,
        )
    elif cls is m.InboundSpecialRequest:
        result = m.InboundSpecialRequest(
            item_type=m.ItemType(r.text(element, ns.gd("ItemType"))),
            letter_id=r.text(element, ns.ram("LetterID")),
            correspondence_date=r.date(element, ns.ram("CorrespondenceDate")),
            sender_department=r.dept(element, "SenderDepartment"),
            accept_department=r.dept(element, "AcceptDepartment"),
        )
    elif cls is m.DeleteRequest:
        result = m.DeleteRequest(process_id=r.text(element, ns.gd("ProcessID")))
    elif cls in (m.DeleteResponse, m.TimeCheckResponse):
        pid, ptime = r.head(element)
        result = cls(process_id=pid, process_time=ptime)
    elif cls is m.DeleteGovernmentDocumentRequest:
        result = m.DeleteGovernmentDocumentRequest(
            letter_id=r.text(element, ns.ram("LetterID")),
            correspondence_date=r.date(element, ns.ram("CorrespondenceDate")),
            sender_department=r.dept(element, "SenderDepartment"),
            accept_department=r.dept(element, "AcceptDepartment"),
        )
    elif cls is m.OrganizationListRequest:
        result = m.OrganizationListRequest(ministry_id=r.opt(element, ns.gd("MinistryID")))
    elif cls in (m.MinistryListResponse, m.OrganizationListResponse):
        pid, ptime = r.head(element)
        orgs = []
        for org in element.iterfind(ns.gd("Organization")):
            key_el = org.find(ns.gd("PublicKey"))
            key = (
                m.PublicKey(algorithm=key_el.get("algorithm", ""), der=base64.b64decode(key_el.text or ""))
                if key_el is not None
                else None
            )
            orgs.append(
                m.OrganizationEntry(
                    id=r.text(org, ns.ram("ID")),
                    name=r.text(org, ns.gd("Name")),
                    short_name=r.opt(org, ns.gd("ShortName")),
                    ministry_id=r.opt(org, ns.gd("MinistryID")),
                    public_key=key,
                )
            )
        result = cls(process_id=pid, process_time=ptime, organizations=orgs)
    elif cls in (m.SecretCodesResponse, m.SpeedCodesResponse, m.MimeCodesResponse):
        pid, ptime = r.head(element)
        codes = [
            m.CodeEntry(code=r.text(e, ns.gd("Code")), name=r.text(e, ns.gd("Name")))
            for e in element.iterfind(ns.gd("CodeEntry"))
        ]
        result = cls(process_id=pid, process_time=ptime, codes=codes)
    elif cls is m.OutboundStatusRequest:
        result = m.OutboundStatusRequest(letter_id=r.opt(element, ns.ram("LetterID")))
    elif cls is m.OutboundStatusResponse:
        pid, ptime = r.head(element)
        statuses = [
            m.LetterStatusEntry(
                letter_id=r.text(e, ns.ram("LetterID")),
                id=r.text(e, ns.ram("ID")),
                correspondence_date=r.date(e, ns.ram("CorrespondenceDate")),
                subject=r.text(e, ns.ram("Subject")),
                accept_department=r.dept(e, "AcceptDepartment"),
                status=m.LetterStatus(r.text(e, ns.gd("Status"))),
                status_time=parse_datetime(r.text(e, ns.gd("StatusTime"))),
                accept_id=r.opt(e, ns.ram("AcceptID")),
                description=r.opt(e, ns.ram("Description")),
            )
            for e in element.iterfind(ns.gd("LetterStatus"))
        ]
        result = m.OutboundStatusResponse(process_id=pid, process_time=ptime, statuses=statuses)
    else:  # the empty requests
        result = cast(Callable[[], m.Message], cls)()
    message: m.Message = result
    return message


def check_cover_letter_present(body: etree._Element) -> None:
    """A letter without its cover letter gets its own fault code, before schema validation."""
    if body.tag != ns.gd(m.OutboundRequest.ELEMENT):
        return
    letter = body.find(f"{ns.gd('GovernmentDocument')}/{ns.gd('CorrespondenceLetter')}")
    if letter is not None and letter.find(ns.ram("MainLetterBinaryObject")) is None:
        raise MissingCoverLetterError()


def check_letter_files(letter: m.CorrespondenceLetter) -> None:
    """The cover letter is a non-empty PDF; every file has a known mime code."""
    main = letter.main_letter
    if main is None or not main.size:
        raise MissingCoverLetterError()
    if main.mime_code != "application/pdf":
        raise CoverLetterNotPDFError(f"หนังสือนำต้องเป็น application/pdf ไม่ใช่ {main.mime_code}")
    with main.open() as fh:
        if not fh.read(5).startswith(b"%PDF-"):
            raise CoverLetterNotPDFError("เนื้อไฟล์หนังสือนำไม่ใช่ PDF")
    for obj in letter.binaries():
        if obj.mime_code not in m.MIME_CODES:
            raise UnknownMimeCodeError(f"ไม่รองรับ mimeCode {obj.mime_code}")
