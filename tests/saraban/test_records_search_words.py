"""PostgreSQL's dictionary-word index (records.textwords): every dictionary word inside a letter's
text, found as a substring, so that a word's letters come from a GIN index without rechecking
candidates that merely share its trigrams. It must find exactly what substring search finds."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saraban.audit.models import AuditRecord
from saraban.correspondence.models import Letter
from saraban.records import selectors
from saraban.records.models import SearchWords
from saraban.records.selectors import SearchQuery, letters_search
from saraban.records.services import letter_index, words_ready
from saraban.records.textwords import text_words, vocabulary, word_hash, word_hashes
from tests.saraban.conftest import Cast

SUBJECTS = [
    "ขอเชิญประชุมคณะกรรมการพิจารณางบประมาณ",   # ประมาณ and กรรมการ only inside longer words
    "ขออนุมัติโครงการสัมมนาประจำปี",
    "นายสมศักดิ์ใจดีขอลาป่วย",                    # สมศักดิ์ is no dictionary word
    "ประมาณการค่าใช้จ่ายโครงการ",
    "แจ้งเวียนระเบียบว่าด้วยงานสารบรรณ",
    "ขาเสียหายจากอุบัติเหตุ",                    # เสีย and ขา, but not เสียขา
    "รายงานผลการประชุมครั้งที่ ๓/๒๕๖๙",
]
QUERIES = ["ประมาณ", "งบประมาณ", "กรรมการ", "ประชุม งบประมาณ", "โครงการ", "สมศักดิ์", "ศักดิ์ใจดี",
           "เสียหาย", "เสียขา", "สารบรรณ", "3/2569", "ประชุมครั้งที่", "ไม่มีคำนี้ในหนังสือ"]


def test_it_records_every_dictionary_word_inside_the_text() -> None:
    words = set(text_words("ขอเชิญประชุมคณะกรรมการพิจารณางบประมาณ"))
    for inside in ("ประชุม", "คณะกรรมการ", "กรรมการ", "พิจารณา", "งบประมาณ", "ประมาณ"):
        assert word_hash(inside) in words, inside
    assert word_hash("โครงการ") not in words
    assert text_words("") == [] and text_words("abc 123") == []


def test_a_query_uses_the_word_index_only_when_every_term_is_a_dictionary_word() -> None:
    assert vocabulary().hashes["งบประมาณ"] == word_hash("งบประมาณ")
    assert word_hashes(["งบประมาณ", "ประชุม"]) == [word_hash("งบประมาณ"), word_hash("ประชุม")]
    assert word_hashes(["งบประมาณ", "เสียขา"]) is None  # not a word: the query goes to pg_trgm
    assert word_hashes(["0201/12"]) is None


@pytest.fixture
def pg() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the word index is PostgreSQL's (SQLite searches with FTS5)")


def make_letters(cast: Cast) -> list[Letter]:
    letters = []
    for n, subject in enumerate(SUBJECTS):
        unit = cast.unit_registry.unit if n % 2 else cast.central.unit
        letter = Letter.objects.create(subject=subject, created_by=cast.clerk, owner_unit=unit,
                                       direction=Letter.Direction.INCOMING)
        letter_index(letter=letter)
        letters.append(letter)
    return letters


def search(cast: Cast, text: str, *, officer: bool = False) -> tuple[list[int], bool]:
    """The letters found, and whether the word index was read."""
    with CaptureQueriesContext(connection) as queries:
        found = letters_search(user=cast.officer if officer else cast.auditor, query=SearchQuery(text=text))
    return [x.pk for x in found], any("words @>" in q["sql"] for q in queries.captured_queries)


@pytest.mark.usefixtures("pg")
def test_the_word_index_finds_exactly_what_substring_search_finds(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN letters whose words hide inside longer words WHEN every query goes to the word index
    (no walk of the newest rows) THEN the results are the letters whose text holds each term."""
    monkeypatch.setattr(selectors, "RECENT_ROWS_WORDS", 1)
    monkeypatch.setattr(selectors, "WALK_ROWS", 0)
    letters = make_letters(cast)
    assert words_ready()
    for officer in (False, True):
        visible = [x for x in letters if not officer or x.owner_unit == cast.unit_registry.unit]
        for text in QUERIES:
            terms = selectors.query_terms(text)
            expected = [x.pk for x in reversed(visible) if all(t in x.search_index.text for t in terms)]
            found, used = search(cast, text, officer=officer)
            assert found == expected, (text, officer)
            long_terms = [t for t in terms if len(t) >= 3]
            assert used == bool(long_terms and word_hashes(long_terms) is not None), text
    assert search(cast, "ประมาณ")[0] == [letters[3].pk, letters[0].pk]  # a word inside งบประมาณ
    assert search(cast, "เสียขา") == ([], False)  # not a word: pg_trgm


@pytest.mark.usefixtures("pg")
def test_a_changed_dictionary_turns_the_word_index_off_until_it_is_rebuilt(
        cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "RECENT_ROWS_WORDS", 1)
    monkeypatch.setattr(selectors, "WALK_ROWS", 0)
    letters = make_letters(cast)
    SearchWords.objects.all().delete()
    SearchWords.objects.create(fingerprint="thai-words-of-an-older-pythainlp", built_at=letters[0].created_at)
    with connection.cursor() as cur:  # as if written with another word list: none of this one's words
        cur.execute("UPDATE records_letterindex SET words = '{}'")
    assert not words_ready()
    assert search(cast, "ประมาณ") == ([letters[3].pk, letters[0].pk], False)  # the trigram index alone

    call_command("index_letters", "--words", verbosity=0)
    assert words_ready()
    assert search(cast, "ประมาณ") == ([letters[3].pk, letters[0].pk], True)
    assert AuditRecord.objects.filter(action="search.words_rebuilt").exists()


@pytest.mark.usefixtures("pg")
def test_indexing_a_letter_again_rewrites_its_words(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(selectors, "RECENT_ROWS_WORDS", 1)
    monkeypatch.setattr(selectors, "WALK_ROWS", 0)
    letter = make_letters(cast)[1]
    assert search(cast, "สัมมนา")[0] == [letter.pk]
    letter.subject = "ขออนุมัติโครงการฝึกอบรม"
    letter.save()
    letter_index(letter=letter)
    assert search(cast, "สัมมนา") == ([], True)
    assert search(cast, "ฝึกอบรม") == ([letter.pk], True)


@pytest.mark.usefixtures("pg")
@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_words_of_letters_indexed_before_it(cast: Cast) -> None:
    """GIVEN an installation whose letters were indexed before the word index existed WHEN it
    migrates THEN every index row has its words and the word list's fingerprint is recorded."""
    from django.db.migrations.executor import MigrationExecutor

    letters = make_letters(cast)
    executor = MigrationExecutor(connection)
    executor.migrate([("records", "0006_deposit_list")])
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM information_schema.columns "
                    "WHERE table_name = 'records_letterindex' AND column_name = 'words'")
        assert cur.fetchone() == (0,)
    executor = MigrationExecutor(connection)  # the graph as it is now
    executor.migrate([("records", "0007_search_words")])
    with connection.cursor() as cur:
        cur.execute("SELECT letter_id, text, words FROM records_letterindex")
        rows = cur.fetchall()
    assert {pk for pk, _, _ in rows} == {x.pk for x in letters}
    assert all(words == text_words(text) and words for _, text, words in rows)
    assert list(SearchWords.objects.values_list("fingerprint", flat=True)) == [vocabulary().fingerprint]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
