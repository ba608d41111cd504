"""Search reads the newest candidates in pages, with the access rule in the same query: the order,
the limit, letters behind many newer ones the user may not open, holders, short words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from saraban.accounts.models import User
from saraban.correspondence.models import Letter
from saraban.receiving.models import Holding
from saraban.records import selectors
from saraban.records.access import letters_access_refresh
from saraban.records.selectors import SearchQuery, letters_search
from saraban.records.services import letter_index
from tests.saraban.conftest import Cast


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages of two candidates, so that a handful of letters needs several pages."""
    monkeypatch.setattr(selectors, "FIRST_PAGE", 2)


def make_letter(cast: Cast, subject: str, **fields: object) -> Letter:
    fields.setdefault("owner_unit", cast.central.unit)
    fields.setdefault("direction", Letter.Direction.INCOMING)
    letter = Letter.objects.create(subject=subject, created_by=cast.clerk, **fields)
    letter_index(letter=letter)
    return letter


def search(user: User, text: str, limit: int = 50, **filters: object) -> list[int]:
    query = SearchQuery(text=text, **filters)  # type: ignore[arg-type]
    return [letter.pk for letter in letters_search(user=user, query=query, limit=limit)]


@pytest.mark.usefixtures("small_pages")
def test_it_returns_the_newest_matches_first_and_stops_at_the_limit(cast: Cast) -> None:
    letters = [make_letter(cast, f"รายงานการประชุมครั้งที่ {n}") for n in range(7)]
    make_letter(cast, "คำสั่งแต่งตั้งคณะทำงาน")
    newest_first = [x.pk for x in reversed(letters)]
    assert search(cast.auditor, "ประชุม", limit=3) == newest_first[:3]
    assert search(cast.auditor, "ประชุม", limit=6) == newest_first[:6]
    assert search(cast.auditor, "ประชุม") == newest_first


@pytest.mark.parametrize("checked", [2, 1000])
@pytest.mark.usefixtures("small_pages")
def test_it_finds_the_officers_letters_behind_many_newer_letters_they_may_not_open(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, checked: int
) -> None:
    """On SQLite, with two FTS matches read page by page the rest is found by one joined query."""
    monkeypatch.setattr(selectors, "SCAN_BUDGET", checked)
    oldest = make_letter(cast, "ขออนุมัติจัดซื้อวัสดุ", owner_unit=cast.unit_registry.unit)
    mine = make_letter(cast, "ขออนุมัติจัดซื้อครุภัณฑ์", owner_unit=cast.unit_registry.unit)
    others = [make_letter(cast, f"ขออนุมัติจัดซื้อรายการที่ {n}") for n in range(9)]
    assert search(cast.officer, "จัดซื้อ", limit=1) == [mine.pk]
    assert search(cast.officer, "จัดซื้อ", limit=2) == [mine.pk, oldest.pk]
    assert search(cast.officer, "จัดซื้อ") == [mine.pk, oldest.pk]
    assert search(cast.auditor, "จัดซื้อ", limit=2) == [others[-1].pk, others[-2].pk]


@pytest.mark.usefixtures("small_pages")
def test_it_finds_a_letter_sent_to_the_officers_unit_by_another_unit(cast: Cast) -> None:
    held = make_letter(cast, "แจ้งเวียนระเบียบการลา")
    make_letter(cast, "แจ้งเวียนระเบียบการเงิน")
    assert search(cast.officer, "แจ้งเวียน") == []
    now = timezone.now()
    Holding.objects.create(letter=held, unit=cast.unit_registry.unit, sent_by=cast.clerk, sent_at=now, state_at=now)
    letters_access_refresh(letter_ids=[held.pk])  # as the forwarding services do
    assert search(cast.officer, "แจ้งเวียน") == [held.pk]


@pytest.mark.usefixtures("small_pages")
def test_it_applies_filters_to_every_page_of_text_matches(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "SCAN_BUDGET", 2)
    wanted = make_letter(cast, "ประกาศผลการสอบคัดเลือก", letter_date=dt.date(2024, 5, 1))
    for n in range(5):
        make_letter(cast, f"ประกาศผลการสอบรอบที่ {n}", letter_date=dt.date(2025, 5, 1))
    assert search(cast.auditor, "ประกาศผล", date_to=dt.date(2024, 12, 31)) == [wanted.pk]
    assert search(cast.officer, "ประกาศผล") == []


@pytest.mark.usefixtures("small_pages")
def test_it_finds_words_shorter_than_three_characters_newest_first(cast: Cast) -> None:
    old = make_letter(cast, "ขอเชิญประชุม")
    make_letter(cast, "แจ้งกำหนดการประชุม")
    new = make_letter(cast, "ขอความร่วมมือ")
    assert search(cast.auditor, "ขอ") == [new.pk, old.pk]
    assert search(cast.auditor, "ขอ ประชุม") == [old.pk]


def test_it_leaves_the_planner_settings_of_the_callers_transaction_as_they_were(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL older windows are read with index scans off for one query only."""
    monkeypatch.setattr(selectors, "RECENT_ROWS", 1)
    monkeypatch.setattr(selectors, "RECENT_ROWS_WORDS", 1)
    for n in range(3):
        make_letter(cast, f"รายงานผลการดำเนินงานไตรมาสที่ {n}")
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SHOW enable_indexscan" if connection.vendor == "postgresql" else "SELECT 'on'")
        before = cur.fetchone()
        assert search(cast.officer, "ผลการดำเนินงาน") == []
        assert len(search(cast.auditor, "ผลการดำเนินงาน")) == 3
        cur.execute("SHOW enable_indexscan" if connection.vendor == "postgresql" else "SELECT 'on'")
        assert cur.fetchone() == before == ("on",)


@pytest.mark.parametrize(("recent", "walk"), [(2, 3), (2, 100), (1, 1)])
def test_it_finds_the_same_letters_whichever_way_the_older_rows_are_read(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, recent: int, walk: int
) -> None:
    """PostgreSQL reads the newest rows by the primary key, then walks further back (dense matches)
    or reads a GIN index once (sparse ones); small sizes here take each way on a few letters."""
    monkeypatch.setattr(selectors, "RECENT_ROWS", recent)
    monkeypatch.setattr(selectors, "RECENT_ROWS_WORDS", recent)
    monkeypatch.setattr(selectors, "WALK_ROWS", walk)
    letters = [make_letter(cast, f"ขอเชิญประชุมสัมมนา {n}" if n % 3 == 2 else f"แจ้งเวียนหนังสือ {n}")
               for n in range(12)]
    wanted = [x.pk for x in reversed(letters[2::3])]  # the newest letter is one of them
    assert search(cast.auditor, "สัมมนา") == wanted
    assert search(cast.auditor, "สัมมนา", limit=2) == wanted[:2]
    assert search(cast.officer, "สัมมนา") == []


@pytest.mark.parametrize(("row_cost", "reads_word_index"), [(0, True), (10**9, False)])
def test_it_weighs_the_word_index_by_every_letter_holding_the_words_not_by_the_users_share(
    cast: Cast, monkeypatch: pytest.MonkeyPatch, row_cost: int, reads_word_index: bool
) -> None:
    """PostgreSQL: a read of the word index fetches every letter holding the words, whoever searches.
    For an officer who may open a quarter of them, those are counted in the newest rows (the words
    alone, without the access keys) and weighed against walking on; either way finds the same letters."""
    if connection.vendor != "postgresql":
        pytest.skip("the word index is PostgreSQL's (SQLite searches with FTS5)")
    monkeypatch.setattr(selectors, "RECENT_ROWS_WORDS", 2)
    monkeypatch.setattr(selectors, "SAMPLE_ROWS", 2)
    monkeypatch.setattr(selectors, "WORDS_ROW_COST", row_cost)
    letters = [make_letter(cast, f"ขอเชิญประชุมสัมมนา {n}",
                           owner_unit=cast.unit_registry.unit if n % 4 == 3 else cast.central.unit)
               for n in range(12)]
    mine = [x.pk for x in reversed(letters) if x.owner_unit_id == cast.unit_registry.unit.pk]
    with CaptureQueriesContext(connection) as queries:
        assert search(cast.officer, "สัมมนา") == mine
    sqls = [q["sql"] for q in queries.captured_queries]
    counted = [s for s in sqls if "COUNT(*)" in s and "STRPOS" in s]
    assert len(counted) == 1 and "access_keys" not in counted[0]
    assert any("@>" in s for s in sqls) is reads_word_index
    with CaptureQueriesContext(connection) as queries:  # the auditor's matches are the letters themselves
        assert len(search(cast.auditor, "สัมมนา", limit=5)) == 5
    assert not any("COUNT(*)" in q["sql"] for q in queries.captured_queries)
