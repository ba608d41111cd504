"""Typed messages of the exchange (one dataclass per body element).

Wire names are kept in ``ELEMENT``; the XML mapping lives in :mod:`thegif.codec`.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, ClassVar

SPEED_CODES: dict[str, str] = {"001": "ปกติ", "002": "ด่วน", "003": "ด่วนมาก", "004": "ด่วนที่สุด"}
SECRET_CODES: dict[str, str] = {"001": "ปกติ", "002": "ลับ", "003": "ลับมาก", "004": "ลับที่สุด"}
MIME_CODES: dict[str, str] = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/tiff": "TIFF",
    "text/plain": "ข้อความ",
    "text/xml": "XML",
    "application/xml": "XML",
    "application/zip": "ZIP",
    "application/msword": "Word 97-2003",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel 97-2003",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.oasis.opendocument.text": "ODF Text",
    "application/vnd.oasis.opendocument.spreadsheet": "ODF Spreadsheet",
}


class ItemType(StrEnum):
    """What a queue item carries: a letter or one kind of notifier (the element names)."""

    GOVERNMENT_DOCUMENT = "GovernmentDocument"
    RECEIVE = "ReceiveLetterNotifier"
    ACCEPT = "AcceptLetterNotifier"
    REJECT = "RejectLetterNotifier"
    INVALID = "InvalidLetterNotifier"
    INVALID_ACCEPT_ID = "InvalidAcceptIDNotifier"


NOTIFIER_TYPES = frozenset(t for t in ItemType if t is not ItemType.GOVERNMENT_DOCUMENT)
NOTIFIERS_WITH_ACCEPT_ID = frozenset({ItemType.ACCEPT, ItemType.INVALID_ACCEPT_ID})


class LetterStatus(StrEnum):
    SENT = "SENT"  # accepted and stored by the hub, queued for the recipient
    DELIVERED = "DELIVERED"  # pulled by the recipient
    RECEIVED = "RECEIVED"  # recipient sent ReceiveLetterNotifier
    ACCEPTED = "ACCEPTED"  # recipient sent AcceptLetterNotifier with its receive number
    REJECTED = "REJECTED"
    INVALID = "INVALID"
    DELETED = "DELETED"  # sender deleted it


@dataclass
class BinaryObject:
    """A file carried base64 in the XML. Content is either in memory or in a file."""

    mime_code: str
    file_name: str | None = None
    size: int | None = None
    sha256: str | None = None
    path: Path | None = None
    content: bytes | None = field(default=None, repr=False)

    @classmethod
    def from_bytes(cls, content: bytes, *, mime_code: str, file_name: str | None = None) -> BinaryObject:
        return cls(
            mime_code=mime_code,
            file_name=file_name,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content=content,
        )

    @classmethod
    def from_file(cls, path: Path, *, mime_code: str, file_name: str | None = None) -> BinaryObject:
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        return cls(
            mime_code=mime_code,
            file_name=file_name or path.name,
            size=size,
            sha256=digest.hexdigest(),
            path=path,
        )

    def open(self) -> IO[bytes]:
        if self.content is not None:
            return io.BytesIO(self.content)
        if self.path is not None:
            return self.path.open("rb")
        raise ValueError("binary object has no content")

    def read_bytes(self) -> bytes:
        with self.open() as fh:
            return fh.read()


@dataclass
class Party:
    ministry_id: str
    department_id: str
    given_name: str | None = None
    family_name: str | None = None
    job_title: str | None = None


@dataclass
class ReferenceCorrespondence:
    id: str
    correspondence_date: date
    subject: str


@dataclass
class CorrespondenceLetter:
    """หนังสือภายนอก as it travels (``GovernmentDocument/CorrespondenceLetter``)."""

    id: str  # ที่
    correspondence_date: date
    subject: str
    secret_code: str
    speed_code: str
    sender: Party
    receiver: Party
    main_letter: BinaryObject | None
    references: list[ReferenceCorrespondence] = field(default_factory=list)
    attachment_text: str | None = None  # Attachment: the text list of enclosures (สิ่งที่ส่งมาด้วย)
    send_date: date | None = None
    description: str | None = None
    attachments: list[BinaryObject] = field(default_factory=list)

    def binaries(self) -> list[BinaryObject]:
        return ([self.main_letter] if self.main_letter else []) + list(self.attachments)


@dataclass
class Notifier:
    kind: ItemType
    letter_id: str
    correspondence_date: date
    subject: str
    accept_id: str | None = None
    description: str | None = None


Item = CorrespondenceLetter | Notifier


def item_type(item: Item) -> ItemType:
    return ItemType.GOVERNMENT_DOCUMENT if isinstance(item, CorrespondenceLetter) else item.kind


# ----- requests and responses -----


@dataclass
class OutboundRequest:
    ELEMENT: ClassVar[str] = "CorrespondenceLetterOutboundRequest"
    item: Item


@dataclass
class OutboundResponse:
    ELEMENT: ClassVar[str] = "CorrespondenceLetterOutboundResponse"
    process_id: str
    process_time: datetime
    letter_id: str


@dataclass
class InboundRequest:
    ELEMENT: ClassVar[str] = "CorrespondenceLetterInboundRequest"


@dataclass
class InboundItem:
    process_id: str
    letter_id: str
    sender_department: str
    accept_department: str
    content: Item


@dataclass
class InboundResponse:
    ELEMENT: ClassVar[str] = "CorrespondenceLetterInboundResponse"
    process_time: datetime
    queue_length: int
    item: InboundItem | None = None


@dataclass
class InboundSpecialRequest:
    ELEMENT: ClassVar[str] = "CorrespondenceLetterInboundSpecialRequest"
    item_type: ItemType
    letter_id: str
    correspondence_date: date
    sender_department: str
    accept_department: str


@dataclass
class InboundSpecialResponse(InboundResponse):
    ELEMENT: ClassVar[str] = "CorrespondenceLetterInboundSpecialResponse"


@dataclass
class DeleteRequest:
    ELEMENT: ClassVar[str] = "CorrespondenceLetterDeleteRequest"
    process_id: str


@dataclass
class DeleteResponse:
    ELEMENT: ClassVar[str] = "CorrespondenceLetterDeleteResponse"
    process_id: str
    process_time: datetime


@dataclass
class DeleteGovernmentDocumentRequest:
    ELEMENT: ClassVar[str] = "CorrespondenceDeleteGovernmentDocumentRequest"
    letter_id: str
    correspondence_date: date
    sender_department: str
    accept_department: str


@dataclass
class DeleteGovernmentDocumentResponse:
    ELEMENT: ClassVar[str] = "CorrespondenceDeleteGovernmentDocumentResponse"
    process_id: str
    process_time: datetime
    letter_id: str


@dataclass
class PublicKey:
    algorithm: str
    der: bytes


@dataclass
class OrganizationEntry:
    id: str
    name: str
    short_name: str | None = None
    ministry_id: str | None = None
    public_key: PublicKey | None = None


@dataclass
class MinistryListRequest:
    ELEMENT: ClassVar[str] = "GetMinistryOrganizationList"


@dataclass
class OrganizationListRequest:
    ELEMENT: ClassVar[str] = "GetOrganizationList"
    ministry_id: str | None = None


@dataclass
class MinistryListResponse:
    ELEMENT: ClassVar[str] = "GetMinistryOrganizationListResponse"
    process_id: str
    process_time: datetime
    organizations: list[OrganizationEntry] = field(default_factory=list)


@dataclass
class OrganizationListResponse(MinistryListResponse):
    ELEMENT: ClassVar[str] = "GetOrganizationListResponse"


@dataclass
class CodeEntry:
    code: str
    name: str


@dataclass
class SecretCodesRequest:
    ELEMENT: ClassVar[str] = "GetSecretCodes"


@dataclass
class SpeedCodesRequest:
    ELEMENT: ClassVar[str] = "GetSpeedCodes"


@dataclass
class MimeCodesRequest:
    ELEMENT: ClassVar[str] = "GetMimeCodes"


@dataclass
class SecretCodesResponse:
    ELEMENT: ClassVar[str] = "GetSecretCodesResponse"
    process_id: str
    process_time: datetime
    codes: list[CodeEntry] = field(default_factory=list)


@dataclass
class SpeedCodesResponse(SecretCodesResponse):
    ELEMENT: ClassVar[str] = "GetSpeedCodesResponse"


@dataclass
class MimeCodesResponse(SecretCodesResponse):
    ELEMENT: ClassVar[str] = "GetMimeCodesResponse"


@dataclass
class OutboundStatusRequest:
    ELEMENT: ClassVar[str] = "OutboundStatusRequest"
    letter_id: str | None = None


@dataclass
class LetterStatusEntry:
    letter_id: str
    id: str
    correspondence_date: date
    subject: str
    accept_department: str
    status: LetterStatus
    status_time: datetime
    accept_id: str | None = None
    description: str | None = None


@dataclass
class OutboundStatusResponse:
    ELEMENT: ClassVar[str] = "OutboundStatusResponse"
    process_id: str
    process_time: datetime
    statuses: list[LetterStatusEntry] = field(default_factory=list)


@dataclass
class TimeCheckRequest:
    ELEMENT: ClassVar[str] = "TimeCheckRequest"


@dataclass
class TimeCheckResponse:
    ELEMENT: ClassVar[str] = "TimeCheckResponse"
    process_id: str
    process_time: datetime


Request = (
    OutboundRequest
    | InboundRequest
    | InboundSpecialRequest
    | DeleteRequest
    | DeleteGovernmentDocumentRequest
    | MinistryListRequest
    | OrganizationListRequest
    | SecretCodesRequest
    | SpeedCodesRequest
    | MimeCodesRequest
    | OutboundStatusRequest
    | TimeCheckRequest
)
Response = (
    OutboundResponse
    | InboundResponse
    | DeleteResponse
    | DeleteGovernmentDocumentResponse
    | MinistryListResponse
    | SecretCodesResponse
    | OutboundStatusResponse
    | TimeCheckResponse
)
Message = Request | Response

# Operation name (WSDL) → (request class, response class). The operation is the request element name
# without a trailing "Request".
OPERATIONS: dict[str, tuple[type[Request], type[Response]]] = {
    "CorrespondenceLetterOutbound": (OutboundRequest, OutboundResponse),
    "CorrespondenceLetterInbound": (InboundRequest, InboundResponse),
    "CorrespondenceLetterInboundSpecial": (InboundSpecialRequest, InboundSpecialResponse),
    "CorrespondenceLetterDelete": (DeleteRequest, DeleteResponse),
    "CorrespondenceDeleteGovernmentDocument": (DeleteGovernmentDocumentRequest, DeleteGovernmentDocumentResponse),
    "GetMinistryOrganizationList": (MinistryListRequest, MinistryListResponse),
    "GetOrganizationList": (OrganizationListRequest, OrganizationListResponse),
    "GetSecretCodes": (SecretCodesRequest, SecretCodesResponse),
    "GetSpeedCodes": (SpeedCodesRequest, SpeedCodesResponse),
    "GetMimeCodes": (MimeCodesRequest, MimeCodesResponse),
    "OutboundStatus": (OutboundStatusRequest, OutboundStatusResponse),
    "TimeCheck": (TimeCheckRequest, TimeCheckResponse),
}
REQUEST_ELEMENTS: dict[str, type[Request]] = {req.ELEMENT: req for req, _ in OPERATIONS.values()}
RESPONSE_ELEMENTS: dict[str, type[Response]] = {resp.ELEMENT: resp for _, resp in OPERATIONS.values()}
# Requests that change state at the hub; their responses are kept per wsa:MessageID.
STATE_CHANGING: frozenset[type[Request]] = frozenset(
    {OutboundRequest, DeleteRequest, DeleteGovernmentDocumentRequest}
)


def operation_of(request: Request) -> str:
    name = request.ELEMENT
    return name[: -len("Request")] if name.endswith("Request") else name
