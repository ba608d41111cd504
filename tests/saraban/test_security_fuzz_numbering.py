"""Property-based tests of the running numbers: random sequences of registrations never skip or repeat.

Each example runs a random list of operations against the real services — register one letter,
register a batch, register letters waiting at a registry one by one or all at once, cancel a line,
a registration whose transaction rolls back after taking its number, a batch refused because one
letter was already registered, the clock moving to the last minute of a year or the first minute of
the next (Asia/Bangkok, so UTC is still in the old year), secret letters that go to the secret book —
and a model predicts every number. After the example, every (registry, book, year) holds exactly
1..n, with no gap and no repeat, its counter stands at n, cancelled lines keep their numbers, and the
audit chain verifies. Each example runs inside a savepoint rolled back at its end, so each starts clean.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter as Tally
from dataclasses import dataclass, field
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govcommon.errors import ConflictError, ValidationError
from saraban.audit.models import AuditRecord
from saraban.audit.services import audit_chain_verify
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Book, Counter, Letter, RegisterEntry, Registry
from saraban.correspondence.services import register_entries_create, register_entry_cancel, register_entry_create
from saraban.receiving.models import Reception
from saraban.receiving.services import (
    IncomingFiles,
    IncomingMetadata,
    incoming_letter_create,
    incoming_letter_register,
    incoming_letters_register,
)
from tests.saraban.conftest import Cast

pytestmark = pytest.mark.django_db

BKK = ZoneInfo("Asia/Bangkok")
FUZZ = settings(max_examples=25, deadline=None, derandomize=False,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])
BOOKS = (Book.RECEIVE, Book.SEND, Book.CIRCULAR, Book.ORDER)
SECRET_BOOK = {Book.RECEIVE: Book.SECRET_RECEIVE, Book.SEND: Book.SECRET_SEND}

Key = tuple[int, str, int]  # (registry id, book, year)


class Rollback(Exception):
    """Raised inside a registration's transaction after its number was taken."""


registry_ix = st.integers(0, 1)
secrecy = st.sampled_from([Secrecy.NORMAL, Secrecy.NORMAL, Secrecy.CONFIDENTIAL, Secrecy.TOP_SECRET])
OPERATIONS = st.one_of(
    st.tuples(st.just("one"), registry_ix, st.sampled_from(BOOKS), secrecy),
    st.tuples(st.just("batch"), registry_ix, st.sampled_from(BOOKS), st.lists(secrecy, min_size=1, max_size=6)),
    st.tuples(st.just("arrive_one"), registry_ix, secrecy),
    st.tuples(st.just("arrive_batch"), registry_ix, st.lists(secrecy, min_size=1, max_size=5)),
    st.tuples(st.just("arrive_batch_conflict"), registry_ix, st.lists(secrecy, min_size=1, max_size=3)),
    st.tuples(st.just("cancel"), st.integers(0, 1_000)),
    st.tuples(st.just("rollback"), registry_ix, st.sampled_from(BOOKS), secrecy),
    st.tuples(st.just("rollback_batch"), registry_ix, st.sampled_from(BOOKS), st.lists(secrecy, min_size=1,
                                                                                        max_size=4)),
    st.tuples(st.just("clock"), st.sampled_from(["year_end", "new_year"])),
)


@dataclass
class Model:
    """What the numbers must be, computed without the database."""

    year: int = 2026
    counters: Tally[Key] = field(default_factory=Tally)
    entries: dict[int, tuple[Key, int]] = field(default_factory=dict)  # entry id -> (key, number)
    cancelled: set[int] = field(default_factory=set)

    def key(self, registry: Registry, book: str, secret: int) -> Key:
        resolved = SECRET_BOOK.get(Book(book), book) if secret >= Secrecy.CONFIDENTIAL else book
        return int(registry.pk), str(resolved), self.year

    def expect(self, entry: RegisterEntry, registry: Registry, book: str, secret: int) -> None:
        key = self.key(registry, book, secret)
        self.counters[key] += 1
        got = (int(entry.registry_id), entry.book, entry.year)
        expected = (key, self.counters[key])
        assert (got, entry.number) == expected, f"entry {entry} != expected {expected}"
        self.entries[entry.pk] = (key, entry.number)


class World:
    def __init__(self, cast: Cast, model: Model) -> None:
        self.cast, self.model = cast, model
        self.registries = (cast.central, cast.unit_registry)
        self.serial = count(1)

    def letter(self, secret: int) -> Letter:
        return Letter.objects.create(direction=Letter.Direction.INCOMING, subject=f"หนังสือที่ {next(self.serial)}",
                                     secrecy=secret, created_by=self.cast.clerk)

    def arrive(self, registry: Registry, secret: int) -> Letter:
        n = next(self.serial)
        return incoming_letter_create(
            actor=None, registry=registry, source=Letter.Source.HUB,
            metadata=IncomingMetadata(subject=f"หนังสือเข้าที่ {n}", secrecy=secret),
            files=IncomingFiles(evidence=f"<xml n='{n}'/>".encode()), channel_ref=f"MSG-{n}", reply_to="1503000000",
        )

    def run(self, op: tuple[object, ...]) -> None:
        m, clerk = self.model, self.cast.clerk
        match op:
            case ("one", int(r), str(book), int(secret)):
                registry = self.registries[r]
                with transaction.atomic():
                    entry = register_entry_create(actor=clerk, registry=registry, book=book, letter=self.letter(secret))
                m.expect(entry, registry, book, secret)
            case ("batch", int(r), str(book), list(secrets)):
                registry = self.registries[r]
                letters = [self.letter(s) for s in secrets]
                with transaction.atomic():
                    entries = register_entries_create(actor=clerk, registry=registry, book=book, letters=letters)
                by_letter = {e.letter_id: e for e in entries}
                assert len(by_letter) == len(letters)
                for letter in letters:  # numbers follow the order of the letters within each book
                    m.expect(by_letter[letter.pk], registry, book, letter.secrecy)
            case ("arrive_one", int(r), int(secret)):
                registry = self.registries[r]
                entry = incoming_letter_register(actor=clerk, letter=self.arrive(registry, secret), stamp=False)
                m.expect(entry, registry, Book.RECEIVE, secret)
            case ("arrive_batch", int(r), list(secrets)):
                registry = self.registries[r]
                letters = [self.arrive(registry, s) for s in secrets]
                entries = incoming_letters_register(actor=clerk, registry=registry, letters=letters)
                by_letter = {e.letter_id: e for e in entries}
                assert len(by_letter) == len(letters)
                for letter in letters:
                    m.expect(by_letter[letter.pk], registry, Book.RECEIVE, letter.secrecy)
            case ("arrive_batch_conflict", int(r), list(secrets)):
                # one letter of the batch was registered already: the whole batch is refused, no number taken
                registry = self.registries[r]
                done = self.arrive(registry, Secrecy.NORMAL)
                m.expect(incoming_letter_register(actor=clerk, letter=done, stamp=False), registry, Book.RECEIVE, 0)
                letters = [self.arrive(registry, s) for s in secrets]
                before = RegisterEntry.objects.count(), AuditRecord.objects.count()
                with pytest.raises(ConflictError):
                    incoming_letters_register(actor=clerk, registry=registry, letters=[*letters, done])
                assert (RegisterEntry.objects.count(), AuditRecord.objects.count()) == before
                waiting = Reception.objects.filter(letter__in=letters, state=Reception.State.WAITING).count()
                assert waiting == len(letters)
            case ("cancel", int(pick)):
                if not m.entries:
                    return
                entry_id = sorted(m.entries)[pick % len(m.entries)]
                entry = RegisterEntry.objects.get(pk=entry_id)
                with pytest.raises(ValidationError):  # bad input first: no reason, nothing changes
                    register_entry_cancel(actor=clerk, entry=entry, reason="  ")
                if entry_id in m.cancelled:
                    with pytest.raises(ConflictError):
                        register_entry_cancel(actor=clerk, entry=entry, reason="ยกเลิกซ้ำ")
                else:
                    done = register_entry_cancel(actor=clerk, entry=entry, reason="ลงรับซ้ำ")
                    assert done.cancelled and done.number == m.entries[entry_id][1]
                    m.cancelled.add(entry_id)
            case ("rollback", int(r), str(book), int(secret)):
                registry = self.registries[r]
                letter = self.letter(secret)
                with pytest.raises(Rollback), transaction.atomic():
                    register_entry_create(actor=clerk, registry=registry, book=book, letter=letter)
                    raise Rollback
                assert not RegisterEntry.objects.filter(letter=letter).exists()
            case ("rollback_batch", int(r), str(book), list(secrets)):
                registry = self.registries[r]
                letters = [self.letter(s) for s in secrets]
                with pytest.raises(Rollback), transaction.atomic():
                    register_entries_create(actor=clerk, registry=registry, book=book, letters=letters)
                    raise Rollback
                assert not RegisterEntry.objects.filter(letter__in=letters).exists()
            case ("clock", "year_end"):
                self.at(dt.datetime(m.year, 12, 31, 23, 59, 30, tzinfo=BKK))
            case ("clock", "new_year"):
                m.year += 1
                # 00:00:30 on 1 January in Bangkok is still 31 December in UTC
                self.at(dt.datetime(m.year, 1, 1, 0, 0, 30, tzinfo=BKK))
            case _:  # pragma: no cover - the strategy makes nothing else
                raise AssertionError(op)

    def at(self, moment: dt.datetime) -> None:
        self.patch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))

    patch: pytest.MonkeyPatch


def _check(model: Model, before: set[int]) -> None:
    entries = list(RegisterEntry.objects.exclude(pk__in=before).values_list(
        "pk", "registry_id", "book", "year", "number", "cancelled"))
    numbers: dict[Key, list[int]] = {}
    for pk, registry_id, book, year, number, cancelled in entries:
        numbers.setdefault((registry_id, book, year), []).append(number)
        assert model.entries[pk] == ((registry_id, book, year), number), "a line changed its number or place"
        assert cancelled == (pk in model.cancelled), "a cancelled line lost its mark, or a line was marked wrongly"
    assert len(entries) == len(model.entries)
    for key, got in numbers.items():
        assert sorted(got) == list(range(1, len(got) + 1)), f"{key}: gap or repeat in {sorted(got)}"
        assert len(got) == model.counters[key]
        counter = Counter.objects.get(registry_id=key[0], book=key[1], year=key[2])
        assert counter.last_number == len(got), f"{key}: counter {counter.last_number} != {len(got)} lines"
    assert set(numbers) == {k for k, n in model.counters.items() if n}
    assert audit_chain_verify() == []


@FUZZ
@given(ops=st.lists(OPERATIONS, min_size=1, max_size=14))
def test_it_numbers_every_book_and_year_from_one_without_gap_or_repeat(
    cast: Cast, ops: list[tuple[object, ...]]
) -> None:
    before = set(RegisterEntry.objects.values_list("pk", flat=True))
    model = Model()
    world = World(cast, model)
    with pytest.MonkeyPatch.context() as patch, transaction.atomic():
        world.patch = patch
        world.at(dt.datetime(model.year, 6, 15, 10, 0, tzinfo=BKK))
        for op in ops:
            world.run(op)
        _check(model, before)
        transaction.set_rollback(True)  # the next example starts from the same clean database
