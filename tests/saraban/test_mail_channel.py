"""The official e-mail channel against real servers on loopback: aiosmtpd (SMTP) and Dovecot (IMAP)."""

from __future__ import annotations

import datetime as dt
import hashlib
import imaplib
import io
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfWriter

from saraban.correspondence.enums import LetterKind, Secrecy, Speed
from saraban.correspondence.models import Letter, LetterFile
from saraban.correspondence.storage import read_bytes
from saraban.mail.models import InboundMail, OutboundMail
from saraban.mail.naming import letter_file_name
from saraban.mail.services import SecretByEmailError, mailbox_fetch, outbox_adopt, outbox_claim
from saraban.outgoing.models import Delivery, Draft
from saraban.outgoing.services import (
    DraftInput,
    RecipientInput,
    draft_check,
    draft_create,
    draft_sign,
    draft_submit,
    letter_dispatch,
)
from saraban.receiving.models import ReceiptResult, Reception
from saraban.receiving.services import incoming_letter_register, incoming_letter_reject
from tests.mailservers import ImapServer, SmtpServer, imap_server_fixture, smtp_server_fixture  # noqa: F401
from tests.saraban.conftest import Cast

PARTNER = "saraban@partner.example.go.th"


def _dispatched(cast: Cast, *, secrecy: int = Secrecy.NORMAL) -> Draft:
    unit = cast.officer.memberships.get().unit
    data = DraftInput(kind=LetterKind.EXTERNAL, subject="ขอความอนุเคราะห์ข้อมูลสถิติ", body="ด้วย…\nจึงเรียนมา",
                      recipient_text="ผู้อำนวยการสำนักงานสถิติจังหวัด", salutation="เรียน",
                      closing="ขอแสดงความนับถือ", speed=Speed.URGENT, secrecy=secrecy)
    draft = draft_create(actor=cast.officer, owner_unit=unit, data=data)
    draft_submit(actor=cast.officer, draft=draft)
    draft_check(actor=cast.unitclerk, draft=draft, signer=cast.director)
    draft_sign(actor=cast.director, draft=draft, password=cast.password)
    recipients = [RecipientInput("สำนักงานสถิติจังหวัด", Delivery.Channel.EMAIL, PARTNER)]
    return letter_dispatch(actor=cast.clerk, draft=draft, registry=cast.central, recipients=recipients)


def _pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _incoming(*, subject: str, files: list[tuple[str, bytes, str]], body: str = "เรียน ผู้ว่าราชการ\n") -> bytes:
    msg = EmailMessage()
    msg["From"] = "กรมการปกครอง <saraban@dopa.example.go.th>"
    msg["To"] = "saraban@a.example.go.th"
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="dopa.example.go.th")
    msg.set_content(body)
    for name, data, mime in files:
        main, sub = mime.split("/")
        msg.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return msg.as_bytes(policy=policy.SMTP)  # CRLF, as a message arrives (and as APPEND stores it)


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        assert isinstance(payload, bytes)
        out[str(part.get_filename())] = payload
    return out


def test_it_sends_a_letter_with_its_pdf_and_cover_by_smtp(cast: Cast, smtp_server: SmtpServer) -> None:
    letter = _dispatched(cast).letter
    call_command("run_mail_worker", "--once", stdout=io.StringIO())

    assert len(smtp_server.raw) == 1 and smtp_server.recipients == [[PARTNER]]
    message = smtp_server.messages[0]
    assert f"ที่ {letter.reference_no}" in str(message["Subject"]) and "[ด่วน]" in str(message["Subject"])
    attachments = _attachments(message)
    assert letter.letter_date is not None
    name = letter_file_name(reference_no=letter.reference_no, letter_date=letter.letter_date)
    cover_name = letter_file_name(reference_no=letter.reference_no, letter_date=letter.letter_date, suffix="cover")
    assert set(attachments) == {name, cover_name}
    stored = letter.files.filter(role__in=(LetterFile.Role.SIGNED, LetterFile.Role.RENDERED)).latest("pk")
    assert attachments[name] == read_bytes(stored.sha256)  # byte-identical to the stored file
    cover = letter.files.get(role=LetterFile.Role.COVER)
    assert attachments[cover_name] == read_bytes(cover.sha256)
    delivery = letter.deliveries.get()
    assert delivery.state == Delivery.State.SENT
    line = OutboundMail.objects.get(delivery=delivery)
    assert line.state == OutboundMail.State.SENT and line.attempts == 1 and message["Message-ID"] == line.message_id

    call_command("run_mail_worker", "--once", stdout=io.StringIO())
    assert len(smtp_server.raw) == 1  # sent once only


def test_it_refuses_to_dispatch_a_secret_letter_by_email(cast: Cast) -> None:
    from saraban.outgoing.services import SecretByEmailError as DispatchRefused

    with pytest.raises(DispatchRefused):
        _dispatched(cast, secrecy=Secrecy.CONFIDENTIAL)
    assert not Delivery.objects.exists()


def test_it_refuses_to_email_a_letter_classified_after_dispatch(cast: Cast, smtp_server: SmtpServer) -> None:
    """GIVEN a letter queued for e-mail WHEN it is classified ลับ before the worker runs
    THEN the worker refuses to send it and marks the delivery failed with the reason."""
    letter = _dispatched(cast).letter
    type(letter).objects.filter(pk=letter.pk).update(secrecy=Secrecy.CONFIDENTIAL)
    call_command("run_mail_worker", "--once", stdout=io.StringIO())

    assert smtp_server.raw == []
    delivery = letter.deliveries.get()
    assert delivery.state == Delivery.State.FAILED and delivery.reason == SecretByEmailError.default_message
    assert "ชั้นความลับ" in delivery.reason
    assert OutboundMail.objects.get(delivery=delivery).state == OutboundMail.State.REFUSED


def test_it_retries_a_temporary_failure_after_a_pause(cast: Cast, smtp_server: SmtpServer) -> None:
    letter = _dispatched(cast).letter
    smtp_server.replies.append("451 4.3.0 mailbox busy, try later")
    call_command("run_mail_worker", "--once", stdout=io.StringIO())

    line = OutboundMail.objects.get(delivery__letter=letter)
    assert line.state == OutboundMail.State.PENDING and line.attempts == 1 and "451" in line.last_error
    assert line.next_attempt_at > timezone.now() + dt.timedelta(seconds=30)
    assert letter.deliveries.get().state == Delivery.State.QUEUED
    call_command("run_mail_worker", "--once", stdout=io.StringIO())
    assert smtp_server.raw == []  # not due yet

    OutboundMail.objects.filter(pk=line.pk).update(next_attempt_at=timezone.now())
    call_command("run_mail_worker", "--once", stdout=io.StringIO())
    line.refresh_from_db()
    assert line.state == OutboundMail.State.SENT and line.attempts == 2 and len(smtp_server.raw) == 1
    assert letter.deliveries.get().state == Delivery.State.SENT


def test_it_marks_a_permanent_refusal_failed_at_once(cast: Cast, smtp_server: SmtpServer) -> None:
    letter = _dispatched(cast).letter
    smtp_server.replies.append("550 5.1.1 no such mailbox")
    call_command("run_mail_worker", "--once", stdout=io.StringIO())

    line = OutboundMail.objects.get(delivery__letter=letter)
    assert line.state == OutboundMail.State.FAILED and line.attempts == 1
    delivery = letter.deliveries.get()
    assert delivery.state == Delivery.State.FAILED and "550" in delivery.reason and delivery.is_problem


def test_it_claims_an_outbox_line_for_one_worker_only(cast: Cast) -> None:
    _dispatched(cast)
    outbox_adopt()
    outbox_adopt()  # adopting again makes no second line
    assert OutboundMail.objects.count() == 1
    first = outbox_claim()
    assert len(first) == 1 and outbox_claim() == []
    later = timezone.now() + dt.timedelta(hours=1)  # a claim whose worker died expires
    assert outbox_claim(now=later) == first


def test_it_turns_an_appended_message_into_a_waiting_letter_and_replies(
    cast: Cast, smtp_server: SmtpServer, imap_server: ImapServer
) -> None:
    pdf, enclosure = _pdf(2), _pdf(1)
    raw = _incoming(subject="[ด่วนที่สุด] ที่ มท 0307/1234 ลงวันที่ 9 มกราคม 2568 เรื่อง การสำรวจข้อมูลประชากร",
                    files=[("มท0307-1234_20250109.pdf", pdf, "application/pdf"),
                           ("มท0307-1234_20250109_att1.pdf", enclosure, "application/pdf")])
    imap_server.append(raw)
    call_command("run_mail_worker", "--once", stdout=io.StringIO())

    letter = Letter.objects.get(direction=Letter.Direction.INCOMING)
    assert letter.source == Letter.Source.EMAIL and letter.subject == "การสำรวจข้อมูลประชากร"
    assert letter.reference_no == "มท 0307/1234" and letter.letter_date == dt.date(2025, 1, 9)
    assert letter.speed == Speed.MOST_URGENT and letter.sender_text == "กรมการปกครอง"
    reception = Reception.objects.get(letter=letter)
    assert reception.state == Reception.State.WAITING and reception.registry == cast.central
    assert reception.reply_to == "saraban@dopa.example.go.th"
    original = letter.files.get(role=LetterFile.Role.ORIGINAL)
    assert read_bytes(original.sha256) == pdf and original.pages == 2
    assert read_bytes(letter.files.get(role=LetterFile.Role.ATTACHMENT).sha256) == enclosure
    evidence = letter.files.get(role=LetterFile.Role.EVIDENCE)
    assert evidence.sha256 == hashlib.sha256(raw).hexdigest() and read_bytes(evidence.sha256) == raw
    assert evidence.name == "message.eml"
    assert "SarabanImported" in imap_server.flags()[0] and "\\Seen" in imap_server.flags()[0]

    assert len(smtp_server.raw) == 1  # the automatic acknowledgement
    ack = smtp_server.messages[0]
    assert smtp_server.recipients == [["saraban@dopa.example.go.th"]]
    assert ack["In-Reply-To"] == reception.channel_ref and "ตอบรับ" in str(ack["Subject"])

    entry = incoming_letter_register(actor=cast.clerk, letter=letter, stamp=False)
    call_command("run_mail_worker", "--once", stdout=io.StringIO())
    assert len(smtp_server.raw) == 2
    number = smtp_server.messages[1]
    assert f"แจ้งเลขรับ {entry.number}/{entry.year + 543}" in str(number["Subject"])
    assert ReceiptResult.objects.get(letter=letter).state == ReceiptResult.State.SENT


def test_it_sends_the_rejection_reason_back(cast: Cast, smtp_server: SmtpServer, imap_server: ImapServer) -> None:
    imap_server.append(_incoming(subject="เรื่อง เชิญประชุม", files=[("invite.pdf", _pdf(), "application/pdf")]))
    call_command("run_mail_worker", "--once", stdout=io.StringIO())
    letter = Letter.objects.get(direction=Letter.Direction.INCOMING)
    incoming_letter_reject(actor=cast.clerk, letter=letter, reason="ส่งผิดหน่วยงาน")
    call_command("run_mail_worker", "--once", stdout=io.StringIO())
    rejection = smtp_server.messages[-1]
    assert "ปฏิเสธ" in str(rejection["Subject"]) and "ส่งผิดหน่วยงาน" in rejection.get_body().get_content()


BROKEN_BASE64 = b"""From: somchai@example.go.th\r
To: saraban@a.example.go.th\r
Subject: =?utf-8?b?4LiC4Lit4Liq4LmI4LiH4Lir4LiZ4Lix4LiH4Liq4Li34Lit?=\r
Message-ID: <broken@example.go.th>\r
MIME-Version: 1.0\r
Content-Type: multipart/mixed; boundary="b"\r
\r
--b\r
Content-Type: text/plain; charset=utf-8\r
\r
hello\r
--b\r
Content-Type: application/pdf; name="letter.pdf"\r
Content-Disposition: attachment; filename="letter.pdf"\r
Content-Transfer-Encoding: base64\r
\r
JVBERi0xLjQK!!!###\x01not*base64\r
--b--\r
"""


@pytest.mark.parametrize(("raw", "code"), [
    (_incoming(subject="เรื่อง ไม่มีไฟล์แนบ", files=[]), "MAIL-NO-PDF"),
    (_incoming(subject="เรื่อง แนบไฟล์ Word", files=[("letter.docx", b"PK\x03\x04" + b"\0" * 64,
                                                     "application/octet-stream")]), "MAIL-BAD-FILE"),
    (_incoming(subject="เรื่อง PDF เสีย", files=[("letter.pdf", b"%PDF-1.4\n1 0 obj <<garbage", "application/pdf")]),
     "MAIL-BAD-FILE"),
    (BROKEN_BASE64, "MAIL-UNDECODABLE"),
], ids=["no-pdf", "not-pdf", "corrupt-pdf", "undecodable"])
def test_it_keeps_a_malformed_message_aside_with_its_reason(
    cast: Cast, smtp_server: SmtpServer, imap_server: ImapServer, raw: bytes, code: str
) -> None:
    imap_server.append(raw)
    report = mailbox_fetch()

    assert report.quarantined == 1 and report.imported == 0
    kept = InboundMail.objects.get()
    assert kept.state == InboundMail.State.QUARANTINED and kept.reason_code == code and kept.reason
    assert kept.sha256 == hashlib.sha256(raw).hexdigest() and read_bytes(kept.sha256) == raw  # not lost
    assert not Letter.objects.filter(direction=Letter.Direction.INCOMING).exists()
    assert "SarabanImported" in imap_server.flags()[0]  # flagged only once kept
    assert mailbox_fetch().quarantined == 0 and InboundMail.objects.count() == 1


def test_it_imports_a_message_once_even_if_its_flag_was_lost(cast: Cast, imap_server: ImapServer) -> None:
    """GIVEN a message imported and committed, WHEN its flag never reached the server (a crash
    between the commit and the STORE), THEN the next fetch recognises it and makes no second letter."""
    imap_server.append(_incoming(subject="เรื่อง ทดสอบ", files=[("a.pdf", _pdf(), "application/pdf")]))
    assert mailbox_fetch().imported == 1
    client = imaplib.IMAP4(imap_server.host, imap_server.port)
    client.login(imap_server.user, imap_server.password)
    client.select("INBOX")
    client.uid("STORE", "1", "-FLAGS", "(SarabanImported)")
    client.logout()
    report = mailbox_fetch()
    assert report.already == 1 and report.imported == 0
    assert Letter.objects.filter(direction=Letter.Direction.INCOMING).count() == 1
