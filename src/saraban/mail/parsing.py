"""Parse one raw message of the central mailbox into an incoming letter, or say why it cannot be one.

External input is turned into typed objects here, at the edge: the services never see ``email``
objects. Files are checked by their content (``receiving.scans.sniff``), never by their names.
"""

from __future__ import annotations

import binascii
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email import errors as email_errors
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses

from govcommon import thaidate
from govcommon.errors import ValidationError
from saraban.correspondence.enums import Speed
from saraban.mail.naming import STANDARD_NAME
from saraban.receiving.scans import PDF_MIME, FileRejectedError, IncomingFile, sniff
from saraban.receiving.services import IncomingMetadata


class MalformedMailError(ValidationError):
    """The message cannot become an incoming letter; it is kept aside with this reason."""

    code = "MAIL-MALFORMED"
    default_message = "ข้อความไปรษณีย์อิเล็กทรอนิกส์ไม่ถูกต้อง"


@dataclass(frozen=True)
class MailEnvelope:
    """What is known of any message, even a malformed one (for the quarantine list)."""

    sha256: str
    size: int
    message_id: str
    from_address: str
    from_name: str
    reply_to: str
    subject: str


@dataclass(frozen=True)
class ParsedMail:
    envelope: MailEnvelope
    metadata: IncomingMetadata
    document: IncomingFile
    attachments: tuple[IncomingFile, ...]


_B64_DEFECTS = (email_errors.InvalidBase64CharactersDefect, email_errors.InvalidBase64PaddingDefect,
                email_errors.InvalidBase64LengthDefect, email_errors.NonPrintableDefect)
_SPEEDS = ((Speed.MOST_URGENT, "ด่วนที่สุด"), (Speed.VERY_URGENT, "ด่วนมาก"), (Speed.URGENT, "ด่วน"))
_MONTHS = "|".join(thaidate.MONTHS_FULL + tuple(m.replace(".", r"\.") for m in thaidate.MONTHS_SHORT))
_REF = re.compile(r"(?:^|\s)ที่\s*:?\s*(?P<ref>\S.*?)\s*(?:ลงวันที่.*)?$")
_DATE = re.compile(rf"ลงวันที่\s*:?\s*(?P<d>[0-9๐-๙]{{1,2}})\s*(?P<m>{_MONTHS})\s*(?P<y>[0-9๐-๙]{{4}})")
_SUBJECT = re.compile(r"(?:^|\s)เรื่อง\s*:?\s*(?P<s>.+)$")
_FROM = re.compile(r"^\s*จาก\s*:?\s*(?P<f>.+)$", re.MULTILINE)


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name, "")
    except (ValueError, IndexError, TypeError, email_errors.HeaderParseError):  # broken encoded words
        return ""
    return " ".join(str(value or "").split())


def envelope_of(raw: bytes, msg: Message | None) -> MailEnvelope:
    sha = hashlib.sha256(raw).hexdigest()
    if msg is None:
        return MailEnvelope(sha256=sha, size=len(raw), message_id="", from_address="", from_name="",
                            reply_to="", subject="")
    senders = getaddresses([_header(msg, "From")])
    name, address = senders[0] if senders else ("", "")
    replies = getaddresses([_header(msg, "Reply-To")])
    reply_to = replies[0][1] if replies and "@" in replies[0][1] else address
    return MailEnvelope(sha256=sha, size=len(raw), message_id=_header(msg, "Message-ID")[:500],
                        from_address=address[:320], from_name=name[:300], reply_to=reply_to[:320],
                        subject=_header(msg, "Subject")[:500])


def message_from(raw: bytes) -> EmailMessage | None:
    """The parsed message, or None when the bytes are not an Internet message at all."""
    if not raw.strip():
        return None
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
    except (ValueError, TypeError, IndexError, email_errors.MessageError):
        return None
    if not isinstance(msg, EmailMessage) or not (msg.get("From") or msg.get("Subject") or msg.get("Message-ID")):
        return None
    return msg


def _be_date(day: str, month: str, year: str) -> dt.date | None:
    names = list(thaidate.MONTHS_FULL)
    shorts = list(thaidate.MONTHS_SHORT)
    index = names.index(month) if month in names else shorts.index(month)
    try:
        return dt.date(int(thaidate.arabic_digits(year)) - thaidate.BE_OFFSET, index + 1,
                       int(thaidate.arabic_digits(day)))
    except ValueError:
        return None


def _reference(text: str) -> str:
    """The ที่ of a letter: what follows the word ที่, when it holds a number (มท 0307/1234)."""
    match = _REF.search(text.strip())
    ref = match.group("ref").strip() if match else ""
    return ref if re.search(r"[0-9๐-๙]", ref) else ""


def metadata_from(*, subject: str, body: str, from_name: str, from_address: str, attachment_name: str
                  ) -> IncomingMetadata:
    """Read ที่, ลงวันที่, เรื่อง, the speed class and the sender from the subject, then the body.

    The subject our agencies send reads ``[ด่วน] ที่ ดศ 0101/123 ลงวันที่ 15 มกราคม 2568 เรื่อง …``;
    any other subject becomes the letter's subject as it is, for the clerk to correct at registration.
    """
    speed = Speed.NORMAL
    rest = subject
    for value, word in _SPEEDS:
        if word in subject:
            speed, rest = value, subject.replace(f"[{word}]", " ").replace(word, " ", 1)
            break
    reference, letter_date, title = "", None, ""
    ref_date_part = rest
    found_subject = _SUBJECT.search(rest)
    if found_subject:
        title, ref_date_part = found_subject.group("s").strip(), rest[: found_subject.start()]
    date_match = _DATE.search(ref_date_part)
    if date_match:
        letter_date = _be_date(date_match.group("d"), date_match.group("m"), date_match.group("y"))
        ref_date_part = ref_date_part[: date_match.start()]
    reference = _reference(ref_date_part)
    for line in body.splitlines():
        line = line.strip()
        if not reference and line.startswith("ที่ "):
            reference = _reference(line)
        if letter_date is None and (m2 := _DATE.search(line)):
            letter_date = _be_date(m2.group("d"), m2.group("m"), m2.group("y"))
        if not title and (m3 := _SUBJECT.match(line)):
            title = m3.group("s").strip()
    if not title:
        title = " ".join(rest.split()) or attachment_name or "ไม่ระบุเรื่อง"
    sender = ""
    if found_from := _FROM.search(body):
        sender = found_from.group("f").strip()
    sender = sender or from_name or from_address
    return IncomingMetadata(subject=title[:500], reference_no=reference[:100], letter_date=letter_date,
                            sender_text=sender[:500], speed=speed)


def _body_text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    try:
        return str(part.get_content())
    except (LookupError, UnicodeError, ValueError, binascii.Error):
        return ""


def _is_file(part: Message) -> bool:
    if part.is_multipart():
        return False
    disposition = part.get_content_disposition()
    if part.get_filename() or disposition == "attachment":
        return True
    return part.get_content_type() in (PDF_MIME, "application/octet-stream") and disposition != "inline"


def _files_of(msg: EmailMessage) -> list[IncomingFile]:
    files: list[IncomingFile] = []
    for index, part in enumerate(msg.walk(), start=1):
        if not _is_file(part):
            continue
        name = part.get_filename() or f"attachment-{index}"
        try:
            payload = part.get_payload(decode=True)
        except (ValueError, binascii.Error, LookupError) as exc:
            raise MalformedMailError(f"ถอดรหัสไฟล์แนบ {name} ไม่ได้", code="MAIL-UNDECODABLE") from exc
        if any(isinstance(d, _B64_DEFECTS) for d in part.defects) or not isinstance(payload, bytes):
            raise MalformedMailError(f"ถอดรหัสไฟล์แนบ {name} ไม่ได้ (ข้อมูล base64 เสียหาย)",
                                     code="MAIL-UNDECODABLE")
        try:
            files.append(sniff(name, payload))
        except FileRejectedError as exc:
            raise MalformedMailError(exc.message, code="MAIL-BAD-FILE") from exc
    return files


def _document_first(files: list[IncomingFile]) -> tuple[IncomingFile, tuple[IncomingFile, ...]]:
    """The letter is the PDF with a standard name and no suffix, else the first PDF that is not a
    cover letter, else the first PDF; every other file is an enclosure."""
    pdfs = [f for f in files if f.mime_type == PDF_MIME]

    def rank(f: IncomingFile) -> int:
        m = STANDARD_NAME.match(f.name)
        if m and not m.group("suffix"):
            return 0
        return 2 if (m and m.group("suffix").lower() == "cover") or "cover" in f.name.lower() else 1

    document = min(pdfs, key=rank)
    return document, tuple(f for f in files if f is not document)


def mail_parse(raw: bytes) -> ParsedMail:
    """Parse a raw message; raise MalformedMailError (with a code and a reason for the clerk)."""
    msg = message_from(raw)
    if msg is None:
        raise MalformedMailError("ข้อมูลไม่ใช่ข้อความไปรษณีย์อิเล็กทรอนิกส์ หรือถอดรหัสไม่ได้", code="MAIL-UNDECODABLE")
    envelope = envelope_of(raw, msg)
    if "@" not in envelope.reply_to:
        raise MalformedMailError("ไม่มีที่อยู่ผู้ส่ง จึงตอบรับไม่ได้", code="MAIL-NO-SENDER")
    files = _files_of(msg)
    if not any(f.mime_type == PDF_MIME for f in files):
        raise MalformedMailError("ไม่มีไฟล์หนังสือเป็น PDF แนบมา", code="MAIL-NO-PDF")
    document, attachments = _document_first(files)
    metadata = metadata_from(subject=envelope.subject, body=_body_text(msg), from_name=envelope.from_name,
                             from_address=envelope.from_address, attachment_name=document.name)
    return ParsedMail(envelope=envelope, metadata=metadata.checked(), document=document, attachments=attachments)

