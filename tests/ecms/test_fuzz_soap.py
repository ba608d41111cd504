"""Fuzzing the hub's SOAP endpoint with random and mutated messages from a real sender.

Property: the answer is 200 or a 4xx SOAP Fault, never a 500; and unless the answer is 200 (the
mutation left a valid letter), nothing is stored: no letter, queue item, event or file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecms.hub.models import Letter, LetterEvent, QueueItem
from tests.ecms.helpers import DOPA, SOC, envelope, fault_code, make_letter, post
from tests.thegif.test_fuzz_parser import mutated, mutated_elements
from thegif import messages as m

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SAMPLE = envelope(m.OutboundRequest(item=make_letter(SOC, DOPA)))


def _counts(files: Path) -> tuple[int, int, int, int]:
    stored = sum(1 for p in files.rglob("*") if p.is_file()) if files.exists() else 0
    return Letter.objects.count(), QueueItem.objects.count(), LetterEvent.objects.count(), stored


def _check(hub: Path, body: bytes) -> None:
    before = _counts(hub)
    status, content = post(Client(), SOC, body)
    assert status < 500, content[:400]
    if status != 200:
        assert fault_code(content)
        assert _counts(hub) == before


def test_it_accepts_the_unmutated_sample(hub: Path) -> None:
    status, _ = post(Client(), SOC, SAMPLE)
    assert status == 200 and Letter.objects.count() == 1


@FUZZ
@given(body=st.binary(max_size=1024))
def test_it_never_fails_with_500_on_random_bytes(hub: Path, body: bytes) -> None:
    _check(hub, body)


@FUZZ
@given(body=mutated(SAMPLE))
def test_it_never_fails_with_500_or_stores_a_letter_from_mutated_bytes(hub: Path, body: bytes) -> None:
    _check(hub, body)


@FUZZ
@given(body=mutated_elements(SAMPLE))
def test_it_never_fails_with_500_or_stores_a_letter_from_mutated_elements(hub: Path, body: bytes) -> None:
    _check(hub, body)
