"""Reads of the Monitor site. Every letter query goes through ``letters_visible_to``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Max, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ecms.hub.models import Letter, LetterEvent, Organization, QueueItem
from ecms.monitor.models import Officer
from thegif.messages import ItemType, LetterStatus

S = LetterStatus
ACKNOWLEDGED = (S.RECEIVED, S.ACCEPTED, S.REJECTED, S.INVALID)

STATUS_LABELS: dict[str, str] = {
    S.SENT: "รอผู้รับดึงหนังสือ",
    S.DELIVERED: "ผู้รับดึงหนังสือแล้ว",
    S.RECEIVED: "ผู้รับได้รับหนังสือ",
    S.ACCEPTED: "ผู้รับลงเลขรับแล้ว",
    S.REJECTED: "ผู้รับปฏิเสธ",
    S.INVALID: "ผู้รับแจ้งหนังสือผิด",
    S.DELETED: "ผู้ส่งลบหนังสือ",
}


def is_hub_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and getattr(user, "is_staff", False))


def officer_of(user: AbstractBaseUser | AnonymousUser) -> Officer | None:
    if not user.is_authenticated:
        return None
    return (
        Officer.objects.select_related("organization").filter(user_id=user.pk, status=Officer.Status.APPROVED).first()
    )


def letters_visible_to(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Letter]:
    """Hub administrators see every letter; an officer only those its agency sent or received."""
    letters = Letter.objects.select_related("sender", "receiver")
    if is_hub_admin(user):
        return letters
    officer = officer_of(user)
    if officer is None:
        return letters.none()
    return letters.filter(Q(sender_id=officer.organization_id) | Q(receiver_id=officer.organization_id))


@dataclass(frozen=True)
class LetterFilter:
    date_from: date | None = None
    date_to: date | None = None
    reference: str = ""
    subject: str = ""
    counterpart: str = ""  # organisation ID of the other agency
    status: str = ""
    overdue_only: bool = False


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def overdue_q(now: datetime | None = None) -> Q:
    """Not pulled within the pull threshold, or pulled but not acknowledged within the ack threshold."""
    now = now or timezone.now()
    pull_limit = now - timedelta(hours=settings.ECMS_MONITOR_PULL_HOURS)
    ack_limit = now - timedelta(hours=settings.ECMS_MONITOR_ACK_HOURS)
    return Q(status=S.SENT, created_at__lt=pull_limit) | Q(status=S.DELIVERED, created_at__lt=ack_limit)


def letter_search(user: AbstractBaseUser | AnonymousUser, criteria: LetterFilter) -> QuerySet[Letter]:
    letters = letters_visible_to(user)
    if criteria.date_from:
        letters = letters.filter(created_at__gte=_day_start(criteria.date_from))
    if criteria.date_to:
        letters = letters.filter(created_at__lt=_day_start(criteria.date_to + timedelta(days=1)))
    if criteria.reference:
        letters = letters.filter(doc_id__icontains=criteria.reference)
    if criteria.subject:
        letters = letters.filter(subject__icontains=criteria.subject)
    if criteria.counterpart:
        letters = letters.filter(Q(sender__org_id=criteria.counterpart) | Q(receiver__org_id=criteria.counterpart))
    if criteria.status:
        letters = letters.filter(status=criteria.status)
    if criteria.overdue_only:
        letters = letters.filter(overdue_q())
    return letters.order_by("-created_at", "-id")


def is_overdue(letter: Letter, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if letter.status == S.SENT:
        return letter.created_at < now - timedelta(hours=settings.ECMS_MONITOR_PULL_HOURS)
    if letter.status == S.DELIVERED:
        return letter.created_at < now - timedelta(hours=settings.ECMS_MONITOR_ACK_HOURS)
    return False


def letter_for(user: AbstractBaseUser | AnonymousUser, letter_id: str) -> Letter:
    """The letter if ``user`` may see it; 404 otherwise, so that guessed IDs reveal nothing."""
    letter = letters_visible_to(user).filter(letter_id=letter_id).first()
    if letter is None:
        raise Http404("ไม่พบหนังสือ")
    return letter


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    label: str
    by: str
    accept_id: str
    reason: str


def letter_timeline(letter: Letter) -> list[TimelineEntry]:
    labels = dict(LetterEvent.Kind.choices)
    events = LetterEvent.objects.select_related("system__organization").filter(letter=letter).order_by("id")
    entries = []
    for event in events:
        label = labels.get(event.kind, event.kind)
        item_type = str(event.data.get("item_type", ""))
        if event.kind in (LetterEvent.Kind.PULLED, LetterEvent.Kind.DEQUEUED) and item_type not in (
            "",
            ItemType.GOVERNMENT_DOCUMENT,
        ):
            label = f"{label} ({item_type})"
        entries.append(
            TimelineEntry(
                at=event.created_at,
                kind=event.kind,
                label=label,
                by=event.system.organization.name if event.system else "",
                accept_id=str(event.data.get("accept_id", "")),
                reason=str(event.data.get("reason", "")),
            )
        )
    return entries


@dataclass(frozen=True)
class AgencyHealth:
    organization: Organization
    last_pull: datetime | None
    waiting: int
    oldest_waiting: datetime | None
    letters_received: int
    letters_sent: int
    problem_letters: int  # rejected or reported invalid, of the letters it sent

    @property
    def error_rate(self) -> float:
        return self.problem_letters / self.letters_sent if self.letters_sent else 0.0


def agency_health() -> list[AgencyHealth]:
    """Per agency with a system at the hub: last pull, its queue, and the share of its letters refused."""
    orgs = (
        Organization.objects.filter(systems__isnull=False)
        .distinct()
        .annotate(
            last_pull=Max("systems__events__created_at", filter=Q(systems__events__kind=LetterEvent.Kind.PULLED)),
        )
        .order_by("org_id")
    )
    waiting = {
        row["owner_id"]: (row["n"], row["oldest"])
        for row in QueueItem.objects.filter(deleted_at__isnull=True)
        .values("owner_id")
        .annotate(n=Count("id"), oldest=Min("created_at"))
        .order_by()
    }
    sent = {
        row["sender_id"]: (row["n"], row["bad"])
        for row in Letter.objects.values("sender_id")
        .annotate(n=Count("id"), bad=Count("id", filter=Q(status__in=(S.REJECTED, S.INVALID))))
        .order_by()
    }
    received = {
        row["receiver_id"]: row["n"] for row in Letter.objects.values("receiver_id").annotate(n=Count("id")).order_by()
    }
    result = []
    for org in orgs:
        n_sent, bad = sent.get(org.pk, (0, 0))
        result.append(
            AgencyHealth(
                organization=org,
                last_pull=org.last_pull,
                waiting=waiting.get(org.pk, (0, None))[0],
                oldest_waiting=waiting.get(org.pk, (0, None))[1],
                letters_received=received.get(org.pk, 0),
                problem_letters=bad,
                letters_sent=n_sent,
            )
        )
    return result
