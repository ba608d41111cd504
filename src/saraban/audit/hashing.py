"""Canonical content and hash of an audit record (kept apart so verify and append agree)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_created_at(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_hash(
    *,
    seq: int,
    created_at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_id: str,
    summary: str,
    data: dict[str, Any],
    prev_hash: str,
) -> str:
    content = [
        seq,
        canonical_created_at(created_at),
        actor_id,
        actor_name,
        action,
        object_type,
        object_id,
        summary,
        data,
        prev_hash,
    ]
    payload = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
