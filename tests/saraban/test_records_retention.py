"""Retention stamps (เก็บถึง พ.ศ.) and destruction batches that need a committee of three."""

from __future__ import annotations

import datetime as dt

import pytest

from govcommon.errors import ValidationError
from saraban.correspondence.models import Letter
from saraban.records.models import DestructionBatch, Retention
from saraban.records.retention import Member, destruction_batch_create, letter_store
from tests.saraban.conftest import Cast

CHAIR = Member("นายประธาน กรรมการ", "ผู้อำนวยการกองกลาง", is_chair=True)
M1 = Member("นางสมใจ ตรวจดี", "นักจัดการงานทั่วไปชำนาญการ")
M2 = Member("นายสมชาย รักษ์เอกสาร", "เจ้าพนักงานธุรการชำนาญงาน")


def letter(cast: Cast, year: int = 2010) -> Letter:
    return Letter.objects.create(direction="in", subject="รายงานประจำเดือน", owner_unit=cast.central.unit,
                                 letter_date=dt.date(year, 3, 1))


def test_it_stamps_keep_until_year_or_do_not_destroy(cast: Cast) -> None:
    assert letter_store(actor=cast.clerk, letter=letter(cast), retention=Retention.TEN_YEARS).stamp == \
        "เก็บถึง พ.ศ. 2563"
    assert letter_store(actor=cast.clerk, letter=letter(cast), retention=Retention.ONE_YEAR).keep_until_be == 2554
    assert letter_store(actor=cast.clerk, letter=letter(cast), retention=Retention.PERMANENT).stamp == "ห้ามทำลาย"


def test_it_refuses_a_destruction_committee_of_fewer_than_three(cast: Cast) -> None:
    old = letter(cast)
    letter_store(actor=cast.clerk, letter=old, retention=Retention.ONE_YEAR)
    with pytest.raises(ValidationError, match="อย่างน้อย 2 คน"):
        destruction_batch_create(actor=cast.clerk, year_be=2569, appointing_order="คำสั่งที่ 1/2569",
                                 committee=[CHAIR, M1], letters=[old])
    with pytest.raises(ValidationError, match="ประธาน 1 คน"):
        destruction_batch_create(actor=cast.clerk, year_be=2569, appointing_order="คำสั่งที่ 1/2569",
                                 committee=[M1, M2, Member("นายสาม", "นักวิชาการ")], letters=[old])
    assert not DestructionBatch.objects.exists()
    batch = destruction_batch_create(actor=cast.clerk, year_be=2569, appointing_order="คำสั่งที่ 1/2569",
                                     committee=[CHAIR, M1, M2], letters=[old])
    assert batch.committee.count() == 3


def test_it_refuses_to_list_a_letter_whose_retention_has_not_ended(cast: Cast) -> None:
    permanent, recent = letter(cast), letter(cast, year=2024)
    letter_store(actor=cast.clerk, letter=permanent, retention=Retention.PERMANENT)
    letter_store(actor=cast.clerk, letter=recent, retention=Retention.TEN_YEARS)
    for item in (permanent, recent):
        with pytest.raises(ValidationError, match="ยังไม่ครบอายุ"):
            destruction_batch_create(actor=cast.clerk, year_be=2569, appointing_order="คำสั่งที่ 1/2569",
                                     committee=[CHAIR, M1, M2], letters=[item])
