"""Search over the letters a user may open (metadata and file text), with filters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from saraban.accounts.models import Role, User
from saraban.correspondence.models import Letter
from saraban.correspondence.selectors import letters_visible_to, registries_for
from saraban.records.models import LetterIndex
from saraban.records.textnorm import MIN_INDEXED_TERM, query_terms

FTS_MATCH_SQL = "SELECT rowid FROM records_letter_fts WHERE records_letter_fts MATCH %s"


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    registry_id: int | None = None
    kind: str = ""
    speed: int | None = None
    secrecy: int | None = None
    sender: str = ""
    direction: str = ""


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _match(qs: QuerySet[LetterIndex], terms: list[str]) -> QuerySet[LetterIndex]:
    """Every term must be a substring of the indexed text. Long terms use the trigram index
    (SQLite FTS5 trigram, PostgreSQL pg_trgm GIN); shorter ones are checked with LIKE."""
    long_terms = [t for t in terms if len(t) >= MIN_INDEXED_TERM]
    if long_terms and connection.vendor == "sqlite":
        fts = " ".join(_fts_phrase(t) for t in long_terms)
        qs = qs.filter(letter_id__in=RawSQL(FTS_MATCH_SQL, [fts]))  # noqa: S611 - constant SQL, query is a parameter
    else:
        for term in long_terms:
            qs = qs.filter(text__contains=term)
    for term in terms:
        if len(term) < MIN_INDEXED_TERM:
            qs = qs.filter(text__contains=term)
    return qs


def _sees_all(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.AUDITOR)


def letters_search(*, user: User, query: SearchQuery, limit: int = 50) -> list[Letter]:
    """Letters matching the query that the user may open, newest first (at most ``limit``)."""
    if not user.is_active or not user.can_open:
        return []
    qs = LetterIndex.objects.filter(secrecy__lte=user.clearance)
    terms = query_terms(query.text)
    if terms:
        qs = _match(qs, terms)
    if query.date_from:
        qs = qs.filter(letter_date__gte=query.date_from)
    if query.date_to:
        qs = qs.filter(letter_date__lte=query.date_to)
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.speed is not None:
        qs = qs.filter(speed=query.speed)
    if query.secrecy is not None:
        qs = qs.filter(secrecy=query.secrecy)
    if query.direction:
        qs = qs.filter(direction=query.direction)
    if query.registry_id is not None:
        qs = qs.filter(letter__entries__registry_id=query.registry_id)
    if query.sender.strip():
        qs = qs.filter(letter__sender_text__icontains=query.sender.strip())
    if not _sees_all(user):
        # The same rule as letters_visible_to (checked again below), here as a cheap pre-filter.
        unit_ids = [m.unit_id for m in user.memberships.all()]
        qs = qs.filter(
            Q(letter__owner_unit_id__in=unit_ids)
            | Q(letter__entries__registry_id__in=_registry_ids(user))
            | Q(letter__created_by=user)
        )
    ids = list(qs.order_by("-letter_id").values_list("letter_id", flat=True).distinct()[:limit])
    # Never show a letter the access rule does not allow, whatever the index says.
    letters = letters_visible_to(user).filter(pk__in=ids).select_related("owner_unit")
    by_id = {letter.pk: letter for letter in letters}
    return [by_id[i] for i in ids if i in by_id]


def _registry_ids(user: User) -> list[int]:
    return list(registries_for(user).values_list("pk", flat=True))
