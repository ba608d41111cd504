"""Running numbers per (registry, book, calendar year): never repeated, never skipped.

The counter row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions are
IMMEDIATE so they are serialised) and the number is taken in the same transaction that writes
the register line, so a rolled-back registration gives its number back and nothing is skipped.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import F

from saraban.correspondence.models import Counter, Registry


def number_next(*, registry: Registry, book: str, year: int) -> int:
    if not connection.in_atomic_block:
        raise RuntimeError("number_next must run inside the registration's transaction")
    updated = Counter.objects.filter(registry=registry, book=book, year=year).update(
        last_number=F("last_number") + 1
    )
    if not updated:
        # First number of the year: create the counter (a racing creator is ignored) and retry;
        # the UPDATE takes the row lock, which the waiting transaction then queues behind.
        Counter.objects.bulk_create(
            [Counter(registry=registry, book=book, year=year, last_number=0)], ignore_conflicts=True
        )
        Counter.objects.filter(registry=registry, book=book, year=year).update(last_number=F("last_number") + 1)
    return Counter.objects.filter(registry=registry, book=book, year=year).values_list(
        "last_number", flat=True
    ).get()
