from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import close_old_connections, connection, transaction

from saraban.correspondence.models import Book, Letter, RegisterEntry
from saraban.correspondence.numbering import number_next
from saraban.correspondence.services import register_entry_cancel, register_entry_create
from tests.saraban.conftest import Cast

BKK = ZoneInfo("Asia/Bangkok")


def _letter(cast: Cast, subject: str = "ขอเชิญประชุม", secrecy: int = 0) -> Letter:
    return Letter.objects.create(direction=Letter.Direction.INCOMING, subject=subject, secrecy=secrecy,
                                 created_by=cast.clerk)


@pytest.mark.django_db
def test_it_numbers_in_sequence_per_registry_and_book(cast: Cast) -> None:
    with transaction.atomic():
        a = register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE, letter=_letter(cast))
        b = register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE, letter=_letter(cast))
        c = register_entry_create(actor=cast.clerk, registry=cast.unit_registry, book=Book.RECEIVE,
                                  letter=_letter(cast))
        d = register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.SEND, letter=_letter(cast))
    assert (a.number, b.number, c.number, d.number) == (1, 2, 1, 1)


@pytest.mark.django_db
def test_it_puts_secret_letters_in_the_secret_register(cast: Cast) -> None:
    with transaction.atomic():
        e = register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE,
                                  letter=_letter(cast, secrecy=1))
    assert e.book == Book.SECRET_RECEIVE and e.number == 1


@pytest.mark.django_db
def test_it_gives_back_the_number_of_a_registration_that_failed(cast: Cast) -> None:
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE, letter=_letter(cast))
        1 / 0  # noqa: B018 - the registration's transaction fails after taking the number
    with transaction.atomic():
        e = register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE, letter=_letter(cast))
    assert e.number == 1


@pytest.mark.django_db
def test_it_keeps_a_cancelled_number_marked_and_never_reuses_it(cast: Cast) -> None:
    with transaction.atomic():
        e = register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE, letter=_letter(cast))
    register_entry_cancel(actor=cast.clerk, entry=e, reason="ลงรับซ้ำ")
    with transaction.atomic():
        f = register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE, letter=_letter(cast))
    e.refresh_from_db()
    assert e.cancelled and e.cancelled_reason == "ลงรับซ้ำ"
    assert f.number == 2


@pytest.mark.django_db
def test_it_restarts_the_series_on_the_first_of_january(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.utils import timezone

    def at(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))

    at(dt.datetime(2026, 12, 31, 23, 59, tzinfo=BKK))
    with transaction.atomic():
        for _ in range(3):
            last = register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE,
                                         letter=_letter(cast))
    at(dt.datetime(2027, 1, 1, 0, 1, tzinfo=BKK))
    with transaction.atomic():
        first = register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE,
                                      letter=_letter(cast))
    assert (last.year, last.number) == (2026, 3)
    assert (first.year, first.number) == (2027, 1)


@pytest.mark.django_db(transaction=True)
def test_it_never_repeats_or_skips_with_concurrent_clerks(cast: Cast) -> None:
    """GIVEN 8 clerks taking numbers at once WHEN each takes 25 THEN the numbers are 1..200."""
    workers, per_worker = 8, 25
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(per_worker):
                with transaction.atomic():
                    number_next(registry=cast.central, book=Book.RECEIVE, year=2026)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    from saraban.correspondence.models import Counter

    assert Counter.objects.get(registry=cast.central, book=Book.RECEIVE, year=2026).last_number == 200
    assert RegisterEntry.objects.count() == 0


@pytest.mark.django_db
def test_it_registers_a_batch_with_consecutive_numbers_and_a_record_each(cast: Cast) -> None:
    from saraban.audit.models import AuditRecord
    from saraban.audit.services import audit_chain_verify
    from saraban.correspondence.services import register_entries_create

    with transaction.atomic():
        register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE, letter=_letter(cast))
        letters = [_letter(cast, subject=f"เรื่องที่ {i}", secrecy=1 if i == 2 else 0) for i in range(5)]
        entries = register_entries_create(actor=cast.clerk, registry=cast.central, book=Book.RECEIVE,
                                          letters=letters)
    normal = [(e.book, e.number) for e in entries if e.book == Book.RECEIVE]
    assert normal == [(Book.RECEIVE, n) for n in (2, 3, 4, 5)]
    assert [(e.book, e.number) for e in entries if e.book != Book.RECEIVE] == [(Book.SECRET_RECEIVE, 1)]
    assert AuditRecord.objects.filter(action__startswith="register.").count() == 6
    assert audit_chain_verify() == []
