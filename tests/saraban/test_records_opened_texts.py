"""A cleared user's search keeps the secret letters' search text it opened in memory, under the
letter and the nonce of the sealed blob, for a while and within a size: a later search opens only
what changed, and a re-indexed letter is matched on its new text."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Letter
from saraban.records.models import LetterIndex
from saraban.records.openedtexts import OpenedTexts, opened_texts
from saraban.records.selectors import SearchQuery, letters_search
from saraban.records.services import letter_index
from tests.saraban.conftest import Cast


def test_it_gives_a_text_back_only_for_the_blob_it_was_opened_from() -> None:
    kept = OpenedTexts()
    kept.put(7, b"nonce-one", "ขออนุมัติเดินทางไปราชการ")
    assert kept.get(7, b"nonce-one") == "ขออนุมัติเดินทางไปราชการ"
    assert kept.get(7, b"nonce-two") is None  # sealed again: another nonce
    assert kept.get(7, b"nonce-one") is None  # and the old text is gone
    assert kept.get(8, b"nonce-one") is None


def test_it_forgets_texts_after_their_time_and_the_oldest_beyond_its_size() -> None:
    kept = OpenedTexts()
    with override_settings(SARABAN_SEARCH_OPENED_TTL=-1):
        kept.put(1, b"n1", "หนังสือลับ")
    assert kept.get(1, b"n1") is None
    with override_settings(SARABAN_SEARCH_OPENED_TTL=-1):
        kept.put(2, b"n2", "หนังสือลับ")
    assert kept.expire() == 1 and len(kept) == 0
    with override_settings(SARABAN_SEARCH_OPENED_CHARS=10):
        kept.put(1, b"n1", "กขคง")
        kept.put(2, b"n2", "จฉชซ")
        assert kept.get(1, b"n1") == "กขคง"  # used: now the most recent
        kept.put(3, b"n3", "ฌญฎฏ")  # 12 characters: the least recently used goes
        assert kept.get(2, b"n2") is None and kept.get(1, b"n1") == "กขคง" and kept.get(3, b"n3") == "ฌญฎฏ"
        kept.put(4, b"n4", "ก" * 11)  # longer than the whole size: not kept
        assert kept.get(4, b"n4") is None
    with override_settings(SARABAN_SEARCH_OPENED_CHARS=0):
        kept.put(5, b"n5", "ก")
        assert kept.get(5, b"n5") is None


@pytest.mark.django_db(transaction=True)
def test_a_second_search_reads_no_sealed_text_and_a_changed_letter_is_matched_on_its_new_text(cast: Cast) -> None:
    letter = Letter.objects.create(direction=Letter.Direction.INCOMING, subject="แผนป้องกันชายแดนด้านตะวันออก",
                                   secrecy=Secrecy.SECRET, owner_unit=cast.central.unit, created_by=cast.clerk)
    letter_index(letter=letter)
    opened_texts.clear()

    def found(text: str) -> set[int]:
        return {x.pk for x in letters_search(user=cast.clerk, query=SearchQuery(text=text))}

    def sealed_blobs_read(text: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert found(text) == {letter.pk}
        return sum('"records_letterindex"."sealed_text" AS' in q["sql"] for q in queries.captured_queries)

    assert sealed_blobs_read("ป้องกันชายแดน") == 1  # opened once ...
    assert sealed_blobs_read("ตะวันออก") == 0  # ... then matched from memory
    blob = bytes(LetterIndex.objects.get(letter=letter).sealed_text or b"")
    assert opened_texts.get(letter.pk, blob[:12]) is not None

    letter.subject = "แผนฝึกซ้อมรับมืออุทกภัย"
    letter.save()
    letter_index(letter=letter)  # sealed again under a new nonce
    assert found("อุทกภัย") == {letter.pk}
    assert found("ป้องกันชายแดน") == set()
