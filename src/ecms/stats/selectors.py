"""Monthly statistics of the hub, computed from its letters, queue items and events.

Definitions (also printed in the report):
* a letter belongs to the month in which the hub accepted it (``Letter.created_at``, Bangkok time);
* time to pull: from the hub accepting the letter to the receiver's first pull of it;
* time to acknowledge: from the hub accepting the letter to the receiver's first notifier
  (received, accepted with a receive number, rejected or invalid);
* accepted / rejected / invalid: the letter has at least one such event (a letter can be both
  accepted and, after an InvalidAcceptID notice, accepted again: it counts once);
* median and 95th percentile use the nearest-rank method.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from ecms.hub.models import Letter, LetterEvent, Organization, QueueItem
from thegif.messages import ItemType

ACK_KINDS = (
    LetterEvent.Kind.RECEIVED,
    LetterEvent.Kind.ACCEPTED,
    LetterEvent.Kind.REJECTED,
    LetterEvent.Kind.INVALID,
)


def nearest_rank(values: list[float], pct: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    start = month.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1)
    return (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end, time.min)),
    )


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


@dataclass(frozen=True)
class Durations:
    count: int
    median_hours: float | None
    p95_hours: float | None

    @classmethod
    def of(cls, seconds: list[float]) -> Durations:
        med = nearest_rank(seconds, 50)
        p95 = nearest_rank(seconds, 95)
        return cls(
            count=len(seconds),
            median_hours=None if med is None else med / 3600,
            p95_hours=None if p95 is None else p95 / 3600,
        )


@dataclass
class AgencyRow:
    org_id: str
    name: str
    ministry: str
    sent: int = 0
    received: int = 0
    accepted: int = 0  # of the letters it sent
    rejected: int = 0
    invalid: int = 0


@dataclass
class MonthlyStats:
    month: date
    organization: Organization | None  # None: the whole hub
    letters: int = 0
    accepted: int = 0
    rejected: int = 0
    invalid: int = 0
    pull: Durations = field(default_factory=lambda: Durations(0, None, None))
    acknowledge: Durations = field(default_factory=lambda: Durations(0, None, None))
    agencies: list[AgencyRow] = field(default_factory=list)
    ministries: list[AgencyRow] = field(default_factory=list)
    per_day: list[tuple[date, int]] = field(default_factory=list)  # every day of the month
    busiest_days: list[tuple[date, int]] = field(default_factory=list)


def monthly_stats(*, month: date, organization: Organization | None = None) -> MonthlyStats:
    start, end = month_bounds(month)
    letters_qs = Letter.objects.filter(created_at__gte=start, created_at__lt=end).select_related(
        "sender__ministry", "receiver__ministry"
    )
    if organization is not None:
        letters_qs = letters_qs.filter(Q(sender=organization) | Q(receiver=organization))
    letters = list(letters_qs)
    ids = [row.pk for row in letters]
    kinds: dict[int, set[str]] = defaultdict(set)
    first_ack: dict[int, datetime] = {}
    for letter_id, kind, at in (
        LetterEvent.objects.filter(letter_id__in=ids)
        .filter(kind__in=(*ACK_KINDS,))
        .order_by("created_at", "id")
        .values_list("letter_id", "kind", "created_at")
    ):
        kinds[letter_id].add(kind)
        first_ack.setdefault(letter_id, at)
    first_pull: dict[int, datetime] = {}
    for letter_id, pulled_at in (
        QueueItem.objects.filter(
            letter_id__in=ids, item_type=ItemType.GOVERNMENT_DOCUMENT, first_pulled_at__isnull=False
        )
        .order_by("first_pulled_at")
        .values_list("letter_id", "first_pulled_at")
    ):
        if pulled_at is not None:
            first_pull.setdefault(letter_id, pulled_at)

    stats = MonthlyStats(month=month.replace(day=1), organization=organization, letters=len(letters))
    agencies: dict[str, AgencyRow] = {}
    ministries: dict[str, AgencyRow] = {}

    def row(table: dict[str, AgencyRow], org: Organization) -> AgencyRow:
        if org.org_id not in table:
            table[org.org_id] = AgencyRow(
                org_id=org.org_id, name=org.name, ministry=org.ministry.name if org.ministry else ""
            )
        return table[org.org_id]

    per_day: Counter[date] = Counter()
    pulls: list[float] = []
    acks: list[float] = []
    for letter in letters:
        outcome = kinds.get(letter.pk, set())
        sender_ministry = letter.sender.ministry or letter.sender
        receiver_ministry = letter.receiver.ministry or letter.receiver
        for table, sender, receiver in (
            (agencies, letter.sender, letter.receiver),
            (ministries, sender_ministry, receiver_ministry),
        ):
            sent_row = row(table, sender)
            sent_row.sent += 1
            sent_row.accepted += LetterEvent.Kind.ACCEPTED in outcome
            sent_row.rejected += LetterEvent.Kind.REJECTED in outcome
            sent_row.invalid += LetterEvent.Kind.INVALID in outcome
            row(table, receiver).received += 1
        stats.accepted += LetterEvent.Kind.ACCEPTED in outcome
        stats.rejected += LetterEvent.Kind.REJECTED in outcome
        stats.invalid += LetterEvent.Kind.INVALID in outcome
        per_day[timezone.localtime(letter.created_at).date()] += 1
        if letter.pk in first_pull:
            pulls.append((first_pull[letter.pk] - letter.created_at).total_seconds())
        if letter.pk in first_ack:
            acks.append((first_ack[letter.pk] - letter.created_at).total_seconds())
    stats.pull = Durations.of(pulls)
    stats.acknowledge = Durations.of(acks)
    stats.agencies = sorted(agencies.values(), key=lambda r: (-(r.sent + r.received), r.org_id))
    stats.ministries = sorted(ministries.values(), key=lambda r: (-(r.sent + r.received), r.org_id))
    day = stats.month
    while day < (stats.month + timedelta(days=32)).replace(day=1):
        stats.per_day.append((day, per_day.get(day, 0)))
        day += timedelta(days=1)
    stats.busiest_days = sorted(per_day.items(), key=lambda item: (-item[1], item[0]))[:5]
    return stats
