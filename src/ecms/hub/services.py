"""Every state change of the hub. Each runs in one transaction that also writes the letter's event.

State-changing requests are idempotent per (agency system, wsa:MessageID): the serialised response is
stored in the same transaction as the change, and a retry gets exactly those bytes back. The key is not
looked up before the change: a retry is recognised when its record collides with the stored one, or
when the change fails because the first copy already made it (see ``_commit_idempotent``).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import psycopg
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
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
from govcommon.errors import AppError, ValidationError
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


# ----- SQL of the hot paths -----
# Sending, pulling, acknowledging and deleting run on every exchange. On a small machine the ORM's
# query compilation costs more than PostgreSQL's work (about 1 ms for a simple .first(), 4 ms with
# three select_related joins on this project's 2-core bench machine), so these paths use plain
# parameterised SQL against the models' tables. Models still own the schema and every other read.

_LETTER = Letter._meta.db_table
_ITEM = QueueItem._meta.db_table
_EVENT = LetterEvent._meta.db_table
_IDEM = IdempotencyRecord._meta.db_table
_ORG = Organization._meta.db_table
_FILE = LetterFile._meta.db_table


def _sql(query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    db = connections[DEFAULT_DB_ALIAS]  # one look-up: each use of django.db.connection is another
    if db.vendor != "postgresql":
        with db.cursor() as cursor:
            cursor.execute(query, params)
            return list(cursor.fetchall()) if cursor.description else []
    # PostgreSQL: a plain psycopg cursor on Django's connection (so inside Django's transaction)
    # with server-side parameters: Django's cursor wrapper and client-side quoting cost more Python
    # than PostgreSQL spends on these statements. Such a cursor also lets psycopg prepare a
    # statement after a few runs (settings.ECMS_DB_PREPARED), which spares PostgreSQL the parse
    # and plan; Django's own cursors bind on the client and are never prepared.
    db.ensure_connection()
    with db.wrap_database_errors, psycopg.Cursor(db.connection) as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else []


def _insert(table: str, values: dict[str, Any]) -> int:
    query, params = _insert_write(table, values)
    rows = _sql(f"{query} RETURNING id", params)
    return int(rows[0][0])


Write = tuple[str, list[Any]]


def _insert_write(table: str, values: dict[str, Any]) -> Write:
    columns = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(values.values())  # noqa: S608


def _write_all(writes: list[Write]) -> None:
    """Run INSERTs and UPDATEs that do not depend on one another (none reads what another writes, no
    two touch the same row). On PostgreSQL they go as one statement, the others as data-modifying WITH
    clauses (each runs exactly once, to completion): one round trip and one prepared statement instead
    of one each. Elsewhere they run one by one."""
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql" or len(writes) < 2:
        for query, params in writes:
            _sql(query, params)
        return
    *first, (last_query, _) = writes
    clauses = ", ".join(f"w{index} AS ({query})" for index, (query, _) in enumerate(first))
    _sql(f"WITH {clauses} {last_query}", [param for _, params in writes for param in params])


def _lock(alias: str) -> str:
    """Row lock of the selected row of ``alias`` (SQLite needs none: its write lock is taken at BEGIN)."""
    return f" FOR UPDATE OF {alias}" if connection.features.has_select_for_update_of else ""


def _dt(moment: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


# ----- idempotency -----


def request_fingerprint(body: etree._Element, file_digests: list[str]) -> str:
    """What makes two requests "the same": the canonical body and the digests of its files."""
    digest = hashlib.sha256(etree.tostring(body, method="c14n", exclusive=True))
    for file_digest in file_digests:
        digest.update(file_digest.encode())
    return digest.hexdigest()


def _replay(caller: Caller, message_id: str, operation: str, fingerprint: str) -> bytes | None:
    rows = _sql(
        f"SELECT operation, request_sha256, response FROM {_IDEM} WHERE system_id = %s AND message_id = %s",  # noqa: S608
        [caller.system_id, message_id],
    )
    if not rows:
        return None
    if rows[0][0] != operation or rows[0][1] != fingerprint:
        raise IdempotencyConflictError()
    return bytes(rows[0][2])


def _replayed_or_raise(
    error: Exception, caller: Caller, message_id: str, operation: str, fingerprint: str
) -> bytes:
    """After ``error``: the stored answer if this key was answered before (``ECMS-IDEM-001`` if it was
    answered for another request), else ``error`` itself."""
    replayed = _replay(caller, message_id, operation, fingerprint)
    if replayed is None:
        raise error
    return replayed


def _commit_idempotent(
    caller: Caller,
    message_id: str,
    operation: str,
    fingerprint: str,
    action: Callable[[list[Write]], m.Response],
) -> bytes:
    """Run ``action`` and store its answer under the request's key, in one transaction.

    ``action`` may append writes (its event, queue items…) to the list it gets: they are sent with
    the idempotency record in one statement on PostgreSQL (``_write_all``).

    Most requests are new, so the key is not looked up first (that was one query per request). A
    retry runs the action again inside the transaction and is rolled back: its record collides with
    the stored one (``IntegrityError``, also when two copies race), or the action refuses because the
    first copy already changed the state (an ``AppError`` such as ``ECMS-STATE-001``). Either way the
    stored answer is returned, and a reused key with another request gets ``ECMS-IDEM-001``.
    """
    try:
        with transaction.atomic():
            writes: list[Write] = []
            response = action(writes)
            body = soap.envelope_bytes(
                response,
                addressing=soap.Addressing(
                    relates_to=message_id, action=f"{soap.ACTION_PREFIX}{operation}Response"
                ),
            )
            writes.append(
                _insert_write(
                    _IDEM,
                    {
                        "system_id": caller.system_id,
                        "message_id": message_id,
                        "operation": operation,
                        "request_sha256": fingerprint,
                        "response": body,
                        "created_at": _dt(timezone.now()),
                    },
                )
            )
            _write_all(writes)
    except (IntegrityError, AppError) as error:
        return _replayed_or_raise(error, caller, message_id, operation, fingerprint)
    return body


def _event(letter_pk: int, kind: str, caller: Caller | None, message_id: str, now: datetime, **data: str) -> Write:
    """The INSERT of the letter's event (for ``_write_all``)."""
    return _insert_write(
        _EVENT,
        {
            "letter_id": letter_pk,
            "kind": kind,
            "system_id": caller.system_id if caller else None,
            "message_id": message_id,
            "data": json.dumps(data, ensure_ascii=False),
            "created_at": _dt(now),
        },
    )


# ----- sending a letter -----


@dataclass(frozen=True)
class _Org:
    pk: int
    org_id: str
    ministry_org_id: str | None


def _departments(*org_ids: str) -> dict[str, _Org]:
    rows = _sql(
        f"SELECT o.id, o.org_id, m.org_id FROM {_ORG} o LEFT JOIN {_ORG} m ON m.id = o.ministry_id "  # noqa: S608
        f"WHERE o.org_id IN ({', '.join(['%s'] * len(org_ids))}) AND o.kind = %s AND o.active",
        [*org_ids, Organization.Kind.DEPARTMENT.value],
    )
    return {row[1]: _Org(*row) for row in rows}


def _letter_parties(caller: Caller, letter: m.CorrespondenceLetter) -> tuple[_Org, _Org]:
    found = _departments(caller.org_id, letter.receiver.department_id)
    sender = found.get(caller.org_id)
    if sender is None or sender.pk != caller.organization_id:
        raise AgencyNotAllowedError()
    if letter.sender.department_id != sender.org_id or (
        sender.ministry_org_id is not None and letter.sender.ministry_id != sender.ministry_org_id
    ):
        raise SenderMismatchError(
            f"ผู้ส่ง {letter.sender.ministry_id}/{letter.sender.department_id} ไม่ใช่หน่วยงานของระบบ ({sender.org_id})"
        )
    receiver = found.get(letter.receiver.department_id)
    wrong_ministry = receiver is not None and receiver.ministry_org_id not in (None, letter.receiver.ministry_id)
    if receiver is None or wrong_ministry:
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
    try:
        sender, receiver = _letter_parties(caller, letter)
        codec.check_letter_files(letter)
    except AppError as error:
        return _replayed_or_raise(error, caller, message_id, operation, fingerprint)
    content_store = store()
    for obj in letter.binaries():
        if obj.path is None or obj.sha256 is None:
            raise ValueError("files must be spooled before letter_send")
        obj.path = content_store.put(obj.path, obj.sha256)
    document_xml = _document_xml(letter)

    def action(writes: list[Write]) -> m.OutboundResponse:
        now = timezone.now()
        letter_id = new_id()
        letter_pk = _insert(
            _LETTER,
            {
                "letter_id": letter_id,
                "sender_id": sender.pk,
                "receiver_id": receiver.pk,
                "sender_system_id": caller.system_id,
                "doc_id": letter.id,
                "correspondence_date": connection.ops.adapt_datefield_value(letter.correspondence_date),
                "subject": letter.subject,
                "secret_code": letter.secret_code,
                "speed_code": letter.speed_code,
                "document_xml": document_xml,
                "status": S.SENT.value,
                "status_changed_at": _dt(now),
                "accept_id": "",
                "status_reason": "",
                "created_at": _dt(now),
            },
        )
        for position, obj in enumerate(letter.binaries()):
            writes.append(
                _insert_write(
                    _FILE,
                    {
                        "letter_id": letter_pk,
                        "position": position,
                        "file_name": obj.file_name or "",
                        "mime_code": obj.mime_code,
                        "size": obj.size or 0,
                        "sha256": obj.sha256 or "",
                    },
                )
            )
        process_id = _queue(writes, receiver.pk, letter_pk, m.ItemType.GOVERNMENT_DOCUMENT, now)
        writes.append(
            _event(
                letter_pk, LetterEvent.Kind.SENT, caller, message_id, now, process_id=process_id,
                receiver=receiver.org_id,
            )
        )
        return m.OutboundResponse(process_id=process_id, process_time=process_time(now), letter_id=letter_id)

    return _commit_idempotent(caller, message_id, operation, fingerprint, action)


def _queue(
    writes: list[Write],
    owner_pk: int,
    letter_pk: int,
    item_type: m.ItemType,
    now: datetime,
    accept_id: str = "",
    description: str = "",
) -> str:
    """Queue an item for ``owner_pk`` (its INSERT appended to ``writes``); returns its ProcessID."""
    process_id = new_id()
    item = {
        "process_id": process_id,
        "owner_id": owner_pk,
        "letter_id": letter_pk,
        "item_type": item_type.value,
        "accept_id": accept_id,
        "description": description,
        "created_at": _dt(now),
    }
    writes.append(_insert_write(_ITEM, item))
    return process_id


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
    rule = _NOTIFIER_RULES[notifier.kind]

    def action(writes: list[Write]) -> m.OutboundResponse:
        now = timezone.now()
        rows = _sql(
            f"SELECT l.id, l.sender_id, l.receiver_id, l.correspondence_date, l.status, l.accept_id, l.status_reason "  # noqa: S608
            f"FROM {_LETTER} l WHERE l.letter_id = %s{_lock('l')}",
            [notifier.letter_id],
        )
        if not rows:
            raise LetterNotFoundError()
        letter_pk, sender_pk, receiver_pk, corr_date, status, accept_id, reason = rows[0]
        own, other = (receiver_pk, sender_pk) if rule.by_receiver else (sender_pk, receiver_pk)
        if own != caller.organization_id or _date(corr_date) != notifier.correspondence_date:
            raise LetterNotFoundError()
        if status not in rule.from_states:
            raise LetterStateError(f"หนังสืออยู่ในสถานะ {status} จึงรับ {notifier.kind.value} ไม่ได้")
        if notifier.kind is m.ItemType.ACCEPT:
            accept_id = notifier.accept_id or ""
        elif notifier.kind is m.ItemType.INVALID_ACCEPT_ID:
            accept_id = ""
        if notifier.kind in (m.ItemType.REJECT, m.ItemType.INVALID, m.ItemType.INVALID_ACCEPT_ID):
            reason = notifier.description or ""
        writes.append((
            f"UPDATE {_LETTER} SET status = %s, status_changed_at = %s, accept_id = %s, status_reason = %s "  # noqa: S608
            "WHERE id = %s",
            [rule.to_state, _dt(now), accept_id, reason, letter_pk],
        ))
        process_id = _queue(
            writes, other, letter_pk, notifier.kind, now, notifier.accept_id or "", notifier.description or ""
        )
        extra = {"accept_id": notifier.accept_id} if notifier.accept_id else {}
        if notifier.description:
            extra["reason"] = notifier.description
        writes.append(_event(letter_pk, rule.event, caller, message_id, now, process_id=process_id, **extra))
        return m.OutboundResponse(process_id=process_id, process_time=process_time(now), letter_id=notifier.letter_id)

    return _commit_idempotent(caller, message_id, operation, fingerprint, action)


# ----- queues -----


@dataclass(frozen=True)
class ItemRow:
    """What a queue item delivers: its own fields and those of its letter."""

    process_id: str
    item_type: str
    accept_id: str
    description: str
    letter_id: str
    correspondence_date: date
    subject: str
    document_xml: str
    sender_org_id: str
    receiver_org_id: str

    @classmethod
    def of(cls, item: QueueItem) -> ItemRow:
        letter = item.letter
        return cls(
            item.process_id, item.item_type, item.accept_id, item.description, letter.letter_id,
            letter.correspondence_date, letter.subject, letter.document_xml, letter.sender.org_id,
            letter.receiver.org_id,
        )


def _resolver(el: etree._Element) -> m.BinaryObject:
    sha = el.get("sha256", "")
    return m.BinaryObject(
        mime_code=el.get("mimeCode", ""),
        file_name=el.get("fileName"),
        size=int(el.get("size", "0")),
        sha256=sha,
        path=store().path_for(sha),
    )


def letter_content(document_xml: str) -> m.CorrespondenceLetter:
    """The stored letter, with its files pointing into the content store."""
    wrapper = etree.Element(ns.gd(m.OutboundRequest.ELEMENT))
    wrapper.append(etree.fromstring(document_xml.encode(), hardened_parser()))
    request = codec.parse(wrapper, check_schema=False, resolver=_resolver)
    assert isinstance(request, m.OutboundRequest) and isinstance(request.item, m.CorrespondenceLetter)
    return request.item


def queue_item_content(row: ItemRow) -> m.InboundItem:
    content: m.Item
    if row.item_type == m.ItemType.GOVERNMENT_DOCUMENT:
        content = letter_content(row.document_xml)
    else:
        content = m.Notifier(
            kind=m.ItemType(row.item_type),
            letter_id=row.letter_id,
            correspondence_date=row.correspondence_date,
            subject=row.subject,
            accept_id=row.accept_id or None,
            description=row.description or None,
        )
    return m.InboundItem(
        process_id=row.process_id,
        letter_id=row.letter_id,
        sender_department=row.sender_org_id,
        accept_department=row.receiver_org_id,
        content=content,
    )


_WAITING = f"SELECT COUNT(*) FROM {_ITEM} WHERE owner_id = %s AND deleted_at IS NULL"  # noqa: S608


def waiting_items(organization_id: int) -> int:
    rows = _sql(_WAITING, [organization_id])
    return int(rows[0][0])


def queue_pull(*, caller: Caller, message_id: str) -> m.InboundResponse:
    """The oldest item waiting for the caller. Pulling does not remove it: delete it once stored.

    The first pull of a letter marks it DELIVERED. Pulling again (a retry) returns the same item.
    """
    with transaction.atomic():
        now = timezone.now()
        rows = _sql(
            f"SELECT q.id, q.first_pulled_at, q.process_id, q.item_type, q.accept_id, q.description, "  # noqa: S608
            f"l.id, l.letter_id, l.correspondence_date, l.subject, l.document_xml, s.org_id, r.org_id, "
            f"({_WAITING}) "
            f"FROM {_ITEM} q JOIN {_LETTER} l ON l.id = q.letter_id "
            f"JOIN {_ORG} s ON s.id = l.sender_id JOIN {_ORG} r ON r.id = l.receiver_id "
            f"WHERE q.owner_id = %s AND q.deleted_at IS NULL ORDER BY q.id LIMIT 1{_lock('q')}",
            [caller.organization_id, caller.organization_id],
        )
        if not rows:
            return m.InboundResponse(process_time=process_time(now), queue_length=0)
        item_pk, first_pulled_at, process_id, item_type, accept_id, description = rows[0][:6]
        letter_pk, letter_id, corr_date, subject, document_xml, sender_org, receiver_org, length = rows[0][6:]
        if first_pulled_at is None:
            writes: list[Write] = [
                (f"UPDATE {_ITEM} SET first_pulled_at = %s WHERE id = %s", [_dt(now), item_pk]),  # noqa: S608
            ]
            if item_type == m.ItemType.GOVERNMENT_DOCUMENT:
                writes.append((
                    f"UPDATE {_LETTER} SET status = %s, status_changed_at = %s WHERE id = %s AND status = %s",  # noqa: S608
                    [S.DELIVERED.value, _dt(now), letter_pk, S.SENT.value],
                ))
            writes.append(_event(
                letter_pk, LetterEvent.Kind.PULLED, caller, message_id, now, process_id=process_id, item_type=item_type
            ))
            _write_all(writes)
    row = ItemRow(
        process_id, item_type, accept_id, description, letter_id, _date(corr_date), subject, document_xml,
        sender_org, receiver_org,
    )
    return m.InboundResponse(
        process_time=process_time(now), queue_length=int(length), item=queue_item_content(row)
    )


def queue_item_delete(*, caller: Caller, process_id: str, message_id: str, fingerprint: str) -> bytes:
    """Remove an item from the caller's queue once the caller has stored it."""
    operation = "CorrespondenceLetterDelete"

    def action(writes: list[Write]) -> m.DeleteResponse:
        now = timezone.now()
        rows = _sql(
            f"SELECT q.id, q.letter_id, q.item_type, q.deleted_at FROM {_ITEM} q "  # noqa: S608
            f"WHERE q.process_id = %s AND q.owner_id = %s{_lock('q')}",
            [process_id, caller.organization_id],
        )
        if not rows:
            raise QueueItemNotFoundError()
        item_pk, letter_pk, item_type, deleted_at = rows[0]
        if deleted_at is None:
            writes.append((f"UPDATE {_ITEM} SET deleted_at = %s WHERE id = %s", [_dt(now), item_pk]))  # noqa: S608
            kind = LetterEvent.Kind.DEQUEUED
            writes.append(_event(letter_pk, kind, caller, message_id, now, process_id=process_id, item_type=item_type))
        return m.DeleteResponse(process_id=process_id, process_time=process_time(now))

    return _commit_idempotent(caller, message_id, operation, fingerprint, action)


def letter_delete(
    *, caller: Caller, request: m.DeleteGovernmentDocumentRequest, message_id: str, fingerprint: str
) -> bytes:
    """The sender withdraws a letter: before the receiver pulled it, or after a reject/invalid notice."""
    operation = "CorrespondenceDeleteGovernmentDocument"

    def action(writes: list[Write]) -> m.DeleteGovernmentDocumentResponse:
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
        writes.append(
            _event(letter.pk, LetterEvent.Kind.DELETED, caller, message_id, now, process_id=pid, removed=str(removed))
        )
        return m.DeleteGovernmentDocumentResponse(
            process_id=pid, process_time=process_time(now), letter_id=letter.letter_id
        )

    return _commit_idempotent(caller, message_id, operation, fingerprint, action)


ACCEPTED_KEY_ALGORITHMS = ("RSA-OAEP-SHA256",)


def organization_public_key_set(*, org_id: str, key_der: bytes, algorithm: str = "RSA-OAEP-SHA256") -> None:
    """Publish an agency's public key in the directory, for letters encrypted end to end to it
    (ลับ, ลับมาก). Only RSA keys of at least 2048 bits are accepted."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    if algorithm not in ACCEPTED_KEY_ALGORITHMS:
        raise ValidationError(f"ไม่รองรับอัลกอริทึม {algorithm}", code="ECMS-KEY-001")
    try:
        key = load_der_public_key(key_der)
    except ValueError as exc:
        raise ValidationError("กุญแจสาธารณะไม่ใช่ DER SubjectPublicKeyInfo ที่อ่านได้", code="ECMS-KEY-002") from exc
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise ValidationError("ต้องเป็นกุญแจ RSA ขนาดอย่างน้อย 2048 บิต", code="ECMS-KEY-003")
    with transaction.atomic():
        updated = Organization.objects.filter(org_id=org_id).update(
            public_key_der=key_der, public_key_algorithm=algorithm
        )
    if not updated:
        raise ValidationError(f"ไม่พบหน่วยงานรหัส {org_id} ในสารบบ", code="ECMS-KEY-004")
