"""Our letters as e-CMS messages and back: the letter a ``Delivery`` sends, the incoming letter a
pulled ``CorrespondenceLetter`` becomes, and the encrypted form of secret letters."""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import filetype
from django.utils import timezone

from govcommon.errors import ValidationError
from saraban.accounts.models import AgencyProfile
from saraban.correspondence import storage
from saraban.correspondence.enums import Secrecy, Speed
from saraban.correspondence.models import Letter, LetterFile, RegisterEntry
from saraban.exchange import crypto
from saraban.exchange.models import DirectoryEntry
from saraban.lib.pdf import minimal_pdf
from saraban.outgoing.models import Delivery
from saraban.receiving.scans import IncomingFile
from saraban.receiving.services import IncomingFiles, IncomingMetadata
from thegif import messages as m

PDF = "application/pdf"
# What the hub sees of a secret letter instead of its subject and cover letter.
SECRET_SUBJECT = "หนังสือชั้นความลับ (เนื้อหาเข้ารหัสถึงหน่วยงานผู้รับ)"  # noqa: S105 - a subject, not a password
_PLACEHOLDER_TEXT = b"Encrypted letter: content is in encrypted-letter.xml, readable by the recipient only."


# A one-page PDF saying the letter is encrypted (the hub requires a PDF cover letter).
PLACEHOLDER_PDF = minimal_pdf(_PLACEHOLDER_TEXT)


class WireError(ValidationError):
    code = "XCH-400"
    default_message = "สร้างหรืออ่านหนังสือสำหรับระบบกลางไม่ได้"


def own_party() -> m.Party:
    profile = AgencyProfile.objects.select_related("root_unit__ministry").filter(pk=1).first()
    if profile is None or not profile.hub_code:
        raise WireError("ยังไม่ได้ตั้งรหัสหน่วยงานใน e-CMS ของส่วนราชการ (hub_code)", code="XCH-401")
    ministry = profile.root_unit.ministry.ecms_id if profile.root_unit.ministry else ""
    return m.Party(ministry_id=ministry or ministry_of(profile.hub_code), department_id=profile.hub_code)


def ministry_of(department: str) -> str:
    """The ministry of a department: from the directory, else by the e-CMS numbering (MM00000000)."""
    entry = DirectoryEntry.objects.filter(org_id=department).first()
    if entry is not None and entry.ministry_id:
        return entry.ministry_id
    return department[:2] + "0" * (len(department) - 2)


def receiver_party(address: str, name: str) -> m.Party:
    """A delivery's address: ``<department>`` or ``<ministry>/<department>`` (e-CMS organisation IDs)."""
    parts = [p.strip() for p in address.split("/") if p.strip()]
    if not parts or len(parts) > 2 or not all(p.isdigit() and len(p) == 10 for p in parts):
        raise WireError(f"รหัสหน่วยงาน e-CMS ของ {name} ไม่ถูกต้อง: {address!r} (ต้องเป็นเลข 10 หลัก)",
                        code="XCH-402")
    department = parts[-1]
    ministry = parts[0] if len(parts) == 2 else ministry_of(department)
    return m.Party(ministry_id=ministry, department_id=department, job_title=name[:255] or None)


def _binary(f: LetterFile) -> m.BinaryObject:
    return m.BinaryObject.from_bytes(storage.letter_file_bytes(f), mime_code=f.mime_type, file_name=f.name)


def _files_of(delivery: Delivery) -> tuple[LetterFile, list[LetterFile]]:
    """The cover letter made for this recipient, then the letter itself and its enclosures."""
    files = list(delivery.letter.files.all())
    covers = [f for f in files if f.role == LetterFile.Role.COVER]
    mine = [f for f in covers if f.name == f"cover-{delivery.recipient_name[:40]}.pdf"]
    cover: LetterFile | None = (mine or covers)[0] if (mine or covers) else None
    by_role = {role: [f for f in files if f.role == role] for role in LetterFile.Role.values}
    body = (by_role[LetterFile.Role.SIGNED] or by_role[LetterFile.Role.RENDERED]
            or by_role[LetterFile.Role.ORIGINAL])
    if cover is None:
        if not body:
            raise WireError("หนังสือไม่มีไฟล์ PDF ที่จะส่ง", code="XCH-403")
        cover, body = body[0], body[1:]
    return cover, body[:1] + by_role[LetterFile.Role.ATTACHMENT]


def aad_for(reference: str, date: dt.date, receiver: str) -> bytes:
    return f"{reference}|{date.isoformat()}|{receiver}".encode()


def _secret_payload(letter: Letter, cover: LetterFile, others: list[LetterFile]) -> bytes:
    def one(f: LetterFile) -> dict[str, Any]:
        return {"name": f.name, "mime": f.mime_type, "data": base64.b64encode(storage.letter_file_bytes(f)).decode()}

    return json.dumps({
        "subject": letter.subject, "enclosures": letter.enclosures, "references": letter.references,
        "recipient_text": letter.recipient_text, "main": one(cover), "attachments": [one(f) for f in others],
    }, ensure_ascii=False).encode()


@dataclass(frozen=True)
class OutgoingLetter:
    letter: m.CorrespondenceLetter
    encrypted: bool


def letter_for(delivery: Delivery, *, recipient_key: bytes | None) -> OutgoingLetter:
    """The ``CorrespondenceLetter`` for one hub delivery. Secret letters (ลับ, ลับมาก) travel encrypted
    for the recipient (``recipient_key``, DER); the hub sees only ที่, date, codes and the parties."""
    letter = delivery.letter
    if letter.secrecy >= Secrecy.TOP_SECRET:
        raise WireError("หนังสือลับที่สุดส่งทางระบบอิเล็กทรอนิกส์ไม่ได้", code="XCH-404")
    if not letter.reference_no or letter.letter_date is None:
        raise WireError("หนังสือยังไม่ได้ออกเลขที่หนังสือ", code="XCH-405")
    receiver = receiver_party(delivery.address, delivery.recipient_name)
    cover, others = _files_of(delivery)
    wire = m.CorrespondenceLetter(
        id=letter.reference_no[:255], correspondence_date=letter.letter_date, subject=letter.subject[:1000],
        secret_code=Secrecy(letter.secrecy).ecms_code, speed_code=Speed(letter.speed).ecms_code,
        sender=own_party(), receiver=receiver, main_letter=_binary(cover),
        attachment_text=letter.enclosures[:4000] or None, send_date=timezone.localdate(),
        attachments=[_binary(f) for f in others],
    )
    if letter.secrecy < Secrecy.CONFIDENTIAL:
        return OutgoingLetter(wire, encrypted=False)
    if recipient_key is None:
        raise crypto.RecipientKeyMissingError()
    sealed = crypto.encrypt(_secret_payload(letter, cover, others), recipient_der=recipient_key,
                            aad=aad_for(wire.id, wire.correspondence_date, receiver.department_id))
    wire.subject = SECRET_SUBJECT
    wire.attachment_text = None
    wire.receiver.job_title = None
    wire.main_letter = m.BinaryObject.from_bytes(PLACEHOLDER_PDF, mime_code=PDF, file_name="secret-letter.pdf")
    wire.attachments = [m.BinaryObject.from_bytes(sealed, mime_code=crypto.MIME, file_name=crypto.FILE_NAME)]
    return OutgoingLetter(wire, encrypted=True)


def accept_id_for(entry: RegisterEntry) -> str:
    """Our receive number as the sender will see it: ``<registry prefix>/<พ.ศ.>/<number>``."""
    prefix = entry.registry.unit.reference_prefix
    number = f"{entry.year + 543}/{entry.number}"
    return f"{prefix}/{number}" if prefix else number


# ----- incoming -----


def _code(value: str, choices: type[Speed] | type[Secrecy]) -> int:
    number = int(value) - 1 if value.isdigit() else 0
    return number if number in choices.values else 0


@dataclass(frozen=True)
class IncomingLetter:
    metadata: IncomingMetadata
    files: IncomingFiles
    encrypted: bool


def _file(obj: m.BinaryObject, default_name: str) -> IncomingFile:
    """A received file, typed by its content (magic bytes), never by what the sender declared: a file
    whose type cannot be recognised is kept as application/octet-stream and only offered for download."""
    data = obj.read_bytes()
    kind = filetype.guess(data)
    return IncomingFile(name=obj.file_name or default_name, data=data,
                        mime_type=kind.mime if kind is not None else "application/octet-stream")


def _sender_text(letter: m.CorrespondenceLetter) -> str:
    entry = DirectoryEntry.objects.filter(org_id=letter.sender.department_id).first()
    return entry.name if entry and entry.name else letter.sender.department_id


def incoming_from(letter: m.CorrespondenceLetter, *, evidence: bytes, evidence_name: str) -> IncomingLetter:
    """What a pulled letter becomes: metadata and files; secret letters are opened with our key."""
    sealed = [a for a in letter.attachments if a.mime_code == crypto.MIME and crypto.is_envelope(a.read_bytes())]
    subject, enclosures, references, recipient = letter.subject, letter.attachment_text or "", "", ""
    if sealed:
        plain = crypto.decrypt(sealed[0].read_bytes(), key=crypto.private_key(),
                               aad=aad_for(letter.id, letter.correspondence_date, letter.receiver.department_id))
        payload = json.loads(plain)

        def one(d: dict[str, Any]) -> IncomingFile:
            return IncomingFile(name=str(d["name"]), data=base64.b64decode(d["data"]), mime_type=str(d["mime"]))

        document = one(payload["main"])
        attachments = [one(d) for d in payload["attachments"]]
        subject, enclosures = str(payload["subject"]), str(payload.get("enclosures") or "")
        references, recipient = str(payload.get("references") or ""), str(payload.get("recipient_text") or "")
    else:
        if letter.main_letter is None:
            raise WireError("หนังสือไม่มีหนังสือนำ", code="XCH-406")
        document = _file(letter.main_letter, "letter.pdf")
        attachments = [_file(a, f"attachment-{i}") for i, a in enumerate(letter.attachments, start=1)]
        references = "\n".join(f"{r.id} ลงวันที่ {r.correspondence_date:%d/%m}/{r.correspondence_date.year + 543} "
                               f"เรื่อง {r.subject}" for r in letter.references)
    metadata = IncomingMetadata(
        subject=subject[:500], reference_no=letter.id[:100], letter_date=letter.correspondence_date,
        sender_text=_sender_text(letter)[:500], recipient_text=recipient[:500],
        speed=_code(letter.speed_code, Speed), secrecy=_code(letter.secret_code, Secrecy),
        references=references, enclosures=enclosures,
    )
    files = IncomingFiles(document=document, attachments=attachments, evidence=evidence, evidence_name=evidence_name)
    return IncomingLetter(metadata=metadata, files=files, encrypted=bool(sealed))
