"""Protocol errors with the stable fault codes of docs/PROTOCOL.md.

They are ``govcommon.errors.AppError`` subclasses, so the hub renders them (and its own errors) as a
SOAP Fault in one place, and the client raises the same classes when it reads a fault.
"""

from __future__ import annotations

from govcommon.errors import AppError


class ProtocolError(AppError):
    """Base of every error that becomes a SOAP Fault. ``fault_actor`` is ``Client`` or ``Server``."""

    code = "ECMS-000"
    http_status = 400
    fault_actor = "Client"
    default_message = "คำขอไม่ถูกต้อง"


class MalformedXMLError(ProtocolError):
    code = "ECMS-XML-001"
    default_message = "XML ไม่ถูกต้องตามรูปแบบ (malformed XML)"


class ForbiddenXMLError(ProtocolError):
    code = "ECMS-XML-002"
    default_message = "ไม่รับ DOCTYPE หรือการประกาศ entity ใน XML"


class XMLLimitError(ProtocolError):
    code = "ECMS-XML-003"
    default_message = "XML ลึกหรือมีจำนวน element เกินกำหนด"


class EnvelopeError(ProtocolError):
    code = "ECMS-SOAP-001"
    default_message = "ไม่ใช่ SOAP 1.1 envelope ที่ถูกต้อง"


class MissingMessageIDError(ProtocolError):
    code = "ECMS-SOAP-002"
    default_message = "ไม่มี wsa:MessageID ในส่วนหัว"


class TransportError(ProtocolError):
    code = "ECMS-SOAP-003"
    http_status = 405
    default_message = "ใช้ได้เฉพาะ POST แบบ text/xml (หรือ GET ?wsdl)"


class UnknownMessageError(ProtocolError):
    code = "ECMS-SCHEMA-001"
    default_message = "ไม่รู้จักข้อความนี้"


class SchemaViolationError(ProtocolError):
    code = "ECMS-SCHEMA-002"
    default_message = "ข้อความไม่ตรงตาม XML Schema"


class Base64Error(ProtocolError):
    code = "ECMS-SCHEMA-003"
    default_message = "ข้อมูล base64 ของไฟล์ไม่ถูกต้อง"


class AuthRequiredError(ProtocolError):
    code = "ECMS-AUTH-001"
    http_status = 401
    default_message = "ต้องยืนยันตัวตนของระบบหน่วยงาน"


class AuthFailedError(ProtocolError):
    code = "ECMS-AUTH-002"
    http_status = 401
    default_message = "ชื่อผู้ใช้หรือรหัสผ่านของระบบหน่วยงานไม่ถูกต้อง"


class SenderMismatchError(ProtocolError):
    code = "ECMS-AUTH-003"
    http_status = 403
    default_message = "หน่วยงานผู้ส่งในหนังสือไม่ใช่หน่วยงานของระบบที่ยืนยันตัวตน"


class AgencyNotAllowedError(ProtocolError):
    code = "ECMS-AUTH-004"
    http_status = 403
    default_message = "หน่วยงานนี้ไม่ได้รับอนุญาตในสภาพแวดล้อมนี้"


class MissingCoverLetterError(ProtocolError):
    code = "ECMS-COVER-001"
    default_message = "ไม่มีหนังสือนำ (MainLetterBinaryObject) หรือหนังสือนำว่างเปล่า"


class CoverLetterNotPDFError(ProtocolError):
    code = "ECMS-COVER-002"
    default_message = "หนังสือนำต้องเป็นไฟล์ PDF"


class UnknownAgencyError(ProtocolError):
    code = "ECMS-AGENCY-001"
    default_message = "ไม่รู้จักรหัสหน่วยงาน"


class TooLargeError(ProtocolError):
    code = "ECMS-SIZE-001"
    http_status = 413
    default_message = "ข้อความหรือไฟล์แนบมีขนาดเกินกำหนด"


class DigestMismatchError(ProtocolError):
    code = "ECMS-DIGEST-001"
    default_message = "ค่า SHA-256 ของไฟล์ไม่ตรงกับที่ระบุ"


class SizeMismatchError(ProtocolError):
    code = "ECMS-DIGEST-002"
    default_message = "ขนาดไฟล์ไม่ตรงกับที่ระบุ"


class UnknownMimeCodeError(ProtocolError):
    code = "ECMS-MIME-001"
    default_message = "ไม่รองรับชนิดไฟล์ (mimeCode) นี้"


class LetterNotFoundError(ProtocolError):
    code = "ECMS-LETTER-001"
    http_status = 404
    default_message = "ไม่พบหนังสือ"


class LetterStateError(ProtocolError):
    code = "ECMS-STATE-001"
    http_status = 409
    default_message = "สถานะของหนังสือไม่อนุญาตให้ดำเนินการนี้"


class QueueItemNotFoundError(ProtocolError):
    code = "ECMS-QUEUE-001"
    http_status = 404
    default_message = "ไม่พบรายการ ProcessID นี้ในคิวของหน่วยงาน"


class IdempotencyConflictError(ProtocolError):
    code = "ECMS-IDEM-001"
    http_status = 409
    default_message = "wsa:MessageID นี้ถูกใช้กับคำขออื่นแล้ว"


class ServerError(ProtocolError):
    code = "ECMS-SERVER-001"
    http_status = 500
    fault_actor = "Server"
    default_message = "ระบบกลางขัดข้อง กรุณาส่งซ้ำด้วย MessageID เดิม"


ALL_ERRORS: tuple[type[ProtocolError], ...] = (
    MalformedXMLError, ForbiddenXMLError, XMLLimitError, EnvelopeError, MissingMessageIDError,
    TransportError, UnknownMessageError, SchemaViolationError, Base64Error, AuthRequiredError,
    AuthFailedError, SenderMismatchError, AgencyNotAllowedError, MissingCoverLetterError,
    CoverLetterNotPDFError, UnknownAgencyError, TooLargeError, DigestMismatchError, SizeMismatchError,
    UnknownMimeCodeError, LetterNotFoundError, LetterStateError, QueueItemNotFoundError,
    IdempotencyConflictError, ServerError,
)
ERRORS_BY_CODE: dict[str, type[ProtocolError]] = {cls.code: cls for cls in ALL_ERRORS}


def error_for_code(code: str, message: str) -> ProtocolError:
    """The error class of a fault code read from the wire (``ProtocolError`` for unknown codes)."""
    cls = ERRORS_BY_CODE.get(code, ProtocolError)
    return cls(message, code=code)


class RateLimitedError(ProtocolError):
    code = "ECMS-RATE-001"
    http_status = 429
    default_message = "ส่งคำขอถี่เกินไปหรือยืนยันตัวตนผิดหลายครั้ง กรุณารอสักครู่"
