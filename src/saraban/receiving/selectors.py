"""Reads for receiving: inboxes ordered by urgency, letters waiting at a registry, inbox-check
reminders and a letter's timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from saraban.accounts.models import AgencyProfile, User
from saraban.audit.models import AuditRecord
from saraban.audit.services import audit_trail_for
from saraban.correspondence.models import Letter, Registry
from saraban.correspondence.selectors import registries_for
from saraban.receiving.models import Holding, InboxCheck, Reception


def _by_urgency(qs: QuerySet[Holding]) -> QuerySet[Holding]:
    return qs.order_by(
        F("letter__due_by").asc(nulls_last=True), "-letter__speed", "sent_at", "id"
    )


def _open_holdings(user: User) -> QuerySet[Holding]:
    return Holding.objects.filter(state__in=Holding.OPEN_STATES, letter__secrecy__lte=user.clearance).select_related(
        "letter", "unit", "user", "sent_by"
    )


def inbox_personal(user: User) -> QuerySet[Holding]:
    return _by_urgency(_open_holdings(user).filter(user=user))


def inbox_basket(user: User) -> QuerySet[Holding]:
    """The executives' baskets a secretary shares (User.assists)."""
    return _by_urgency(_open_holdings(user).filter(user__in=user.assists.all()))


def inbox_unit(user: User) -> QuerySet[Holding]:
    units = [m.unit_id for m in user.memberships.all()]
    return _by_urgency(_open_holdings(user).filter(unit_id__in=units))


def receptions_waiting(user: User) -> QuerySet[Reception]:
    """Letters that arrived at a registry the user keeps and wait for a receive number."""
    return (
        Reception.objects.filter(state=Reception.State.WAITING, registry__in=registries_for(user),
                                 letter__secrecy__lte=user.clearance)
        .select_related("letter", "registry")
        .order_by(F("letter__due_by").asc(nulls_last=True), "-letter__speed", "created_at")
    )


@dataclass(frozen=True)
class Reminder:
    registry: Registry
    period: str  # "เช้า" or "บ่าย"


def inbox_reminders(user: User, *, now: dt.datetime | None = None) -> list[Reminder]:
    """Registries whose inbox was not checked in this morning's or this afternoon's window once the
    window has closed (AgencyProfile.inbox_check_morning_until / _afternoon_until)."""
    profile = AgencyProfile.objects.filter(pk=1).first()
    if profile is None:
        return []
    local = timezone.localtime(now or timezone.now())
    tz = local.tzinfo
    day_start = dt.datetime.combine(local.date(), dt.time(0, 0), tzinfo=tz)
    morning_end = dt.datetime.combine(local.date(), profile.inbox_check_morning_until, tzinfo=tz)
    afternoon_end = dt.datetime.combine(local.date(), profile.inbox_check_afternoon_until, tzinfo=tz)
    windows = []
    if local >= morning_end:
        windows.append(("เช้า", day_start, morning_end))
    if local >= afternoon_end:
        windows.append(("บ่าย", morning_end, afternoon_end))
    reminders: list[Reminder] = []
    if not windows:
        return reminders
    for registry in registries_for(user):
        checks = InboxCheck.objects.filter(registry=registry, checked_at__gte=day_start)
        for period, start, end in windows:
            if not checks.filter(checked_at__gte=start, checked_at__lt=end).exists():
                reminders.append(Reminder(registry=registry, period=period))
    return reminders


def letter_timeline(letter: Letter) -> QuerySet[AuditRecord]:
    """Who did what with the letter, oldest first, from the audit trail."""
    return audit_trail_for(letter).order_by("seq")


def letter_holdings(letter: Letter) -> QuerySet[Holding]:
    qs = Holding.objects.filter(letter=letter).select_related("unit", "user", "sent_by", "entry")
    return qs.order_by("sent_at", "id")


def holdings_of_user_for(user: User, letter: Letter) -> list[Holding]:
    """The open holdings of this letter the user may act on (own, shared basket, own unit)."""
    units = [m.unit_id for m in user.memberships.all()]
    return list(
        Holding.objects.filter(letter=letter, state__in=Holding.OPEN_STATES)
        .filter(Q(user=user) | Q(user__in=user.assists.all()) | Q(unit_id__in=units))
        .select_related("unit", "user")
    )
