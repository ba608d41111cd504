"""The messages the agency sends: letters with their PDFs, automatic acknowledgements and receipt
results. Pure functions of the database rows they are given; sending happens in ``transport``."""

from __future__ import annotations

import datetime as dt
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

from govcommon import thaidate
from saraban.correspondence import storage
from saraban.correspondence.enums import Speed
from saraban.correspondence.models import Letter, LetterFile
from saraban.mail.naming import letter_file_name
from saraban.mail.parsing import MalformedMailError
from saraban.outgoing.models import Delivery
from saraban.receiving.models import ReceiptResult

PDF = ("application", "pdf")
LETTER_ROLES = (LetterFile.Role.SIGNED, LetterFile.Role.RENDERED, LetterFile.Role.ORIGINAL)


class LetterNotSendableError(MalformedMailError):
    code = "MAIL-NOT-SENDABLE"
    default_message = "หนังสือนี้ไม่มีไฟล์ที่ส่งทางไปรษณีย์อิเล็กทรอนิกส์ได้"


def message_id_for(*, kind: str, pk: int, sender: str) -> str:
    """Stable across retries, so that a recipient can recognise a message sent twice."""
    domain = sender.rsplit("@", 1)[-1] or "saraban.invalid"
    return f"<saraban-{kind}-{pk}@{domain}>"


def subject_line(letter: Letter) -> str:
    """``[ด่วนที่สุด] ที่ ดศ 0101/123 ลงวันที่ 15 มกราคม 2568 เรื่อง …``: our parser reads it back."""
    date = letter.letter_date or timezone.localdate()
    speed = f"[{Speed(letter.speed).label}] " if letter.speed else ""
    return (f"{speed}ที่ {letter.reference_no} ลงวันที่ {thaidate.format_date(date)} "
            f"เรื่อง {letter.subject}").strip()


def _base(*, sender: str, to: str, subject: str, message_id: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(timezone.now())
    msg["Message-ID"] = message_id or make_msgid(domain=sender.rsplit("@", 1)[-1])
    msg["Auto-Submitted"] = "auto-generated"
    return msg


def _letter_file(letter: Letter) -> LetterFile:
    # The newest file of the best role: dispatch issues the numbered letter after the signing copy.
    files: dict[str, LetterFile] = {}
    for f in letter.files.filter(role__in=LETTER_ROLES, mime_type="application/pdf").order_by("-pk"):
        files.setdefault(f.role, f)
    for role in LETTER_ROLES:
        if role in files:
            return files[role]
    raise LetterNotSendableError()


def _cover_file(letter: Letter, recipient_name: str) -> LetterFile:
    covers = letter.files.filter(role=LetterFile.Role.COVER).order_by("pk")
    cover = covers.filter(name=f"cover-{recipient_name[:40]}.pdf").first() or covers.first()
    if cover is None:
        raise LetterNotSendableError("ไม่มีหนังสือนำส่ง จึงส่งทางไปรษณีย์อิเล็กทรอนิกส์ไม่ได้",
                                     code="MAIL-NO-COVER")
    return cover


def letter_attachments(delivery: Delivery) -> list[tuple[str, bytes]]:
    """(standard file name, bytes) of the letter, its cover letter and its enclosures."""
    letter = delivery.letter
    date: dt.date = letter.letter_date or timezone.localdate()
    ref = letter.reference_no
    out = [(letter_file_name(reference_no=ref, letter_date=date), storage.letter_file_bytes(_letter_file(letter))),
           (letter_file_name(reference_no=ref, letter_date=date, suffix="cover"),
            storage.letter_file_bytes(_cover_file(letter, delivery.recipient_name)))]
    enclosures = letter.files.filter(role=LetterFile.Role.ATTACHMENT, mime_type="application/pdf").order_by("pk")
    for number, f in enumerate(enclosures, start=1):
        out.append((letter_file_name(reference_no=ref, letter_date=date, suffix=f"att{number}"),
                    storage.letter_file_bytes(f)))
    return out


def letter_message(*, delivery: Delivery, sender: str, message_id: str) -> EmailMessage:
    letter = delivery.letter
    date = letter.letter_date or timezone.localdate()
    unit = letter.owner_unit.name if letter.owner_unit else ""
    msg = _base(sender=sender, to=delivery.address, subject=subject_line(letter), message_id=message_id)
    msg["X-Saraban-Reference"] = letter.reference_no
    msg.set_content(
        f"เรียน {delivery.recipient_name}\n\n"
        f"{unit}ขอส่งหนังสือ ที่ {letter.reference_no} ลงวันที่ {thaidate.format_date(date)} "
        f"เรื่อง {letter.subject} มาพร้อมนี้ ตามไฟล์แนบ (หนังสือนำส่งและหนังสือ)\n"
        "จึงเรียนมาเพื่อโปรดทราบ และขอได้โปรดตอบรับเมื่อได้รับหนังสือนี้\n\n"
        f"ที่ {letter.reference_no}\nลงวันที่ {thaidate.format_date(date)}\nเรื่อง {letter.subject}\n"
        f"จาก {unit}\n"
    )
    for name, data in letter_attachments(delivery):
        msg.add_attachment(data, maintype=PDF[0], subtype=PDF[1], filename=name)
    return msg


def acknowledgement_message(*, to: str, original_subject: str, original_id: str, received_at: dt.datetime,
                            agency: str, sender: str, message_id: str) -> EmailMessage:
    when = timezone.localtime(received_at)
    msg = _base(sender=sender, to=to, subject=f"ตอบรับการได้รับหนังสือ: {original_subject}"[:900],
                message_id=message_id)
    if original_id:
        msg["In-Reply-To"] = original_id
        msg["References"] = original_id
    msg.set_content(
        f"{agency} ได้รับไปรษณีย์อิเล็กทรอนิกส์เรื่อง \"{original_subject}\" "
        f"เมื่อวันที่ {thaidate.format_datetime(when, style='full')} แล้ว\n"
        "หนังสืออยู่ระหว่างรอลงทะเบียนรับ จะแจ้งเลขรับให้ทราบอีกครั้งเมื่อลงทะเบียนแล้ว\n\n"
        "ข้อความนี้ส่งโดยอัตโนมัติจากระบบสารบรรณอิเล็กทรอนิกส์\n"
    )
    return msg


def receipt_message(*, receipt: ReceiptResult, agency: str, sender: str, message_id: str) -> EmailMessage:
    letter = receipt.letter
    ref = f"ที่ {letter.reference_no} " if letter.reference_no else ""
    if receipt.outcome == ReceiptResult.Outcome.ACCEPTED:
        year = (receipt.receive_year or timezone.localdate().year) + thaidate.BE_OFFSET
        when = thaidate.format_datetime(timezone.localtime(receipt.registered_at), style="full") \
            if receipt.registered_at else ""
        subject = f"แจ้งเลขรับ {receipt.receive_number}/{year}: {letter.subject}"
        text = (f"{agency} ได้ลงทะเบียนรับหนังสือ {ref}เรื่อง {letter.subject} แล้ว\n"
                f"เลขรับ {receipt.receive_number}/{year} เมื่อ {when}\n")
    else:
        subject = f"ปฏิเสธการรับหนังสือ: {letter.subject}"
        text = (f"{agency} ไม่อาจรับหนังสือ {ref}เรื่อง {letter.subject}\n"
                f"เหตุผล: {receipt.reason}\n")
    msg = _base(sender=sender, to=receipt.address, subject=subject[:900], message_id=message_id)
    if receipt.channel_ref:
        msg["In-Reply-To"] = receipt.channel_ref
        msg["References"] = receipt.channel_ref
    msg.set_content(text + "\nข้อความนี้ส่งโดยอัตโนมัติจากระบบสารบรรณอิเล็กทรอนิกส์\n")
    return msg
