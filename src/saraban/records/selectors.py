"""Search over the letters a user may open (metadata and file text), with filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL

from saraban.accounts.models import Role, User
from saraban.correspondence.models import Letter, RegisterEntry
from saraban.correspondence.selectors import letters_visible_to
from saraban.records.models import LetterIndex
from saraban.records.textnorm import MIN_INDEXED_TERM, query_terms

FTS_MATCH_SQL = "SELECT rowid FROM records_letter_fts WHERE records_letter_fts MATCH %s"
FTS_PAGE_SQL = FTS_MATCH_SQL + " AND rowid < %s ORDER BY rowid DESC LIMIT %s"


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


# Candidates are read newest first in pages that grow geometrically until enough visible
# letters are found: a common word stops after the first page, a rare one needs few rows at all.
FIRST_PAGE = 200
CHECKED_PAGES = 3
NO_ID_ABOVE = 2**62


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _filtered(qs: QuerySet[LetterIndex], query: SearchQuery, short_terms: list[str]) -> QuerySet[LetterIndex]:
    """The filters that read the index row (and, for registry and sender, the letter)."""
    for term in short_terms:
        qs = qs.filter(text__contains=term)
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
        qs = qs.filter(Exists(RegisterEntry.objects.filter(letter_id=OuterRef("letter_id"),
                                                           registry_id=query.registry_id)))
    if query.sender.strip():
        qs = qs.filter(letter__sender_text__icontains=query.sender.strip())
    return qs


def _sees_all(user: User) -> bool:
    return user.is_superuser or user.has_role(Role.AUDITOR)


def _matching(query: SearchQuery, clearance: int, *, fts_table: bool) -> tuple[QuerySet[LetterIndex], str]:
    """Index rows matching every filter of the query, and (with ``fts_table`` on SQLite) the FTS5
    query the text must match as well; otherwise the text condition is in the queryset."""
    terms = query_terms(query.text)
    long_terms = [t for t in terms if len(t) >= MIN_INDEXED_TERM]
    short_terms = [t for t in terms if len(t) < MIN_INDEXED_TERM]
    qs = _filtered(LetterIndex.objects.filter(secrecy__lte=clearance), query, short_terms)
    fts = " ".join(_fts_phrase(t) for t in long_terms) if connection.vendor == "sqlite" else ""
    if fts and not fts_table:
        qs = qs.filter(letter_id__in=RawSQL(FTS_MATCH_SQL, [fts]))  # noqa: S611 - constant SQL, query is a parameter
    elif not fts:
        for term in long_terms:
            qs = qs.filter(text__contains=term)
    return qs, fts if fts_table else ""


def _pages(qs: QuerySet[LetterIndex], fts: str, limit: int, pages: int) -> Iterator[tuple[list[int], int]]:
    """Ids of matching index rows, newest first, in at most ``pages`` growing pages (keyset on the
    id), each with the id the next page starts below.

    On SQLite the FTS5 trigram table yields its matches by descending rowid and stops at the page
    size, so a common word costs no more than a rare one; the other filters are applied to each
    page. On PostgreSQL one query per page carries every condition with ``ORDER BY letter_id DESC
    LIMIT n``: the planner walks the primary key backwards with the trigram condition as a filter
    when matches are common, or reads the pg_trgm GIN index when they are rare."""
    size = max(FIRST_PAGE, limit)
    before = NO_ID_ABOVE
    for _ in range(pages):
        if fts:
            with connection.cursor() as cur:
                cur.execute(FTS_PAGE_SQL, [fts, before, size])
                scanned = [row[0] for row in cur.fetchall()]
            kept = set(qs.filter(letter_id__in=scanned).values_list("letter_id", flat=True))
            ids = [i for i in scanned if i in kept]
        else:
            page = qs.filter(letter_id__lt=before).order_by("-letter_id")
            scanned = ids = list(page.values_list("letter_id", flat=True)[:size])
        if len(scanned) < size:
            yield ids, 0
            return
        before = scanned[-1]
        yield ids, before
        size *= 4


def letters_search(*, user: User, query: SearchQuery, limit: int = 50) -> list[Letter]:
    """Letters matching the query that the user may open, newest first (at most ``limit``).

    The access rule is ``letters_visible_to`` itself (clearance, owner unit, registries, creator,
    holders), so search never shows a letter the user may not open and finds every letter they may.
    The newest candidates are checked against it by primary key, page by page; a user who may open
    few of many matches gets, after a few pages, one query that joins the rule to the rest."""
    if not user.is_active or not user.can_open:
        return []
    visible = letters_visible_to(user)
    sees_all = _sees_all(user)
    ids: list[int] = []
    qs, fts = _matching(query, user.clearance, fts_table=True)
    before = NO_ID_ABOVE
    for page, before in _pages(qs, fts, limit, pages=CHECKED_PAGES):
        allowed = set(page) if sees_all else set(visible.filter(pk__in=page).values_list("pk", flat=True))
        ids.extend(i for i in page if i in allowed)
        if len(ids) >= limit:
            before = 0
            break
    if before:
        rest, _ = _matching(query, user.clearance, fts_table=False)
        rest = rest.filter(letter_id__lt=before)
        if not sees_all:
            rest = rest.filter(letter_id__in=visible.values("pk"))
        ids.extend(rest.order_by("-letter_id").values_list("letter_id", flat=True)[: limit - len(ids)])
    ids = ids[:limit]
    # Never show a letter the access rule does not allow, whatever the index says.
    letters = visible.filter(pk__in=ids).select_related("owner_unit")
    by_id = {letter.pk: letter for letter in letters}
    return [by_id[i] for i in ids if i in by_id]
