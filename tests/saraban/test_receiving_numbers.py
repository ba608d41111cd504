"""Receive numbers from the registration service: concurrent clerks, the year boundary, cancelling."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from saraban.correspondence.models import Book, Letter, RegisterEntry
from saraban.correspondence.services import register_entry_cancel
from saraban.receiving.models import Reception
from saraban.receiving.services import IncomingFiles, IncomingMetadata, incoming_letter_create, incoming_letter_register
from tests.saraban.conftest import Cast

BKK = ZoneInfo("Asia/Bangkok")


def _waiting(cast: Cast, count: int) -> list[Letter]:
    """Letters that arrived and wait for a number (set up in bulk: the arrival is not under test)."""
    letters = Letter.objects.bulk_create(
        [Letter(direction=Letter.Direction.INCOMING, source=Letter.Source.PAPER, subject=f"หนังสือที่ {i}",
                created_by=cast.clerk, received_at=timezone.now()) for i in range(count)]
    )
    Reception.objects.bulk_create([Reception(letter=letter, registry=cast.central) for letter in letters])
    return letters


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_gives_2000_letters_registered_by_16_clients_the_numbers_1_to_2000(cast: Cast) -> None:
    """GIVEN 2,000 waiting letters WHEN 16 clerks register them at once THEN the numbers are 1..2000."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer")
    letters = _waiting(cast, 2000)
    workers = 16
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def work(share: list[Letter]) -> None:
        try:
            barrier.wait()
            for letter in share:
                incoming_letter_register(actor=cast.clerk, letter=letter, stamp=False)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=work, args=(letters[i::workers],)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(RegisterEntry.objects.filter(registry=cast.central, book=Book.RECEIVE).values_list("number",
                                                                                                       flat=True))
    assert numbers == list(range(1, 2001))
    assert Reception.objects.filter(state=Reception.State.REGISTERED, entry__isnull=False).count() == 2000


@pytest.mark.django_db
def test_it_restarts_the_receive_series_on_the_first_of_january(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    letters = _waiting(cast, 4)

    def at(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(dt.UTC))

    at(dt.datetime(2026, 12, 31, 23, 59, 30, tzinfo=BKK))
    last_of_year = [incoming_letter_register(actor=cast.clerk, letter=letter, stamp=False) for letter in letters[:3]]
    at(dt.datetime(2027, 1, 1, 0, 0, 5, tzinfo=BKK))
    first = incoming_letter_register(actor=cast.clerk, letter=letters[3], stamp=False)
    assert [(e.year, e.number) for e in last_of_year] == [(2026, 1), (2026, 2), (2026, 3)]
    assert (first.year, first.number) == (2027, 1)


@pytest.mark.django_db
def test_it_keeps_a_cancelled_receive_number_and_never_reissues_it(cast: Cast) -> None:
    a, b = _waiting(cast, 2)
    first = incoming_letter_register(actor=cast.clerk, letter=a, stamp=False)
    register_entry_cancel(actor=cast.clerk, entry=first, reason="ลงรับผิดฉบับ")
    second = incoming_letter_register(actor=cast.clerk, letter=b, stamp=False)
    first.refresh_from_db()
    assert first.cancelled and first.number == 1 and second.number == 2


@pytest.mark.django_db
def test_it_registers_a_secret_letter_in_the_secret_register(cast: Cast) -> None:
    letter = incoming_letter_create(actor=None, registry=cast.central, source=Letter.Source.HUB,
                                    metadata=IncomingMetadata(subject="ข้อมูลลับ", secrecy=1), files=IncomingFiles())
    entry = incoming_letter_register(actor=cast.clerk, letter=letter)
    assert (entry.book, entry.number) == (Book.SECRET_RECEIVE, 1)


@pytest.mark.django_db
def test_it_refuses_to_register_the_same_letter_twice(cast: Cast) -> None:
    from govcommon.errors import ConflictError

    (letter,) = _waiting(cast, 1)
    incoming_letter_register(actor=cast.clerk, letter=letter, stamp=False)
    with pytest.raises(ConflictError):
        incoming_letter_register(actor=cast.clerk, letter=letter, stamp=False)
    assert RegisterEntry.objects.count() == 1


@pytest.mark.django_db
def test_it_registers_a_batch_of_hub_letters_and_answers_each_sender(cast: Cast) -> None:
    from saraban.receiving.models import ReceiptResult
    from saraban.receiving.services import incoming_letters_register

    first = _waiting(cast, 1)
    incoming_letter_register(actor=cast.clerk, letter=first[0], stamp=False)
    batch = [
        incoming_letter_create(actor=None, registry=cast.central, source=Letter.Source.HUB,
                               metadata=IncomingMetadata(subject=f"หนังสือจากระบบกลาง {i}"), files=IncomingFiles(),
                               channel_ref=f"L-{i}")
        for i in range(4)
    ]
    entries = incoming_letters_register(actor=cast.clerk, registry=cast.central, letters=batch)
    assert [e.number for e in entries] == [2, 3, 4, 5]
    assert set(Reception.objects.filter(letter__in=batch).values_list("state", flat=True)) == {"registered"}
    results = ReceiptResult.objects.filter(letter__in=batch).order_by("receive_number")
    assert [(r.channel_ref, r.receive_number) for r in results] == [(f"L-{i}", i + 2) for i in range(4)]
    from govcommon.errors import ConflictError

    with pytest.raises(ConflictError):
        incoming_letters_register(actor=cast.clerk, registry=cast.central, letters=batch[:1])
