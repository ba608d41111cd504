"""Every state change of the official e-mail channel: each one transaction with its audit record.

Sending: ``outbox_adopt`` turns queued e-mail deliveries and pending e-mail receipt results into
outbox lines; ``outbox_send_due`` claims due lines, sends them by SMTP and marks them sent, or
retries with back-off and finally marks them failed (the delivery through ``delivery_record_outcome``).

Receiving: ``mailbox_fetch`` reads the central mailbox by IMAP; ``inbound_mail_import`` turns one
raw message into an incoming letter waiting for a clerk (with its automatic acknowledgement in the
outbox) or keeps it aside with a reason. The message is flagged on the server only after the commit,
and the SHA-256 of its raw bytes makes a second import of the same message a no-op.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from email.message import EmailMessage

from django.db import IntegrityError, transaction
from django.utils import timezone

from govcommon.errors import ConflictError, ValidationError
from saraban.accounts.models import AgencyProfile, User
from saraban.audit.services import audit_record
from saraban.correspondence import storage
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Letter, Registry
from saraban.correspondence.outbox import SendReport, outbox_lines_claim
from saraban.mail import compose, conf
from saraban.mail.models import InboundMail, OutboundMail
from saraban.mail.parsing import MalformedMailError, envelope_of, mail_parse, message_from
from saraban.mail.transport import MailTransportError, mailbox_open, smtp_send
from saraban.outgoing.models import Delivery
from saraban.outgoing.services import delivery_record_outcome
from saraban.receiving.models import ReceiptResult
from saraban.receiving.services import (
    IncomingFiles,
    inbox_check_record,
    incoming_letter_create,
    receipt_result_record_outcome,
)

log = logging.getLogger(__name__)


class SecretByEmailError(ValidationError):
    code = "MAIL-SECRET"
    default_message = ("หนังสือชั้นความลับ (ลับ ลับมาก ลับที่สุด) ส่งทางไปรษณีย์อิเล็กทรอนิกส์ไม่ได้ "
                       "เพราะไปรษณีย์อิเล็กทรอนิกส์ไม่เข้ารหัสลับ ให้ส่งทางระบบที่เข้ารหัส "
                       "หรือส่งเป็นกระดาษตามระเบียบว่าด้วยการรักษาความลับของทางราชการ")


class MailNotConfiguredError(ConflictError):
    code = "MAIL-CONFIG"
    default_message = "ยังไม่ได้ตั้งค่าเซิร์ฟเวอร์ไปรษณีย์อิเล็กทรอนิกส์ (SARABAN_IMAP_HOST, SARABAN_IMAP_USER)"


def letter_email_check(letter: Letter) -> None:
    """Refuse secret letters of every level: e-mail is not encrypted (ภาคผนวก 7, ข้อ 29)."""
    if letter.secrecy > Secrecy.NORMAL:
        raise SecretByEmailError()


def _agency_name() -> str:
    profile = AgencyProfile.objects.select_related("root_unit").filter(pk=1).first()
    return profile.root_unit.name if profile else ""


# --- sending ------------------------------------------------------------------------------------


def _adopt_delivery(delivery: Delivery) -> OutboundMail | None:
    now = timezone.now()
    try:
        with transaction.atomic():
            line = OutboundMail.objects.create(kind=OutboundMail.Kind.LETTER, delivery=delivery,
                                               to_address=delivery.address[:320], next_attempt_at=now)
            try:
                letter_email_check(delivery.letter)
            except SecretByEmailError as exc:
                line.state, line.last_error = OutboundMail.State.REFUSED, exc.message[:500]
                line.save(update_fields=["state", "last_error"])
                delivery_record_outcome(delivery_id=delivery.pk, state=Delivery.State.FAILED, reason=exc.message)
                audit_record(actor=None, action="mail.refused_secret", obj=delivery.letter,
                             summary=f"ไม่ส่งทางไปรษณีย์อิเล็กทรอนิกส์ถึง {delivery.recipient_name}: หนังสือชั้นความลับ",
                             data={"outbound_id": line.pk, "delivery_id": delivery.pk})
            else:
                audit_record(actor=None, action="mail.queued", obj=delivery.letter,
                             summary=f"รอส่งทางไปรษณีย์อิเล็กทรอนิกส์ถึง {delivery.recipient_name} <{delivery.address}>",
                             data={"outbound_id": line.pk, "delivery_id": delivery.pk})
            return line
    except IntegrityError:  # another worker adopted it first
        return None


def _adopt_receipt(receipt: ReceiptResult) -> OutboundMail | None:
    try:
        with transaction.atomic():
            line = OutboundMail.objects.create(kind=OutboundMail.Kind.RECEIPT, receipt=receipt,
                                               to_address=receipt.address[:320], next_attempt_at=timezone.now())
            audit_record(actor=None, action="mail.queued", obj=receipt.letter,
                         summary=f"รอแจ้งผลการรับทางไปรษณีย์อิเล็กทรอนิกส์ถึง {receipt.address}",
                         data={"outbound_id": line.pk, "receipt_id": receipt.pk})
            return line
    except IntegrityError:
        return None


def outbox_adopt() -> int:
    """Outbox lines for e-mail deliveries queued by ``letter_dispatch`` and e-mail receipt results
    queued by receiving. Idempotent: each source row gets at most one line (one-to-one)."""
    made = 0
    deliveries = Delivery.objects.filter(channel=Delivery.Channel.EMAIL, state=Delivery.State.QUEUED,
                                         outbound_mail__isnull=True).select_related("letter")
    for delivery in deliveries[:500]:
        made += _adopt_delivery(delivery) is not None
    receipts = ReceiptResult.objects.filter(channel=ReceiptResult.Channel.EMAIL, state=ReceiptResult.State.PENDING,
                                            outbound_mail__isnull=True).select_related("letter")
    for receipt in receipts[:500]:
        made += _adopt_receipt(receipt) is not None
    return made


def outbox_claim(*, limit: int = 50, now: dt.datetime | None = None) -> list[int]:
    return outbox_lines_claim(OutboundMail, limit=limit, lease_seconds=conf.LEASE_SECONDS, now=now)


def _build(line: OutboundMail, sender: str) -> EmailMessage:
    agency = _agency_name()
    if line.kind == OutboundMail.Kind.LETTER:
        assert line.delivery is not None
        letter_email_check(line.delivery.letter)
        return compose.letter_message(delivery=line.delivery, sender=sender, message_id=line.message_id)
    if line.kind == OutboundMail.Kind.ACKNOWLEDGEMENT:
        inbound = line.inbound
        assert inbound is not None
        return compose.acknowledgement_message(to=line.to_address, original_subject=inbound.subject,
                                               original_id=inbound.message_id, received_at=inbound.fetched_at,
                                               agency=agency, sender=sender, message_id=line.message_id)
    assert line.receipt is not None
    return compose.receipt_message(receipt=line.receipt, agency=agency, sender=sender, message_id=line.message_id)


def _obj_of(line: OutboundMail) -> Letter | InboundMail:
    if line.delivery is not None:
        return line.delivery.letter
    if line.receipt is not None:
        return line.receipt.letter
    assert line.inbound is not None
    return line.inbound.letter or line.inbound


def _mark_sent(line: OutboundMail) -> None:
    with transaction.atomic():
        now = timezone.now()
        line.state, line.sent_at, line.claimed_until = OutboundMail.State.SENT, now, None
        line.attempts += 1
        line.save(update_fields=["state", "sent_at", "claimed_until", "attempts"])
        if line.delivery_id is not None:
            delivery_record_outcome(delivery_id=line.delivery_id, state=Delivery.State.SENT)
        if line.receipt_id is not None:
            receipt_result_record_outcome(receipt_id=line.receipt_id, sent=True, attempts=line.attempts)
        audit_record(actor=None, action="mail.sent", obj=_obj_of(line),
                     summary=f"ส่งไปรษณีย์อิเล็กทรอนิกส์ ({line.get_kind_display()}) ถึง {line.to_address} แล้ว",
                     data={"outbound_id": line.pk, "message_id": line.message_id, "attempts": line.attempts})


def _mark_failed(line: OutboundMail, error: str, *, permanent: bool) -> None:
    with transaction.atomic():
        now = timezone.now()
        line.attempts += 1
        line.last_error, line.claimed_until = error[:500], None
        final = permanent or line.attempts >= conf.MAX_ATTEMPTS
        if final:
            line.state = OutboundMail.State.FAILED
        else:
            wait = conf.BACKOFF_SECONDS[min(line.attempts, len(conf.BACKOFF_SECONDS)) - 1]
            line.next_attempt_at = now + dt.timedelta(seconds=wait)
        line.save(update_fields=["attempts", "last_error", "claimed_until", "state", "next_attempt_at"])
        if final and line.delivery_id is not None:
            delivery_record_outcome(delivery_id=line.delivery_id, state=Delivery.State.FAILED, reason=error[:500])
        if line.receipt_id is not None:
            receipt_result_record_outcome(receipt_id=line.receipt_id, sent=False, attempts=line.attempts,
                                          error=error, final=final)
        audit_record(actor=None, action="mail.failed" if final else "mail.retry", obj=_obj_of(line),
                     summary=(f"ส่งไปรษณีย์อิเล็กทรอนิกส์ถึง {line.to_address} ไม่สำเร็จ"
                              + ("" if final else f" จะลองใหม่เมื่อ {timezone.localtime(line.next_attempt_at):%H:%M}")
                              + f": {error}")[:500],
                     data={"outbound_id": line.pk, "attempts": line.attempts, "final": final})


def outbound_send(*, pk: int) -> OutboundMail:
    """Send one claimed line and record the outcome."""
    line = OutboundMail.objects.select_related("delivery__letter__owner_unit", "receipt__letter", "inbound").get(pk=pk)
    sender = conf.from_address()
    if not line.message_id:
        line.message_id = compose.message_id_for(kind=line.kind, pk=line.pk, sender=sender)
        OutboundMail.objects.filter(pk=pk).update(message_id=line.message_id)
    try:
        message = _build(line, sender)
    except (MalformedMailError, ValidationError) as exc:  # secret, no PDF, no cover: never retried
        _mark_failed(line, exc.message, permanent=True)
        return line
    try:
        smtp_send(message, conf.smtp_settings())
    except MailTransportError as exc:
        _mark_failed(line, str(exc), permanent=exc.permanent)
        return line
    _mark_sent(line)
    return line


def outbox_send_due(*, limit: int = 50) -> SendReport:
    report = SendReport()
    for pk in outbox_claim(limit=limit):
        report.count(outbound_send(pk=pk).state)
    return report


# --- receiving ----------------------------------------------------------------------------------


def central_registry() -> Registry:
    """The central registry (สารบรรณกลาง) of the agency: the official mailbox belongs to it."""
    profile = AgencyProfile.objects.filter(pk=1).first()
    registries = Registry.objects.filter(is_central=True, active=True).order_by("pk")
    registry = (registries.filter(unit_id=profile.root_unit_id).first() if profile else None) or registries.first()
    if registry is None:
        raise MailNotConfiguredError("ยังไม่มีทะเบียนสารบรรณกลาง จึงรับหนังสือทางไปรษณีย์อิเล็กทรอนิกส์ไม่ได้",
                                     code="MAIL-NO-REGISTRY")
    return registry


def inbound_mail_import(*, raw: bytes, registry: Registry, mailbox: str = "", uid: str = "",
                        actor: User | None = None) -> InboundMail:
    """One raw message becomes an incoming letter waiting at ``registry`` (with its acknowledgement
    queued), or is kept aside with the reason. A message imported before is returned unchanged."""
    sha = hashlib.sha256(raw).hexdigest()
    existing = InboundMail.objects.filter(sha256=sha).first()
    if existing is not None:
        return existing
    try:
        parsed = mail_parse(raw)
        envelope, problem = parsed.envelope, None
    except MalformedMailError as exc:
        parsed, envelope, problem = None, envelope_of(raw, message_from(raw)), exc
    try:
        with transaction.atomic():
            now = timezone.now()
            common = {"sha256": sha, "size": len(raw), "message_id": envelope.message_id,
                      "from_address": envelope.from_address, "subject": envelope.subject,
                      "mailbox": mailbox[:200], "imap_uid": uid[:64], "fetched_at": now}
            if parsed is None:
                assert problem is not None
                storage.store_bytes(raw)  # the raw .eml, content-addressed by the same SHA-256
                inbound = InboundMail.objects.create(state=InboundMail.State.QUARANTINED, reason_code=problem.code,
                                                     reason=problem.message[:500], **common)
                audit_record(actor=actor, action="mail.quarantined", obj=inbound,
                             summary=f"กันไปรษณีย์อิเล็กทรอนิกส์จาก {envelope.from_address or '-'} ไว้ตรวจสอบ: "
                                     f"{problem.message}"[:500],
                             data={"sha256": sha, "code": problem.code, "message_id": envelope.message_id})
                return inbound
            letter = incoming_letter_create(
                actor=actor, registry=registry, source=Letter.Source.EMAIL, metadata=parsed.metadata,
                files=IncomingFiles(document=parsed.document, attachments=parsed.attachments, evidence=raw,
                                    evidence_name="message.eml"),
                channel_ref=envelope.message_id, reply_to=envelope.reply_to,
            )
            inbound = InboundMail.objects.create(state=InboundMail.State.IMPORTED, letter=letter, **common)
            ack = OutboundMail.objects.create(kind=OutboundMail.Kind.ACKNOWLEDGEMENT, inbound=inbound,
                                              to_address=envelope.reply_to, next_attempt_at=now)
            audit_record(actor=actor, action="mail.imported", obj=letter,
                         summary=f"รับไปรษณีย์อิเล็กทรอนิกส์จาก {envelope.from_address}: {letter.subject}"[:500],
                         data={"sha256": sha, "inbound_id": inbound.pk, "ack_id": ack.pk,
                               "message_id": envelope.message_id})
            return inbound
    except IntegrityError:  # the same message imported by another worker meanwhile
        return InboundMail.objects.get(sha256=sha)


@dataclass
class FetchReport:
    imported: int = 0
    quarantined: int = 0
    already: int = 0
    letters: list[int] = field(default_factory=list)


def mailbox_fetch(*, actor: User | None = None, limit: int = 200) -> FetchReport:
    """Import the messages of the central mailbox not flagged yet; flag each after its commit."""
    config = conf.imap_settings()
    if not config.configured:
        raise MailNotConfiguredError()
    registry = central_registry()
    report = FetchReport()
    with mailbox_open(config) as box:
        for uid in box.pending_uids()[:limit]:
            raw = box.fetch(uid)
            if raw is None:
                continue
            known = InboundMail.objects.filter(sha256=hashlib.sha256(raw).hexdigest()).exists()
            inbound = inbound_mail_import(raw=raw, registry=registry, mailbox=config.mailbox, uid=uid, actor=actor)
            box.mark_done(uid)
            if known:
                report.already += 1
            elif inbound.state == InboundMail.State.QUARANTINED:
                report.quarantined += 1
            else:
                report.imported += 1
                report.letters.append(inbound.letter_id or 0)
    return report


def mailbox_check(*, actor: User, registry: Registry | None = None) -> FetchReport:
    """A clerk checks the official mailbox now: fetch it and record the inbox check (ภาคผนวก 7)."""
    registry = registry or central_registry()
    report = mailbox_fetch(actor=actor)
    inbox_check_record(actor=actor, registry=registry)
    return report


def inbound_mail_handle(*, actor: User, inbound: InboundMail, note: str) -> InboundMail:
    """The clerk dealt with a message kept aside (asked the sender to resend, registered it by hand)."""
    if not note.strip():
        raise ValidationError("กรุณาบันทึกว่าจัดการอย่างไร", code="MAIL-NOTE")
    with transaction.atomic():
        locked = InboundMail.objects.select_for_update().get(pk=inbound.pk)
        if locked.state != InboundMail.State.QUARANTINED:
            raise ConflictError("รายการนี้จัดการไปแล้ว", code="MAIL-409")
        locked.state, locked.handled_at, locked.handled_by = InboundMail.State.HANDLED, timezone.now(), actor
        locked.handled_note = note.strip()[:500]
        locked.save(update_fields=["state", "handled_at", "handled_by", "handled_note"])
        audit_record(actor=actor, action="mail.handled", obj=locked,
                     summary=f"จัดการไปรษณีย์อิเล็กทรอนิกส์ที่กันไว้: {locked.handled_note}"[:500],
                     data={"inbound_id": locked.pk})
    return locked


def mail_worker_cycle() -> tuple[SendReport, FetchReport | None]:
    """One round of the worker: send what is due, read the mailbox, send the acknowledgements."""
    outbox_adopt()
    sent = outbox_send_due()
    fetched: FetchReport | None = None
    if conf.imap_settings().configured:
        try:
            fetched = mailbox_fetch()
        except MailTransportError as exc:
            log.warning("mail worker: mailbox not read: %s", exc)
    outbox_adopt()
    more = outbox_send_due()
    sent.sent, sent.retrying, sent.failed = sent.sent + more.sent, sent.retrying + more.retrying, \
        sent.failed + more.failed
    return sent, fetched
