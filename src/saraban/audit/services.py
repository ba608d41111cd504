"""Writing and verifying the audit trail."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import connection, models
from django.utils import timezone

from saraban.audit.hashing import GENESIS_HASH, record_hash
from saraban.audit.models import AuditChainHead, AuditRecord


class _Actor(Protocol):
    pk: Any

    def get_username(self) -> str: ...


# Texts an audit record must not keep about an object (the sealed text of a secret letter): each app
# registers a function in its AppConfig.ready(); the texts are replaced in the summary and the data.
Redactor = Callable[[models.Model], Sequence[str]]
_redactors: list[Redactor] = []
REDACTED = "(ข้อความลับ)"
MIN_REDACTED_CHARS = 3


def redactor_register(fn: Redactor) -> None:
    if fn not in _redactors:
        _redactors.append(fn)


def _redact(value: Any, texts: Sequence[str]) -> Any:
    if isinstance(value, str):
        for text in texts:
            value = value.replace(text, REDACTED)
        return value
    if isinstance(value, dict):
        return {k: _redact(v, texts) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v, texts) for v in value]
    return value


def _secret_texts(obj: models.Model | None) -> list[str]:
    if obj is None:
        return []
    texts = {t for fn in _redactors for t in fn(obj) if len(t.strip()) >= MIN_REDACTED_CHARS}
    return sorted(texts, key=len, reverse=True)


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    # Round-trip through JSON so the hash is computed over exactly what the database returns.
    result: dict[str, Any] = json.loads(json.dumps(data, default=str, ensure_ascii=False))
    return result


@dataclass(frozen=True)
class AuditEntry:
    """One record to append; ``audit_records_append`` chains a list of them under one lock."""

    actor: _Actor | None
    action: str
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str = ""
    summary: str = ""
    data: dict[str, Any] | None = None


def audit_record(
    *,
    actor: _Actor | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record. Must run inside the transaction of the state change it records."""
    entry = AuditEntry(actor=actor, action=action, obj=obj, object_type=object_type, object_id=object_id,
                       summary=summary, data=data)
    return audit_records_append([entry])[0]


def audit_records_append(entries: list[AuditEntry]) -> list[AuditRecord]:
    """Append several records in order under one lock of the chain head (batch state changes)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit records must be written inside the state change's transaction")
    head = _locked_head()
    prev_hash, seq = head.hash, head.seq
    created_at = timezone.now()
    records: list[AuditRecord] = []
    for e in entries:
        object_type, object_id = e.object_type, e.object_id
        if e.obj is not None:
            object_type = object_type or e.obj._meta.label_lower
            object_id = object_id or str(e.obj.pk)
        payload = _jsonable(e.data or {})
        summary = e.summary
        secret = _secret_texts(e.obj)
        if secret:
            payload, summary = _redact(payload, secret), _redact(summary, secret)
        actor_id = int(e.actor.pk) if e.actor is not None and e.actor.pk is not None else None
        actor_name = e.actor.get_username() if e.actor is not None else ""
        summary = summary[:500]
        seq += 1
        digest = record_hash(
            seq=seq, created_at=created_at, actor_id=actor_id, actor_name=actor_name, action=e.action,
            object_type=object_type, object_id=object_id, summary=summary, data=payload, prev_hash=prev_hash,
        )
        records.append(AuditRecord(
            seq=seq, created_at=created_at, actor_id=actor_id, actor_name=actor_name, action=e.action,
            object_type=object_type, object_id=object_id, summary=summary, data=payload, prev_hash=prev_hash,
            hash=digest,
        ))
        prev_hash = digest
    AuditRecord.objects.bulk_create(records)
    AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=prev_hash)
    return records


def _locked_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    reason: str


def audit_chain_verify(*, batch_size: int = 2000) -> list[ChainProblem]:
    """Recompute every hash in order; return the problems found (empty when the chain is intact)."""
    problems: list[ChainProblem] = []
    prev_hash = GENESIS_HASH
    expected_seq = 1
    for rec in _iter_records(batch_size):
        if rec.seq != expected_seq:
            problems.append(ChainProblem(rec.seq, f"ลำดับขาดหาย: คาดว่า {expected_seq}"))
            expected_seq = rec.seq
        if rec.prev_hash != prev_hash:
            problems.append(ChainProblem(rec.seq, "ค่าแฮชก่อนหน้าไม่ตรงกับรายการก่อนหน้า"))
        digest = record_hash(
            seq=rec.seq,
            created_at=rec.created_at,
            actor_id=rec.actor_id,
            actor_name=rec.actor_name,
            action=rec.action,
            object_type=rec.object_type,
            object_id=rec.object_id,
            summary=rec.summary,
            data=rec.data,
            prev_hash=rec.prev_hash,
        )
        if digest != rec.hash:
            problems.append(ChainProblem(rec.seq, "เนื้อหาถูกแก้ไข: ค่าแฮชไม่ตรง"))
        prev_hash = rec.hash
        expected_seq += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.seq != expected_seq - 1:
        problems.append(ChainProblem(head.seq, "รายการท้ายสุดของห่วงโซ่ถูกลบ"))
    return problems


def _iter_records(batch_size: int) -> Iterator[AuditRecord]:
    last = 0
    while True:
        batch = list(AuditRecord.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def audit_trail_for(obj: models.Model) -> models.QuerySet[AuditRecord]:
    return AuditRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))

