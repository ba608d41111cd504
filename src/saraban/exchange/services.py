"""The hub channel's work, each step a service with its own transaction and audit record.

Sending: ``outbox_adopt`` turns hub deliveries and receipt results into ``HubOutbound`` lines (each
with its wsa:MessageID fixed before the first attempt); ``outbox_claim`` reserves due lines for one
worker; ``outbound_send`` sends one and records the answer, retrying with exponential back-off.
Receiving: ``hub_pull`` takes the oldest item of our queue, stores it (letter with the exact XML as
evidence, or the outcome of one of our letters) and deletes it from the hub queue only after the local
commit. ``sent_letters_check`` asks the hub about letters nobody pulled in time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from govcommon.errors import AppError, ConflictError, ValidationError
from saraban.accounts.models import User
from saraban.audit.services import audit_record
from saraban.correspondence import storage
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Letter, Registry
from saraban.correspondence.outbox import SendReport, outbox_lines_claim
from saraban.exchange import conf, crypto, wire
from saraban.exchange.models import DirectoryEntry, ExchangeSetting, HubInbound, HubOutbound
from saraban.outgoing.models import Delivery
from saraban.outgoing.services import delivery_record_outcome
from saraban.receiving.models import ReceiptResult
from saraban.receiving.services import incoming_letter_create, incoming_letters_register, receipt_result_record_outcome
from thegif import messages as m
from thegif import soap
from thegif.client import HubClient
from thegif.errors import ProtocolError, ServerError

log = logging.getLogger(__name__)


class HubNotConfiguredError(ConflictError):
    code = "XCH-CONF"
    default_message = "ยังไม่ได้ตั้งค่าการเชื่อมต่อระบบกลาง (SARABAN_HUB_URL, SARABAN_HUB_USERNAME, SARABAN_HUB_PASSWORD)"


def hub_client() -> HubClient:
    if not conf.configured():
        raise HubNotConfiguredError()
    return HubClient(conf.hub_url(), conf.hub_username(), conf.hub_password(), timeout=conf.timeout_seconds())


def exchange_setting() -> ExchangeSetting:
    setting, _ = ExchangeSetting.objects.get_or_create(pk=1)
    return setting


def _crash_point(name: str) -> None:
    """Test hook: die here as a killed worker would (end-to-end tests only)."""
    if conf.test_hooks() and os.environ.get("SARABAN_EXCHANGE_CRASH") == name:
        os._exit(70)


# ----- the outbox ---------------------------------------------------------------------------------


def _adopt(make: Callable[[], HubOutbound]) -> bool:
    try:
        with transaction.atomic():
            make()
            return True
    except IntegrityError:  # another worker adopted it first (one line per source row)
        return False


def outbox_adopt() -> int:
    """One outbox line per queued hub delivery and per pending hub receipt result (idempotent)."""
    now = timezone.now()
    made = 0
    deliveries = Delivery.objects.filter(channel=Delivery.Channel.HUB, state=Delivery.State.QUEUED,
                                         hub_outbound__isnull=True).select_related("letter")
    for delivery in deliveries[:500]:
        def letter_line(d: Delivery = delivery) -> HubOutbound:
            line = HubOutbound.objects.create(kind=HubOutbound.Kind.LETTER, delivery=d, next_attempt_at=now,
                                              message_id=soap.new_message_id(), wire_reference=d.letter.reference_no,
                                              accept_department=d.address.split("/")[-1].strip()[:32])
            audit_record(actor=None, action="exchange.queued", obj=d.letter,
                         summary=f"รอส่งทางระบบกลางถึง {d.recipient_name} ({d.address})",
                         data={"outbound_id": line.pk, "delivery_id": d.pk, "message_id": line.message_id})
            return line
        made += _adopt(letter_line)
    receipts = ReceiptResult.objects.filter(channel=ReceiptResult.Channel.HUB, state=ReceiptResult.State.PENDING,
                                            hub_outbound__isnull=True).select_related("letter")
    for receipt in receipts[:500]:
        def receipt_line(r: ReceiptResult = receipt) -> HubOutbound:
            kind = HubOutbound.Kind.ACCEPT if r.outcome == ReceiptResult.Outcome.ACCEPTED else HubOutbound.Kind.REJECT
            line = HubOutbound.objects.create(kind=kind, receipt=r, next_attempt_at=now,
                                              message_id=soap.new_message_id())
            audit_record(actor=None, action="exchange.queued", obj=r.letter,
                         summary=f"รอ{line.get_kind_display()}ทางระบบกลาง",
                         data={"outbound_id": line.pk, "receipt_id": r.pk, "message_id": line.message_id})
            return line
        made += _adopt(receipt_line)
    return made


def outbox_claim(*, limit: int = 20, now: dt.datetime | None = None) -> list[int]:
    return outbox_lines_claim(HubOutbound, limit=limit, lease_seconds=conf.lease_seconds(), now=now)


def _recipient_key(department: str) -> bytes | None:
    entry = DirectoryEntry.objects.filter(org_id=department).exclude(public_key_der=None).first()
    return bytes(entry.public_key_der) if entry is not None and entry.public_key_der else None


def _request_for(line: HubOutbound) -> tuple[m.Item, bool]:
    if line.kind == HubOutbound.Kind.LETTER:
        assert line.delivery is not None
        department = line.accept_department
        key = _recipient_key(department)
        secrecy = line.delivery.letter.secrecy
        if key is None and Secrecy.CONFIDENTIAL <= secrecy < Secrecy.TOP_SECRET and conf.configured():
            directory_sync()  # the hub may publish the key by now
            key = _recipient_key(department)
        out = wire.letter_for(line.delivery, recipient_key=key)
        return out.letter, out.encrypted
    if line.kind in (HubOutbound.Kind.RECEIVE, HubOutbound.Kind.INVALID):
        inbound = line.inbound
        assert inbound is not None and inbound.correspondence_date is not None
        if line.kind == HubOutbound.Kind.INVALID:
            return m.Notifier(m.ItemType.INVALID, inbound.hub_letter_id, inbound.correspondence_date,
                              inbound.wire_subject or "-", description=inbound.reason or "-"), False
        return m.Notifier(m.ItemType.RECEIVE, inbound.hub_letter_id, inbound.correspondence_date,
                          inbound.wire_subject or "-"), False
    receipt = line.receipt
    assert receipt is not None
    inbound = HubInbound.objects.filter(letter_id=receipt.letter_id).first()
    if inbound is None or inbound.correspondence_date is None:
        raise wire.WireError("ไม่พบข้อมูลหนังสือที่ได้รับจากระบบกลาง", code="XCH-407")
    if line.kind == HubOutbound.Kind.ACCEPT:
        entry = receipt.letter.reception.entry
        if entry is None:
            raise wire.WireError("หนังสือยังไม่มีเลขรับ", code="XCH-408")
        return m.Notifier(m.ItemType.ACCEPT, inbound.hub_letter_id, inbound.correspondence_date,
                          inbound.wire_subject or "-", accept_id=wire.accept_id_for(entry)), False
    return m.Notifier(m.ItemType.REJECT, inbound.hub_letter_id, inbound.correspondence_date,
                      inbound.wire_subject or "-", description=receipt.reason or "ปฏิเสธการรับ"), False


def _obj_of(line: HubOutbound) -> Letter | HubInbound:
    if line.delivery is not None:
        return line.delivery.letter
    if line.receipt is not None:
        return line.receipt.letter
    assert line.inbound is not None
    return line.inbound.letter or line.inbound


def _mark_sent(line: HubOutbound, response: m.OutboundResponse, *, encrypted: bool) -> None:
    with transaction.atomic():
        now = timezone.now()
        line.state, line.sent_at, line.claimed_until, line.last_error = HubOutbound.State.SENT, now, None, ""
        line.attempts += 1
        line.hub_letter_id, line.process_id, line.encrypted = response.letter_id, response.process_id, encrypted
        line.save(update_fields=["state", "sent_at", "claimed_until", "last_error", "attempts", "hub_letter_id",
                                 "process_id", "encrypted"])
        if line.delivery_id is not None:
            delivery_record_outcome(delivery_id=line.delivery_id, state=Delivery.State.SENT)
            _notifiers_early_apply(line.hub_letter_id, line.delivery_id)
        if line.receipt_id is not None:
            receipt_result_record_outcome(receipt_id=line.receipt_id, sent=True, attempts=line.attempts)
        audit_record(actor=None, action="exchange.sent", obj=_obj_of(line),
                     summary=f"{line.get_kind_display()}ถึงระบบกลางแล้ว (LetterID {response.letter_id})"
                             + (" เข้ารหัสถึงผู้รับ" if encrypted else ""),
                     data={"outbound_id": line.pk, "message_id": line.message_id, "letter_id": response.letter_id,
                           "process_id": response.process_id, "attempts": line.attempts})


def _mark_failed(line: HubOutbound, error: str, *, permanent: bool) -> None:
    with transaction.atomic():
        now = timezone.now()
        line.attempts += 1
        line.last_error, line.claimed_until = error[:500], None
        final = permanent or now - line.created_at > dt.timedelta(hours=conf.give_up_hours())
        if final:
            line.state = HubOutbound.State.FAILED
        else:
            wait = min(conf.retry_base_seconds() * 2 ** (line.attempts - 1), conf.retry_max_seconds())
            line.next_attempt_at = now + dt.timedelta(seconds=wait)
        line.save(update_fields=["attempts", "last_error", "claimed_until", "state", "next_attempt_at"])
        if final and line.delivery_id is not None:
            delivery_record_outcome(delivery_id=line.delivery_id, state=Delivery.State.FAILED,
                                    reason=f"ส่งทางระบบกลางไม่สำเร็จ: {error}"[:500])
        if line.receipt_id is not None:
            receipt_result_record_outcome(receipt_id=line.receipt_id, sent=False, attempts=line.attempts,
                                          error=error, final=final)
        audit_record(actor=None, action="exchange.failed" if final else "exchange.retry", obj=_obj_of(line),
                     summary=(f"{line.get_kind_display()}ทางระบบกลางไม่สำเร็จ"
                              + ("" if final else f" จะลองใหม่เมื่อ {timezone.localtime(line.next_attempt_at):%H:%M:%S}")
                              + f": {error}")[:500],
                     data={"outbound_id": line.pk, "attempts": line.attempts, "final": final})


def _retryable(exc: Exception) -> bool:
    """Connection trouble, a hub error, or an answer that is not SOAP (a proxy's error page): retry
    with the same MessageID. A fault with any other code is the hub refusing the request: final."""
    if isinstance(exc, (requests.ConnectionError, requests.Timeout, ServerError)):
        return True
    return isinstance(exc, ProtocolError) and type(exc) is ProtocolError


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AppError):
        return f"[{exc.code}] {exc.message}"
    return f"ติดต่อระบบกลางไม่ได้: {exc}"


def outbound_send(*, pk: int, client: HubClient | None = None) -> HubOutbound:
    """Send one claimed line with its fixed MessageID and record the hub's answer."""
    line = HubOutbound.objects.select_related("delivery__letter", "receipt__letter__reception__entry",
                                              "inbound__letter").get(pk=pk)
    if line.state != HubOutbound.State.PENDING:
        return line
    client = client or hub_client()
    try:
        item, encrypted = _request_for(line)
    except (ValidationError, ConflictError) as exc:  # nothing to send, or no key: never retried
        _mark_failed(line, f"[{exc.code}] {exc.message}", permanent=True)
        return line
    except (requests.RequestException, ProtocolError) as exc:  # the directory could not be read
        _mark_failed(line, _error_text(exc), permanent=False)
        return line
    try:
        response = client.call(m.OutboundRequest(item=item), message_id=line.message_id,
                               response_type=m.OutboundResponse)
    except (requests.RequestException, ProtocolError) as exc:
        _mark_failed(line, _error_text(exc), permanent=not _retryable(exc))
        return line
    _crash_point("after_send")
    _mark_sent(line, response, encrypted=encrypted)
    return line


def outbox_send_due(*, limit: int = 20, client: HubClient | None = None,
                    stop: Callable[[], bool] | None = None) -> SendReport:
    report = SendReport()
    for pk in outbox_claim(limit=limit):
        if stop is not None and stop():
            HubOutbound.objects.filter(pk=pk).update(claimed_until=None)
            continue
        report.count(outbound_send(pk=pk, client=client).state)
    return report


# ----- pulling our queue --------------------------------------------------------------------------


def central_registry() -> Registry:
    setting = exchange_setting()
    if setting.registry_id is not None and setting.registry is not None:
        return setting.registry
    registry = Registry.objects.filter(is_central=True, active=True).order_by("pk").first()
    if registry is None:
        raise ConflictError("ยังไม่มีทะเบียนสารบรรณกลาง จึงรับหนังสือจากระบบกลางไม่ได้", code="XCH-NO-REGISTRY")
    return registry


def _inbound(item: m.InboundItem, evidence: bytes, *, state: str, reason: str = "",
             correspondence_date: dt.date | None, subject: str, reference: str = "") -> HubInbound:
    return HubInbound(
        process_id=item.process_id, item_type=m.item_type(item.content), hub_letter_id=item.letter_id,
        sender_department=item.sender_department, accept_department=item.accept_department,
        wire_reference=reference[:255], wire_subject=subject[:1000], correspondence_date=correspondence_date,
        state=state, reason=reason[:500], evidence_sha256=hashlib.sha256(evidence).hexdigest(),
        evidence_size=len(evidence), delete_message_id=soap.new_message_id(), pulled_at=timezone.now(),
    )


def _letter_store(item: m.InboundItem, letter: m.CorrespondenceLetter, evidence: bytes) -> HubInbound:
    name = f"ecms-{item.letter_id}-{item.process_id}.xml"
    try:
        incoming = wire.incoming_from(letter, evidence=evidence, evidence_name=name)
    except (AppError, ValueError, KeyError) as exc:
        reason = exc.message if isinstance(exc, AppError) else f"ข้อมูลหนังสือไม่ถูกต้อง: {exc}"
        storage.store_bytes(evidence)  # the XML as it arrived is kept for whoever looks into it
        row = _inbound(item, evidence, state=HubInbound.State.QUARANTINED, reason=reason,
                       correspondence_date=letter.correspondence_date, subject=letter.subject, reference=letter.id)
        row.save()
        # the sender learns at once that its letter could not be read (its problem list)
        HubOutbound.objects.create(kind=HubOutbound.Kind.INVALID, inbound=row, message_id=soap.new_message_id(),
                                   next_attempt_at=timezone.now())
        audit_record(actor=None, action="exchange.quarantined", obj=row,
                     summary=f"กันหนังสือจากระบบกลางไว้ตรวจสอบ (LetterID {item.letter_id}): {reason}"[:500],
                     data={"process_id": item.process_id, "evidence_sha256": row.evidence_sha256})
        return row
    registry = central_registry()
    created = incoming_letter_create(actor=None, registry=registry, source=Letter.Source.HUB,
                                     metadata=incoming.metadata, files=incoming.files, channel_ref=item.letter_id,
                                     reply_to=item.sender_department)
    row = _inbound(item, evidence, state=HubInbound.State.IMPORTED, correspondence_date=letter.correspondence_date,
                   subject=letter.subject, reference=letter.id)
    row.letter, row.encrypted = created, incoming.encrypted
    row.save()
    HubOutbound.objects.create(kind=HubOutbound.Kind.RECEIVE, inbound=row, message_id=soap.new_message_id(),
                               next_attempt_at=timezone.now())
    audit_record(actor=None, action="exchange.pulled", obj=created,
                 summary=f"ได้รับหนังสือจากระบบกลาง (LetterID {item.letter_id}) จาก {item.sender_department}"
                         + (" เปิดหนังสือลับด้วยกุญแจของหน่วยงานแล้ว" if incoming.encrypted else ""),
                 data={"process_id": item.process_id, "letter_id": item.letter_id,
                       "evidence_sha256": row.evidence_sha256, "encrypted": incoming.encrypted})
    return row


_NOTIFIER_STATE = {
    m.ItemType.RECEIVE: Delivery.State.DELIVERED,
    m.ItemType.ACCEPT: Delivery.State.ACCEPTED,
    m.ItemType.REJECT: Delivery.State.REJECTED,
    m.ItemType.INVALID: Delivery.State.REJECTED,
}
_FINAL_DELIVERY_STATES = (Delivery.State.ACCEPTED, Delivery.State.REJECTED)


def _notifier_apply(item: m.InboundItem, notifier: m.Notifier, evidence: bytes) -> HubInbound:
    line = (HubOutbound.objects.select_related("delivery__letter")
            .filter(kind=HubOutbound.Kind.LETTER, hub_letter_id=notifier.letter_id).first())
    known = line is not None and line.delivery is not None and notifier.kind in _NOTIFIER_STATE
    # Not (yet) ours: kept as ignored; if our send of that letter is recorded later (we died after the hub
    # took it, and the receiver answered before we sent again), _notifiers_early_apply applies it then.
    row = _inbound(item, evidence, state=HubInbound.State.APPLIED if known else HubInbound.State.IGNORED,
                   reason="" if known else "ไม่ตรงกับหนังสือที่ส่งจากระบบนี้",
                   correspondence_date=notifier.correspondence_date, subject=notifier.subject,
                   reference=notifier.accept_id or "")
    row.wire_description = (notifier.description or "")[:1000]
    row.save()
    if known:
        assert line is not None and line.delivery is not None
        _notifier_outcome(line.delivery.pk, notifier.kind, notifier.accept_id or "", notifier.description or "")
    return row


def _notifier_outcome(delivery_id: int, kind: m.ItemType, accept_id: str, description: str) -> None:
    state = _NOTIFIER_STATE[kind]
    current = Delivery.objects.values_list("state", flat=True).get(pk=delivery_id)
    if state == Delivery.State.DELIVERED and current in _FINAL_DELIVERY_STATES:
        return
    reason = ""
    if state == Delivery.State.REJECTED:
        label = "ผู้รับแจ้งว่าหนังสือไม่ถูกต้อง" if kind == m.ItemType.INVALID else "ผู้รับปฏิเสธการรับ"
        reason = f"{label}: {description or '-'}"
    delivery_record_outcome(delivery_id=delivery_id, state=state, receive_number=accept_id, reason=reason)


def _notifiers_early_apply(hub_letter_id: str, delivery_id: int) -> None:
    """Notifiers about this letter pulled before its send was recorded, applied in the order pulled."""
    early = HubInbound.objects.filter(hub_letter_id=hub_letter_id, state=HubInbound.State.IGNORED,
                                      item_type__in=[k.value for k in _NOTIFIER_STATE]).order_by("pulled_at", "pk")
    for row in early:
        _notifier_outcome(delivery_id, m.ItemType(row.item_type), row.wire_reference, row.wire_description)
        row.state, row.reason = HubInbound.State.APPLIED, "ได้รับก่อนบันทึกการส่ง ใช้เมื่อบันทึกการส่งแล้ว"
        row.save(update_fields=["state", "reason"])


def inbound_item_store(*, item: m.InboundItem, evidence: bytes) -> tuple[HubInbound, bool]:
    """Store one pulled item in one transaction; returns (row, stored now). An item stored before (the
    same ProcessID: we died before deleting it from the hub queue) is returned as it is."""
    existing = HubInbound.objects.filter(process_id=item.process_id).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            content = item.content
            if isinstance(content, m.CorrespondenceLetter):
                return _letter_store(item, content, evidence), True
            return _notifier_apply(item, content, evidence), True
    except IntegrityError:  # a concurrent pull stored it first
        return HubInbound.objects.get(process_id=item.process_id), False


def _auto_register(rows: list[HubInbound]) -> None:
    setting = exchange_setting()
    letters = [r.letter for r in rows if r.letter is not None and r.state == HubInbound.State.IMPORTED]
    if not (setting.auto_register and setting.auto_register_as is not None and letters):
        return
    try:
        incoming_letters_register(actor=setting.auto_register_as, registry=central_registry(), letters=letters)
    except AppError as exc:
        log.warning("auto-registration of pulled letters failed: %s", exc.message)
        return
    HubInbound.objects.filter(pk__in=[r.pk for r in rows if r.letter in letters]).update(
        state=HubInbound.State.REGISTERED)


@dataclass
class PullReport:
    letters: int = 0
    notifiers: int = 0
    quarantined: int = 0
    errors: list[str] = field(default_factory=list)


def _cleanup(content: m.Item) -> None:
    if isinstance(content, m.CorrespondenceLetter):
        for obj in content.binaries():
            if obj.path is not None:
                obj.path.unlink(missing_ok=True)


def hub_pull(*, actor: User | None = None, limit: int = 200, client: HubClient | None = None) -> PullReport:
    """Pull our queue until it is empty (at most ``limit`` items): store each item, then delete it
    from the hub queue. A failure leaves the item queued at the hub; the next pull takes it again."""
    report = PullReport()
    client = client or hub_client()
    stored: list[HubInbound] = []
    try:
        for _ in range(limit):
            with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as raw:
                response = client.pull(raw_sink=raw)
                if response.item is None:
                    break
                raw.seek(0)
                evidence = raw.read()
            item = response.item
            try:
                row, new = inbound_item_store(item=item, evidence=evidence)
            finally:
                _cleanup(item.content)
            if new:
                stored.append(row)
                if row.state == HubInbound.State.QUARANTINED:
                    report.quarantined += 1
                elif row.letter_id is not None:
                    report.letters += 1
                else:
                    report.notifiers += 1
            _crash_point("before_dequeue")
            if row.dequeued_at is None:
                client.delete(row.process_id, message_id=row.delete_message_id)
                HubInbound.objects.filter(pk=row.pk).update(dequeued_at=timezone.now())
    except (requests.RequestException, AppError) as exc:  # AppError: ProtocolError, or no registry
        report.errors.append(_error_text(exc))
    finally:
        _auto_register(stored)
        with transaction.atomic():
            setting = exchange_setting()
            setting.last_pull_at = timezone.now()
            setting.last_pull_error = "; ".join(report.errors)[:500]
            setting.save(update_fields=["last_pull_at", "last_pull_error"])
            if actor is not None:
                audit_record(actor=actor, action="exchange.pull_requested", obj=setting,
                             summary=f"ดึงหนังสือจากระบบกลาง: หนังสือ {report.letters} ฉบับ แจ้งผล {report.notifiers} รายการ",
                             data={"letters": report.letters, "notifiers": report.notifiers,
                                   "errors": report.errors})
    return report


# ----- outcomes of our sent letters and the directory --------------------------------------------


_STATUS_STATE = {
    m.LetterStatus.DELIVERED: Delivery.State.DELIVERED,
    m.LetterStatus.RECEIVED: Delivery.State.DELIVERED,
    m.LetterStatus.ACCEPTED: Delivery.State.ACCEPTED,
    m.LetterStatus.REJECTED: Delivery.State.REJECTED,
    m.LetterStatus.INVALID: Delivery.State.REJECTED,
}


def sent_letters_check(*, client: HubClient | None = None, now: dt.datetime | None = None) -> int:
    """Ask the hub about our letters still without an outcome after ``undelivered_hours``: record what
    the hub knows, and report a letter its recipient never pulled as failed (the sender's problem list)."""
    now = now or timezone.now()
    overdue = now - dt.timedelta(hours=conf.undelivered_hours())
    lines = (HubOutbound.objects.select_related("delivery")
             .filter(kind=HubOutbound.Kind.LETTER, state=HubOutbound.State.SENT, sent_at__lt=overdue,
                     delivery__state__in=(Delivery.State.SENT, Delivery.State.DELIVERED))
             .filter(Q(outcome_checked_at__isnull=True) | Q(outcome_checked_at__lt=now - dt.timedelta(hours=1))))
    client = client or hub_client()
    changed = 0
    for line in lines[:100]:
        assert line.delivery is not None
        statuses = client.outbound_status(letter_id=line.hub_letter_id).statuses
        HubOutbound.objects.filter(pk=line.pk).update(outcome_checked_at=now)
        status = statuses[0] if statuses else None
        if status is None or status.status in (m.LetterStatus.SENT, m.LetterStatus.DELETED):
            delivery_record_outcome(delivery_id=line.delivery.pk, state=Delivery.State.FAILED,
                                    reason=f"ผู้รับยังไม่ได้ดึงหนังสือจากระบบกลางภายใน {conf.undelivered_hours()} ชั่วโมง")
            changed += 1
            continue
        state = _STATUS_STATE.get(status.status)
        if state is not None and state != line.delivery.state:
            delivery_record_outcome(delivery_id=line.delivery.pk, state=state, receive_number=status.accept_id or "",
                                    reason=status.description or ("ผู้รับปฏิเสธการรับ" if state == "rejected" else ""))
            changed += 1
    return changed


def directory_sync(*, client: HubClient | None = None) -> int:
    """Refresh the directory (names, ministries, published public keys) from the hub. A key loaded
    locally stays until the hub publishes one for that agency."""
    client = client or hub_client()
    entries = client.organizations().organizations
    with transaction.atomic():
        for org in entries:
            row, _ = DirectoryEntry.objects.get_or_create(org_id=org.id)
            row.name, row.ministry_id = org.name[:300], org.ministry_id or ""
            if org.public_key is not None:
                row.public_key_der, row.public_key_algorithm = org.public_key.der, org.public_key.algorithm
                row.key_source = DirectoryEntry.Source.HUB
            row.save()
        setting = exchange_setting()
        setting.last_directory_at = timezone.now()
        setting.save(update_fields=["last_directory_at"])
        audit_record(actor=None, action="exchange.directory_synced", obj=setting,
                     summary=f"ปรับปรุงทำเนียบหน่วยงานจากระบบกลาง {len(entries)} หน่วยงาน",
                     data={"count": len(entries)})
    return len(entries)


@dataclass(frozen=True)
class KeyInput:
    org_id: str
    public_key: str
    name: str = ""
    ministry_id: str = ""


def directory_keys_load(*, actor: User | None, keys: list[KeyInput]) -> int:
    """Load recipients' public keys the hub does not publish (all or nothing)."""
    parsed: list[tuple[KeyInput, bytes]] = []
    for k in keys:
        if not (k.org_id.isdigit() and len(k.org_id) == 10):
            raise ValidationError(f"รหัสหน่วยงานไม่ถูกต้อง: {k.org_id!r}", code="XCH-KEY-010")
        try:
            parsed.append((k, crypto.public_key_from_text(k.public_key)))
        except (ValueError, TypeError) as exc:
            raise ValidationError(f"กุญแจสาธารณะของ {k.org_id} ไม่ถูกต้อง: {exc}", code="XCH-KEY-011") from exc
    with transaction.atomic():
        for k, der in parsed:
            row, _ = DirectoryEntry.objects.get_or_create(org_id=k.org_id)
            row.public_key_der, row.public_key_algorithm = der, crypto.ALGORITHM
            row.key_source = DirectoryEntry.Source.LOCAL
            row.name = k.name[:300] or row.name
            row.ministry_id = k.ministry_id or row.ministry_id
            row.save()
            audit_record(actor=actor, action="exchange.key_loaded", obj=row,
                         summary=f"นำเข้ากุญแจสาธารณะของ {k.org_id}", data={"key_id": crypto.key_id(der)})
    return len(parsed)


@dataclass
class CycleReport:
    adopted: int = 0
    send: SendReport = field(default_factory=SendReport)
    pull: PullReport | None = None
    checked: int = 0
    errors: list[str] = field(default_factory=list)


def _due(last: dt.datetime | None, seconds: int, now: dt.datetime) -> bool:
    return last is None or now - last >= dt.timedelta(seconds=seconds)


def exchange_worker_cycle(*, stop: Callable[[], bool] | None = None, force_pull: bool = False) -> CycleReport:
    """One round: adopt, send what is due, pull when due, and the hourly and daily checks."""
    report = CycleReport()
    report.adopted = outbox_adopt()
    client = hub_client()
    setting = exchange_setting()
    now = timezone.now()
    if _due(setting.last_directory_at, conf.directory_interval_seconds(), now):
        try:
            directory_sync(client=client)
        except (requests.RequestException, ProtocolError) as exc:
            report.errors.append(f"directory: {exc}")
    report.send = outbox_send_due(client=client, stop=stop)
    if (force_pull or _due(setting.last_pull_at, conf.pull_interval_seconds(), now)) and not (stop and stop()):
        report.pull = hub_pull(client=client)
        report.adopted += outbox_adopt()
        send = outbox_send_due(client=client, stop=stop)  # answer what we just pulled at once
        report.send.sent += send.sent
        report.send.retrying += send.retrying
        report.send.failed += send.failed
    if _due(setting.last_status_at, conf.status_interval_seconds(), now):
        try:
            report.checked = sent_letters_check(client=client)
            ExchangeSetting.objects.filter(pk=1).update(last_status_at=now)
        except (requests.RequestException, ProtocolError) as exc:
            report.errors.append(f"status: {exc}")
    return report
