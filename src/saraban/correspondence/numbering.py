"""Running numbers per (registry, book, calendar year): never repeated, never skipped.

The counter row is locked by the ``UPDATE`` that takes the numbers (row lock on PostgreSQL;
SQLite transactions are IMMEDIATE so they are serialised) and the numbers are taken in the same
transaction that writes the register lines, so a rolled-back registration gives its numbers back
and nothing is skipped.
"""

from __future__ import annotations

from django.db import connection

from saraban.correspondence.models import Counter, Registry

_TAKE = (
    "UPDATE correspondence_counter SET last_number = last_number + %s "
    "WHERE registry_id = %s AND book = %s AND year = %s RETURNING last_number"
)


def numbers_take(*, registry: Registry, book: str, year: int, count: int = 1) -> range:
    """Take ``count`` consecutive numbers in one statement; returns them as a range."""
    if not connection.in_atomic_block:
        raise RuntimeError("numbers must be taken inside the registration's transaction")
    if count < 1:
        raise ValueError("count must be at least 1")
    params: list[int | str] = [count, int(registry.pk), book, year]
    with connection.cursor() as cur:
        cur.execute(_TAKE, params)
        row = cur.fetchone()
        if row is None:
            # First number of the year: create the counter (a racing creator is ignored) and take
            # again; the UPDATE queues behind the other transaction's row lock.
            Counter.objects.bulk_create(
                [Counter(registry=registry, book=book, year=year, last_number=0)], ignore_conflicts=True
            )
            cur.execute(_TAKE, params)
            row = cur.fetchone()
    assert row is not None
    last = int(row[0])
    return range(last - count + 1, last + 1)


def number_next(*, registry: Registry, book: str, year: int) -> int:
    return numbers_take(registry=registry, book=book, year=year, count=1)[0]
