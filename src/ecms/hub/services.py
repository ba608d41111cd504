"""Every state change of the hub. Each runs in one transaction that also writes the letter's event.

State-changing requests are idempotent per (agency system, wsa:MessageID): the serialised response is
stored in the same transaction as the change, and a retry gets exactly those bytes back.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from lxml import etree  # type: ignore[import-untyped]  # no stubs pinned for lxml

from ecms.hub.models import (
    AgencySystem,
    IdempotencyRecord,
    Letter,
    LetterEvent,
    LetterFile,
    Organization,
    QueueItem,
)
from ecms.hub.storage import store
from thegif import codec, ns, soap
from thegif import messages as m
from thegif.errors import (
    AgencyNotAllowedError,
    AuthFailedError,
    IdempotencyConflictError,
    LetterNotFoundError,
    LetterStateError,
    QueueItemNotFoundError,
    SenderMismatchError,
    UnknownAgencyError,
)
from thegif.xmlsafe import hardened_parser

S = m.LetterStatus
T = TypeVar("T")


@dataclass(frozen=True)
class Caller:
    """An authenticated agency system and the organisation it speaks for."""

    system_id: int
    username: str
    organization_id: int
    org_id: str


def new_id() -> str:
    return uuid.uuid4().hex


def process_time(moment: datetime | None = None) -> datetime:
    return timezone.localtime(moment or timezone.now())


# ----- agency systems and authentication -----


def agency_system_create(*, org_id: str, username: str, password: str) -> AgencySystem:
    with transaction.atomic():
        org = Organization.objects.filter(org_id=org_id, kind=Organization.Kind.DEPARTMENT).first()
        if org is None:
            raise UnknownAgencyError(f"ไม่รู้จักหน่วยงาน {org_id}")
        system, _ = AgencySystem.objects.update_or_create(
            username=username,
            defaults={"organization": org, "password_hash": make_password(password), "active": True},
        )
    _auth_cache_clear()
    return system


_auth_cache: dict[tuple[str, str], tuple[Caller, float]] = {}
_auth_lock = threading.Lock()
_DUMMY_HASH: list[str] = []


def _auth_cache_clear() -> None:
    with _auth_lock:
        _auth_cache.clear()


def agency_authenticate(*, username: str, password: str) -> Caller:
    """Check an agency system's credentials.

    Password hashes are slow on purpose (argon2); a successful check is remembered in this worker for
    ``ECMS_AUTH_CACHE_SECONDS`` under a SHA-256 of the password, so that a busy agency system does not
    pay for a hash on every request.
    """
    key = (username, hashlib.sha256(password.encode()).hexdigest())
    now = time.monotonic()
    with _auth_lock:
        cached = _auth_cache.get(key)
    if cached is not None and cached[1] > now:
        return cached[0]
    system = (
        AgencySystem.objects.select_related("organization").filter(username=username, active=True).first()
    )
    if system is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(make_password("not-a-real-password"))
        check_password(password, _DUMMY_HASH[0])  # same work as a real check: no user enumeration
        raise AuthFailedError()
    if not check_password(password, system.password_hash):
        raise AuthFailedError()
    org = system.organization
    allowed = settings.ECMS_ALLOWED_AGENCIES
    if not org.active or (allowed and org.org_id not in allowed):
        raise AgencyNotAllowedError()
    caller = Caller(system_id=system.pk, username=system.username, organization_id=org.pk, org_id=org.org_id)
    with _auth_lock:
        _auth_cache[key] = (caller, now + settings.ECMS_AUTH_CACHE_SECONDS)
    return caller


# ----- directory -----


@dataclass(frozen=True)
class DirectoryEntry:
    org_id: str
    name: str
    short_name: str
    kind: str
    ministry_org_id: str | None


def directory_load(*, entries: list[DirectoryEntry]) -> int:
    """Create or update organisations (ministries first). Returns how many were written."""
    with transaction.atomic():
        ordered = sorted(entries, key=lambda e: e.kind != Organization.Kind.MINISTRY)
        for entry in ordered:
            ministry = None
            if entry.ministry_org_id:
                ministry = Organization.objects.get(org_id=entry.ministry_org_id, kind=Organization.Kind.MINISTRY)
            Organization.objects.update_or_create(
                org_id=entry.org_id,
                defaults={
                    "name": entry.name,
                    "short_name": entry.short_name,
                    "kind": entry.kind,
                    "ministry": ministry,
                    "active": True,
                },
            )
    return len(entries)


# ----- idempotency -----


def request_fingerprint(body: etree._Element, file_digests: list[str]) -> str:
    """What makes two requests "the same": the canonical body and the digests of its files."""
    digest = hashlib.sha256(etree.tostring(body, method="c14n", exclusive=True))
    for file_digest in file_digests:
        digest.update(file_digest.encode())
    return digest.hexdigest()


def _replay(caller: Caller, message_id: str, operation: str, fingerprint: str) -> bytes | None:
    record = IdempotencyRecord.objects.filter(system_id=caller.system_id, message_id=message_id).first()
    if record is None:
        return None
    if record.operation != operation or record.request_sha256 != fingerprint:
        raise IdempotencyConflictError()
    return bytes(record.response)


def _commit_idempotent(
    caller: Caller,
    message_id: str,
    operation: str,
    fingerprint: str,
    action: Callable[[], m.Response],
) -> bytes:
    try:
        with transaction.atomic():
            response = action()
            body = soap.envelope_bytes(
                response,
                addressing=soap.Addressing(
                    relates_to=message_id, action=f"{soap.ACTION_PREFIX}{operation}Response"
                ),
            )
            IdempotencyRecord.objects.create(
                system_id=caller.system_id,
                message_id=message_id,
                operation=operation,
                request_sha256=fingerprint,
                response=body,
                created_at=timezone.now(),
            )
    except IntegrityError:
        # the same MessageID committed concurrently: answer what that request answered
        replayed = _replay(caller, message_id, operation, fingerprint)
        if replayed is None:
            raise
        return replayed
    return body


def _event(letter: Letter, kind: str, caller: Caller | None, message_id: str, now: datetime, **data: str) -> None:
    LetterEvent.objects.create(
        letter=letter,
        kind=kind,
        system_id=caller.system_id if caller else None,
        message_id=message_id,
        data=data,
        created_at=now,
    )


# ----- sending a letter -----


def _letter_parties(caller: Caller, letter: m.CorrespondenceLetter) -> tuple[Organization, Organization]:
    sender = Organization.objects.select_related("ministry").get(pk=caller.organization_id)
    if letter.sender.department_id != sender.org_id or (
        sender.ministry is not None and letter.sender.ministry_id != sender.ministry.org_id
    ):
        raise SenderMismatchError(
            f"ผู้ส่ง {letter.sender.ministry_id}/{letter.sender.department_id} ไม่ใช่หน่วยงานของระบบ ({sender.org_id})"
        )
    receiver = (
        Organization.objects.select_related("ministry")
        .filter(org_id=letter.receiver.department_id, kind=Organization.Kind.DEPARTMENT, active=True)
        .first()
    )
    if receiver is None or (receiver.ministry is not None and receiver.ministry.org_id != letter.receiver.ministry_id):
        raise UnknownAgencyError(
            f"ไม่รู้จักหน่วยงานผู้รับ {letter.receiver.ministry_id}/{letter.receiver.department_id}"
        )
    allowed = settings.ECMS_ALLOWED_AGENCIES
    if allowed and receiver.org_id not in allowed:
        raise AgencyNotAllowedError(f"หน่วยงานผู้รับ {receiver.org_id} ไม่ได้รับอนุญาตในสภาพแวดล้อมนี้")
    return sender, receiver


def _document_xml(letter: m.CorrespondenceLetter) -> str:
    body, _ = codec.build(m.OutboundRequest(item=letter))
    document = body[0]
    return str(etree.tostring(document, encoding="unicode"))


def letter_send(*, caller: Caller, letter: m.CorrespondenceLetter, message_id: str, fingerprint: str) -> bytes:
    """Accept a letter: check it, store its files durably, record it and queue it for the receiver."""
    operation = "CorrespondenceLetterOutbound"
    replayed = _replay(caller, message_id, operation, fingerprint)
    if replayed is not None:
        return replayed
    sender, receiver = _letter_parties(caller, letter)
    codec.check_letter_files(letter)
    content_store = store()
    for obj in letter.binaries():
        if obj.path is None or obj.sha256 is None:
            raise ValueError("files must be spooled before letter_send")
        obj.path = content_store.put(obj.path, obj.sha256)
    document_xml = _document_xml(letter)

    def action() -> m.OutboundResponse:
        now = timezone.now()
        row = Letter.objects.create(
            letter_id=new_id(),
            sender=sender,
            receiver=receiver,
            sender_system_id=caller.system_id,
            doc_id=letter.id,
            correspondence_date=letter.correspondence_date,
            subject=letter.subject,
            secret_code=letter.secret_code,
            speed_code=letter.speed_code,
            document_xml=document_xml,
            status=S.SENT,
            status_changed_at=now,
            created_at=now,
        )
        LetterFile.objects.bulk_create(
            LetterFile(
                letter=row,
                position=position,
                file_name=obj.file_name or "",
                mime_code=obj.mime_code,
                size=obj.size or 0,
                sha256=obj.sha256 or "",
            )
            for position, obj in enumerate(letter.binaries())
        )
        item = QueueItem.objects.create(
            process_id=new_id(),
            owner=receiver,
            letter=row,
            item_type=m.ItemType.GOVERNMENT_DOCUMENT,
            created_at=now,
        )
        _event(
            row, LetterEvent.Kind.SENT, caller, message_id, now, process_id=item.process_id, receiver=receiver.org_id
        )
        return m.OutboundResponse(process_id=item.process_id, process_time=process_time(now), letter_id=row.letter_id)

    return _commit_idempotent(caller, message_id, operation, fingerprint, action)


# ----- notifiers -----


@dataclass(frozen=True)
class _Rule:
    by_receiver: bool
    from_states: frozenset[str]
    to_state: str
    event: str


_NOTIFIER_RULES: dict[m.ItemType, _Rule] = {
    m.ItemType.RECEIVE: _Rule(True, frozenset({S.DELIVERED}), S.RECEIVED, LetterEvent.Kind.RECEIVED),
    m.ItemType.ACCEPT: _Rule(True, frozenset({S.DELIVERED, S.RECEIVED}), S.ACCEPTED, LetterEvent.Kind.ACCEPTED),
    m.ItemType.REJECT: _Rule(True, frozenset({S.DELIVERED, S.RECEIVED}), S.REJECTED, LetterEvent.Kind.REJECTED),
    m.ItemType.INVALID: _Rule(True, frozenset({S.DELIVERED, S.RECEIVED}), S.INVALID, LetterEvent.Kind.INVALID),
    m.ItemType.INVALID_ACCEPT_ID: _Rule(
        False, frozenset({S.ACCEPTED}), S.RECEIVED, LetterEvent.Kind.INVALID_ACCEPT_ID
    ),
}


def notifier_send(*, caller: Caller, notifier: m.Notifier, message_id: str, fingerprint: str) -> bytes:
    """A recipient's (or, for InvalidAcceptIDNotifier, the sender's) notice about a letter."""
    operation = "CorrespondenceLetterOutbound"
    replayed = _replay(caller, message_id, operation, fingerprint)
    if replayed is not None:
        return replayed
    rule = _NOTIFIER_RULES[notifier.kind]

    def action() -> m.OutboundResponse:
        now = timezone.now()
        letter = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("sender", "receiver")
            .filter(letter_id=notifier.letter_id)
            .first()
        )
        if letter is None:
            raise LetterNotFoundError()
        own, other = (letter.receiver, letter.sender) if rule.by_receiver else (letter.sender, letter.receiver)
        if own.pk != caller.organization_id or letter.correspondence_date != notifier.correspondence_date:
            raise LetterNotFoundError()
        if letter.status not in rule.from_states:
            raise LetterStateError(f"หนังสืออยู่ในสถานะ {letter.status} จึงรับ {notifier.kind.value} ไม่ได้")
        letter.status = rule.to_state
        letter.status_changed_at = now
        if notifier.kind is m.ItemType.ACCEPT:
            letter.accept_id = notifier.accept_id or ""
        elif notifier.kind is m.ItemType.INVALID_ACCEPT_ID:
            letter.accept_id = ""
        if notifier.kind in (m.ItemType.REJECT, m.ItemType.INVALID, m.ItemType.INVALID_ACCEPT_ID):
            letter.status_reason = notifier.description or ""
        letter.save(update_fields=["status", "status_changed_at", "accept_id", "status_reason"])
        item = QueueItem.objects.create(
            process_id=new_id(),
            owner=other,
            letter=letter,
            item_type=notifier.kind,
            accept_id=notifier.accept_id or "",
            description=notifier.description or "",
            created_at=now,
        )
        extra = {"accept_id": notifier.accept_id} if notifier.accept_id else {}
        if notifier.description:
            extra["reason"] = notifier.description
        _event(letter, rule.event, caller, message_id, now, process_id=item.process_id, **extra)
        return m.OutboundResponse(
            process_id=item.process_id, process_time=process_time(now), letter_id=letter.letter_id
        )

    return _commit_idempotent(caller, message_id, operation, fingerprint, action)


# ----- queues -----


def _resolver(el: etree._Element) -> m.BinaryObject:
    sha = el.get("sha256", "")
    return m.BinaryObject(
        mime_code=el.get("mimeCode", ""),
        file_name=el.get("fileName"),
        size=int(el.get("size", "0")),
        sha256=sha,
        path=store().path_for(sha),
    )


def letter_content(letter: Letter) -> m.CorrespondenceLetter:
    """The stored letter, with its files pointing into the content store."""
    wrapper = etree.Element(ns.gd(m.OutboundRequest.ELEMENT))
    wrapper.append(etree.fromstring(letter.document_xml.encode(), hardened_parser()))
    request = codec.parse(wrapper, check_schema=False, resolver=_resolver)
    assert isinstance(request, m.OutboundRequest) and isinstance(request.item, m.CorrespondenceLetter)
    return request.item


def queue_item_content(item: QueueItem) -> m.InboundItem:
    letter = item.letter
    content: m.Item
    if item.item_type == m.ItemType.GOVERNMENT_DOCUMENT:
        content = letter_content(letter)
    else:
        content = m.Notifier(
            kind=m.ItemType(item.item_type),
            letter_id=letter.letter_id,
            correspondence_date=letter.correspondence_date,
            subject=letter.subject,
            accept_id=item.accept_id or None,
            description=item.description or None,
        )
    return m.InboundItem(
        process_id=item.process_id,
        letter_id=letter.letter_id,
        sender_department=letter.sender.org_id,
        accept_department=letter.receiver.org_id,
        content=content,
    )


def waiting_items(organization_id: int) -> int:
    return QueueItem.objects.filter(owner_id=organization_id, deleted_at__isnull=True).count()


def queue_pull(*, caller: Caller, message_id: str) -> m.InboundResponse:
    """The oldest item waiting for the caller. Pulling does not remove it: delete it once stored.

    The first pull of a letter marks it DELIVERED. Pulling again (a retry) returns the same item.
    """
    with transaction.atomic():
        now = timezone.now()
        item = (
            QueueItem.objects.select_for_update(of=("self",))
            .select_related("letter", "letter__sender", "letter__receiver")
            .filter(owner_id=caller.organization_id, deleted_at__isnull=True)
            .order_by("id")
            .first()
        )
        if item is None:
            return m.InboundResponse(process_time=process_time(now), queue_length=0)
        if item.first_pulled_at is None:
            item.first_pulled_at = now
            item.save(update_fields=["first_pulled_at"])
            if item.item_type == m.ItemType.GOVERNMENT_DOCUMENT:
                Letter.objects.filter(pk=item.letter_id, status=S.SENT).update(
                    status=S.DELIVERED, status_changed_at=now
                )
            _event(
                item.letter, LetterEvent.Kind.PULLED, caller, message_id, now,
                process_id=item.process_id, item_type=item.item_type,
            )
        length = waiting_items(caller.organization_id)
    return m.InboundResponse(process_time=process_time(now), queue_length=length, item=queue_item_content(item))


def queue_item_delete(*, caller: Caller, process_id: str, message_id: str, fingerprint: str) -> bytes:
    """Remove an item from the caller's queue once the caller has stored it."""
    operation = "CorrespondenceLetterDelete"
    replayed = _replay(caller, message_id, operation, fingerprint)
    if replayed is not None:
        return replayed

    def action() -> m.DeleteResponse:
        now = timezone.now()
        item = (
            QueueItem.objects.select_for_update(of=("self",))
            .select_related("letter")
            .filter(process_id=process_id, owner_id=caller.organization_id)
            .first()
        )
        if item is None:
            raise QueueItemNotFoundError()
        if item.deleted_at is None:
            item.deleted_at = now
            item.save(update_fields=["deleted_at"])
            _event(
                item.letter, LetterEvent.Kind.DEQUEUED, caller, message_id, now,
                process_id=item.process_id, item_type=item.item_type,
            )
        return m.DeleteResponse(process_id=process_id, process_time=process_time(now))

    return _commit_idempotent(caller, message_id, operation, fingerprint, action)


def letter_delete(
    *, caller: Caller, request: m.DeleteGovernmentDocumentRequest, message_id: str, fingerprint: str
) -> bytes:
    """The sender withdraws a letter: before the receiver pulled it, or after a reject/invalid notice."""
    operation = "CorrespondenceDeleteGovernmentDocument"
    replayed = _replay(caller, message_id, operation, fingerprint)
    if replayed is not None:
        return replayed

    def action() -> m.DeleteGovernmentDocumentResponse:
        now = timezone.now()
        letter = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("sender", "receiver")
            .filter(letter_id=request.letter_id)
            .first()
        )
        if (
            letter is None
            or letter.sender_id != caller.organization_id
            or letter.sender.org_id != request.sender_department
            or letter.receiver.org_id != request.accept_department
            or letter.correspondence_date != request.correspondence_date
        ):
            raise LetterNotFoundError()
        if letter.status not in (S.SENT, S.REJECTED, S.INVALID):
            raise LetterStateError(f"หนังสืออยู่ในสถานะ {letter.status} จึงลบไม่ได้")
        removed = QueueItem.objects.filter(letter=letter, owner=letter.receiver, deleted_at__isnull=True).update(
            deleted_at=now
        )
        letter.status = S.DELETED
        letter.status_changed_at = now
        letter.save(update_fields=["status", "status_changed_at"])
        pid = new_id()
        _event(letter, LetterEvent.Kind.DELETED, caller, message_id, now, process_id=pid, removed=str(removed))
        return m.DeleteGovernmentDocumentResponse(
            process_id=pid, process_time=process_time(now), letter_id=letter.letter_id
        )

    return _commit_idempotent(caller, message_id, operation, fingerprint, action)
