"""What the channel workers (hub, official e-mail) share: claiming due outbox lines and the tally
of a sending round. An outbox model has ``state`` (with "pending"/"sent"/"failed"),
``next_attempt_at`` and ``claimed_until``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

PENDING, SENT, FAILED = "pending", "sent", "failed"


def outbox_lines_claim(
    model: type[models.Model], *, limit: int, lease_seconds: int, now: dt.datetime | None = None
) -> list[int]:
    """Reserve due lines for this worker for ``lease_seconds``. PostgreSQL: ``FOR UPDATE SKIP LOCKED``,
    so concurrent workers take different lines; SQLite: the transaction is IMMEDIATE (settings), so
    claims are serialised by the database's write lock. A killed worker's lines come back after the lease."""
    now = now or timezone.now()
    manager: Any = model._default_manager
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    with transaction.atomic():
        due = manager.filter(free, state=PENDING, next_attempt_at__lte=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids: list[int] = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
        manager.filter(pk__in=ids).update(claimed_until=now + dt.timedelta(seconds=lease_seconds))
    return ids


@dataclass
class SendReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def count(self, state: str) -> None:
        if state == SENT:
            self.sent += 1
        elif state == FAILED:
            self.failed += 1
        else:
            self.retrying += 1
