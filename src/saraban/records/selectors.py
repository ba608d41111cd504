"""Search over the letters a user may open (metadata and file text), with filters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import BinaryField, BooleanField, Exists, OuterRef, Q, QuerySet, Value, prefetch_related_objects
from django.db.models.expressions import RawSQL
from django.db.models.functions import StrIndex, Substr
from django.db.models.lookups import GreaterThan

from saraban.accounts.models import User
from saraban.correspondence import sealing
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Letter, RegisterEntry
from saraban.correspondence.selectors import letters_visible_to
from saraban.records.access import user_access_keys
from saraban.records.models import LetterIndex
from saraban.records.openedtexts import opened_texts
from saraban.records.services import METADATA_FIELDS, metadata_text, words_ready
from saraban.records.textnorm import MIN_INDEXED_TERM, normalize, query_terms
from saraban.records.textwords import word_hashes

FTS_MATCH_SQL = "SELECT rowid FROM records_letter_fts WHERE records_letter_fts MATCH %s"
FTS_PAGE_SQL = FTS_MATCH_SQL + " AND rowid < %s ORDER BY rowid DESC LIMIT %s"
WORDS_SQL = "records_letterindex.words @> %s::integer[]"


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
SCAN_BUDGET = 4000  # SQLite: FTS matches read page by page before one joined query
RECENT_ROWS = 16_000
WALK_ROWS = 60_000  # PostgreSQL: walk the primary key while the rest is expected within this many rows
RECENT_ROWS_WORDS = 4_000  # the first walk when the dictionary-word index can take over
WORDS_ROW_COST = 4  # a row fetched through the word index (a random heap page) costs about this many rows walked
SAMPLE_ROWS = 4_000  # newest rows in which the matches of the indexed terms alone are counted
BITMAP_WORK_MEM = "64MB"  # an exact bitmap of every candidate of a million rows
NO_ID_ABOVE = 2**62


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _has(term: str, *, scan: bool) -> Q | GreaterThan[int]:
    """The text contains ``term``: LIKE, which the trigram indexes serve, or (``scan``, for rows read
    one by one) strpos, which PostgreSQL runs about six times faster than LIKE on Thai text."""
    return GreaterThan(StrIndex("text", Value(term)), 0) if scan else Q(text__contains=term)


def _filtered(qs: QuerySet[LetterIndex], query: SearchQuery, short_terms: list[str], *,
              scan: bool = False) -> QuerySet[LetterIndex]:
    """The filters that read the index row (and, for registry and sender, the letter)."""
    for term in short_terms:
        qs = qs.filter(_has(term, scan=scan))
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


def _matching(query: SearchQuery, user: User, *, fts_table: bool, scan: bool = False,
              words: bool = False) -> tuple[QuerySet[LetterIndex], str]:
    """Index rows matching every filter of the query and the user's clearance and visibility keys,
    and (with ``fts_table`` on SQLite) the FTS5 query the text must match as well; otherwise the
    text condition is in the queryset. With ``words`` (PostgreSQL, records.textwords) the rows must
    hold the terms as dictionary words (GIN index), each then checked with strpos."""
    terms = query_terms(query.text)
    long_terms = [t for t in terms if len(t) >= MIN_INDEXED_TERM]
    short_terms = [t for t in terms if len(t) < MIN_INDEXED_TERM]
    qs = _filtered(LetterIndex.objects.filter(secrecy__lte=user.clearance), query, short_terms, scan=scan)
    keys = user_access_keys(user)
    if keys is not None:  # the access rule as part of the same query (records.access)
        qs = qs.filter(access_keys__has_any_keys=keys)
    fts = " ".join(_fts_phrase(t) for t in long_terms) if connection.vendor == "sqlite" else ""
    if fts and not fts_table:
        qs = qs.filter(letter_id__in=RawSQL(FTS_MATCH_SQL, [fts]))  # noqa: S611 - constant SQL, query is a parameter
    elif words:  # every long term is a dictionary word (_words_usable): the index is exact for each
        hashes = sorted(word_hashes(long_terms) or [])
        qs = qs.filter(RawSQL(WORDS_SQL, [hashes], output_field=BooleanField()))  # noqa: S611 - constant SQL
        for term in long_terms:
            qs = qs.filter(_has(term, scan=True))
    elif not fts:
        for term in long_terms:
            qs = qs.filter(_has(term, scan=scan))
    return qs, fts if fts_table else ""


def _words_usable(query: SearchQuery) -> bool:
    """PostgreSQL: every term of three characters or more is a dictionary word, and the index rows'
    word lists were built with this dictionary. A term that is not a word (a name, part of a word)
    leaves the query to pg_trgm: narrowing it by the words inside it (ารพรรณนา by พรรณนา) fetched
    every letter holding the inner word, and measured slower than pg_trgm (docs/PERFORMANCE.md)."""
    terms = [t for t in query_terms(query.text) if len(t) >= MIN_INDEXED_TERM]
    return bool(terms) and word_hashes(terms) is not None and words_ready()


def _pages(qs: QuerySet[LetterIndex], fts: str, limit: int, scan_qs: QuerySet[LetterIndex],
           words_qs: QuerySet[LetterIndex] | None,
           terms_qs: QuerySet[LetterIndex] | None = None) -> Iterator[tuple[list[int], int, int]]:
    """Ids of matching index rows, newest first, in pages, each with the id the next page starts
    below (0 when no row is left) and the number of rows read for it."""
    if connection.vendor == "postgresql":
        yield from _pg_pages(qs, scan_qs, words_qs, limit, terms_qs)
        return
    size = max(FIRST_PAGE, limit)
    before = NO_ID_ABOVE
    while True:
        if fts:  # FTS5 yields matches by descending rowid and stops at the page size
            with connection.cursor() as cur:
                cur.execute(FTS_PAGE_SQL, [fts, before, size])
                scanned = [row[0] for row in cur.fetchall()]
            kept = set(qs.filter(letter_id__in=scanned).values_list("letter_id", flat=True))
            ids = [i for i in scanned if i in kept]
        else:
            page = qs.filter(letter_id__lt=before).order_by("-letter_id")
            scanned = ids = list(page.values_list("letter_id", flat=True)[:size])
        if len(scanned) < size:
            yield ids, 0, len(scanned)
            return
        before = scanned[-1]
        yield ids, before, len(scanned)
        size *= 4


@contextmanager
def _planner(*settings: str) -> Iterator[None]:
    """PostgreSQL planner settings for the queries inside, then as they were: ``SET LOCAL`` inside
    a caller's transaction would outlive the query, so each setting is reset afterwards."""
    with transaction.atomic(), connection.cursor() as cur:
        for setting in settings:
            cur.execute(f"SET LOCAL {setting}")
        yield
        for setting in settings:
            cur.execute(f"RESET {setting.split('=')[0].strip()}")


def _newest(qs: QuerySet[LetterIndex], low: int, before: int, n: int) -> list[int]:
    """Walk the primary key from ``before`` down to ``low``, each row tested as it comes."""
    with _planner("enable_bitmapscan = off"):  # the GIN estimates would pick a bitmap of every match
        return list(qs.filter(letter_id__lt=before, letter_id__gte=low).order_by("-letter_id")
                    .values_list("letter_id", flat=True)[:n])


def _pg_pages(qs: QuerySet[LetterIndex], scan_qs: QuerySet[LetterIndex], words_qs: QuerySet[LetterIndex] | None,
              limit: int, terms_qs: QuerySet[LetterIndex] | None) -> Iterator[tuple[list[int], int, int]]:
    """PostgreSQL: the newest rows are read by the primary key, each tested with strpos; the matches
    found there tell how dense the query is. While the density seen so far says the rest of the
    results lie within a few rows, and fewer rows than a read of the index would fetch, keep walking
    the primary key back (the cost is bounded by the rows walked). Otherwise one read of everything
    older through a GIN index:

    - with ``words_qs`` (records.textwords), the rows holding the query's dictionary words: exact
      for a dictionary word, so the rows it fetches are the letters holding the words;
    - else the pg_trgm index, which fetches and rechecks every row holding the words' trigrams,
      with enough memory for an exact bitmap. How many that is cannot be told from the matches (Thai
      trigrams with vowel and tone marks are common: a five-character fragment with 12 matches in
      16,000 rows fetched 5,000 rows), so only the walk's length limits the walk.

    What a read of the word index fetches does not depend on who searches: it is every letter holding
    the words, which the user's visibility keys, short terms and filters then thin out. With
    ``terms_qs`` (the rows holding the indexed terms alone, when the query has more conditions) those
    are counted in the newest ``SAMPLE_ROWS``; else they are the matches found.

    Not windows of the GIN index: pg_trgm estimates a few dozen rows for most words, so the planner
    does not AND an id range into the bitmap, and each window fetched and rechecked every
    candidate of the whole table again (13 s for a two-word query at 1,000,000 letters)."""
    top = LetterIndex.objects.order_by("-letter_id").values_list("letter_id", flat=True).first()
    if top is None:
        yield [], 0, 0
        return
    before = top + 1
    low = max(before - (RECENT_ROWS if words_qs is None else RECENT_ROWS_WORDS), 0)
    ids = list(scan_qs.filter(letter_id__lt=before, letter_id__gte=low).order_by("-letter_id")
               .values_list("letter_id", flat=True)[:limit])
    found, walked = len(ids), before - low
    yield ids, (ids[-1] if found == limit else low), found
    before = low
    density: float | None = None  # of the letters an index read would fetch, per row
    while found < limit and before and found:
        expected = (limit - found) * walked // found  # rows still to walk at the density seen
        if density is None:
            sample = min(SAMPLE_ROWS, walked)
            density = (found / walked if terms_qs is None or words_qs is None else
                       terms_qs.filter(letter_id__gte=top + 1 - sample).count() / sample)
        fetched = density * before  # what one index read of everything older would fetch
        if expected > WALK_ROWS or (words_qs is not None and expected > fetched * WORDS_ROW_COST):
            break
        low = max(before - 2 * max(expected, RECENT_ROWS_WORDS), 0)
        ids = _newest(scan_qs, low, before, limit - found)
        found += len(ids)
        walked += before - low
        yield ids, (ids[-1] if found == limit else low), len(ids)
        before = low
    if found < limit and before:
        # Neither a walk of the primary key nor (for the word index) of the whole table.
        settings = ["enable_indexscan = off", f"work_mem = '{BITMAP_WORK_MEM}'"]
        older = qs if words_qs is None else words_qs
        if words_qs is not None:
            settings.append("enable_seqscan = off")
        with _planner(*settings):
            ids = list(older.filter(letter_id__lt=before).order_by("-letter_id")
                       .values_list("letter_id", flat=True)[:limit - found])
        yield ids, 0, len(ids)


def letters_search(*, user: User, query: SearchQuery, limit: int = 50) -> list[Letter]:
    """Letters matching the query that the user may open, newest first (at most ``limit``).

    The user's clearance and visibility keys (records.access) are conditions of the query that
    reads the text, so pages hold only letters the user may open; the results then pass through
    ``letters_visible_to`` itself, so search never shows a letter the rule does not allow.
    On SQLite, after a few pages of FTS matches that the other conditions mostly reject, one query
    joins the FTS match to the rest."""
    prefetch_related_objects([user], "memberships")  # read by each role check below
    if not user.is_active or not user.can_open:
        return []
    ids: list[int] = []
    qs, fts = _matching(query, user, fts_table=True)
    before = NO_ID_ABOVE
    scanned = 0
    scan_qs, words_qs, terms_qs = qs, None, None
    if connection.vendor == "postgresql":
        scan_qs = _matching(query, user, fts_table=False, scan=True)[0]
        if _words_usable(query):
            words_qs = _matching(query, user, fts_table=False, words=True)[0]
            terms = query_terms(query.text)
            long_terms = [t for t in terms if len(t) >= MIN_INDEXED_TERM]
            # Conditions besides the indexed terms: count the terms alone (the clearance is not one:
            # secret letters are a small share of all).
            if (query != SearchQuery(text=query.text) or len(long_terms) < len(terms)
                    or user_access_keys(user) is not None):
                terms_qs = LetterIndex.objects.all()
                for term in long_terms:
                    terms_qs = terms_qs.filter(_has(term, scan=True))
    for page, before, read in _pages(qs, fts, limit, scan_qs, words_qs, terms_qs):
        ids.extend(page)
        scanned += read
        if len(ids) >= limit:
            before = 0
        if not before or (fts and scanned >= SCAN_BUDGET):
            break
    if before:
        rest, _ = _matching(query, user, fts_table=False)
        rest = rest.filter(letter_id__lt=before)
        ids.extend(rest.order_by("-letter_id").values_list("letter_id", flat=True)[: limit - len(ids)])
    ids = ids[:limit]
    # Never show a letter the access rule does not allow, whatever the index says.
    allowed = letters_visible_to(user).filter(pk__in=ids).values("pk")  # DISTINCT over ids, not whole rows
    letters = Letter.objects.filter(pk__in=allowed).select_related("owner_unit")
    by_id = {letter.pk: letter for letter in letters}
    found = [by_id[i] for i in ids if i in by_id]
    # With a full page, an older secret letter could not enter it: only newer ones are opened.
    above = found[-1].pk if len(found) >= limit else 0
    secret = secret_letters_matching(user=user, query=query, limit=limit, above=above)
    if not secret:
        return found
    merged = {letter.pk: letter for letter in [*found, *secret]}
    return [merged[i] for i in sorted(merged, reverse=True)[:limit]]


# Secret letters' text is sealed at rest, so the index holds only their ที่ and parties in the clear and
# their whole metadata text sealed under the letter's own key. A cleared user's text search also opens,
# in memory, that text of the newest secret letters they may see (at most this many) and matches the
# words in it; their files' content is not searched.
SECRET_SCAN_LIMIT = 2000


def secret_letters_matching(*, user: User, query: SearchQuery, limit: int, above: int = 0) -> list[Letter]:
    """Secret letters (newer than id ``above``) whose sealed text holds every word of the query."""
    terms = query_terms(query.text)
    if not terms or user.clearance < Secrecy.CONFIDENTIAL:
        return []
    candidates = _filtered(LetterIndex.objects.filter(secrecy__gte=Secrecy.CONFIDENTIAL, secrecy__lte=user.clearance,
                                                      letter_id__gt=above), query, [])
    keys = user_access_keys(user)
    if keys is not None:  # the letters the user may open, by the index rows' visibility keys
        candidates = candidates.filter(access_keys__has_any_keys=keys)
    # The nonce of each sealed text (its first bytes) names the texts this process has opened already.
    rows = candidates.order_by("-letter_id").values_list(
        "letter_id", Substr("sealed_text", 1, sealing.NONCE_BYTES, output_field=BinaryField()))[:SECRET_SCAN_LIMIT]
    texts: dict[int, str] = {}
    unopened: list[int] = []
    unsealed: list[int] = []  # rows indexed before the sealed text existed
    opened_texts.expire(every=60)  # a look at every kept text, once a minute at most
    for pk, nonce in rows:
        text = None if nonce is None else opened_texts.get(pk, bytes(nonce))
        if text is not None:
            texts[pk] = text
        else:
            (unsealed if nonce is None else unopened).append(pk)
    texts.update(_secret_texts_open(unopened))
    # A sealed text that does not open for its row: the letter's own fields decide.
    unsealed += [pk for pk in unopened if pk not in texts]
    texts.update(_secret_letters_text(unsealed))
    matched = [pk for pk in sorted(texts, reverse=True) if all(t in texts[pk] for t in terms)][:limit]
    if not matched:
        return []
    # Never show a letter the access rule does not allow, whatever the index says.
    allowed = letters_visible_to(user).filter(pk__in=matched).values("pk")
    by_id = Letter.objects.filter(pk__in=allowed).select_related("owner_unit").in_bulk()
    return [by_id[pk] for pk in matched if pk in by_id]


def _secret_texts_open(ids: list[int]) -> dict[int, str]:
    """The sealed search text of these index rows that opens for its row (kept for the next search,
    records.openedtexts)."""
    texts: dict[int, str] = {}
    masters = sealing.keyring() if ids else []
    rows = LetterIndex.objects.filter(letter_id__in=ids).values_list("letter_id", "sealed_text",
                                                                     "letter__key_wrapped", "letter__key_id")
    for pk, blob, wrapped, key_id in rows:
        if blob is not None and wrapped is not None:
            try:
                data_key = sealing.data_key_unwrap(bytes(wrapped), key_id, masters)
                texts[pk] = sealing.search_text_open(data_key, bytes(blob), pk)
            except sealing.SealBrokenError:  # not this letter's sealed text
                continue
            opened_texts.put(pk, bytes(blob[:sealing.NONCE_BYTES]), texts[pk])
    return texts


def _secret_letters_text(ids: list[int]) -> dict[int, str]:
    """The normalised metadata text of these secret letters, from their sealed fields (plain rows,
    opened here, rather than model instances)."""
    texts: dict[int, str] = {}
    rows = Letter.objects.filter(pk__in=ids).values_list("pk", "sealed_fields", "key_wrapped", "key_id",
                                                          *METADATA_FIELDS)
    for pk, blob, wrapped, key_id, *values in rows:
        fields = dict(zip(METADATA_FIELDS, values, strict=True))
        if blob is not None and wrapped is not None:
            fields.update(sealing.fields_open(sealing.data_key_unwrap(bytes(wrapped), key_id), bytes(blob)))
        texts[pk] = normalize(metadata_text(fields))
    return texts
