"""Visibility keys on the search index (records.access): the same letters as the access rule,
kept up to date when a letter is forwarded, and never more than the rule allows."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from saraban.accounts.models import User
from saraban.correspondence.models import Book, Letter, RegisterEntry
from saraban.correspondence.selectors import letters_visible_to
from saraban.outgoing.models import Draft
from saraban.receiving.models import Holding, Reception
from saraban.receiving.services import letter_forward
from saraban.records.access import letters_access_refresh, user_access_keys
from saraban.records.models import LetterIndex
from saraban.records.selectors import SearchQuery, letters_search
from saraban.records.services import letter_index
from tests.saraban.conftest import Cast


def make_letter(cast: Cast, subject: str, **fields: object) -> Letter:
    fields.setdefault("owner_unit", cast.central.unit)
    fields.setdefault("direction", Letter.Direction.INCOMING)
    fields.setdefault("created_by", cast.clerk)
    letter = Letter.objects.create(subject=subject, **fields)
    letter_index(letter=letter)
    return letter


def found(user: User, text: str) -> set[int]:
    return {letter.pk for letter in letters_search(user=user, query=SearchQuery(text=text))}


def by_keys(user: User) -> set[int]:
    qs = LetterIndex.objects.filter(secrecy__lte=user.clearance)
    keys = user_access_keys(user)
    if keys is not None:
        qs = qs.filter(access_keys__has_any_keys=keys)
    return set(qs.values_list("letter_id", flat=True))


def test_it_gives_every_user_the_same_letters_as_the_access_rule(cast: Cast) -> None:
    """GIVEN letters connected to people in each way the rule knows (owner unit, register entry,
    arrival registry, unit and person holders, the person an assistant works for, creator, drafter,
    checker, signer) and one connected to nobody
    WHEN the keys are written
    THEN for each user of the cast the keys select exactly the letters ``letters_visible_to`` allows."""
    now = timezone.now()
    other = cast.central.unit
    plain = {"owner_unit": None, "created_by": None}
    with transaction.atomic():
        make_letter(cast, "เจ้าของเรื่องคือหน่วยงาน", owner_unit=cast.unit_registry.unit, created_by=None)
        entered = make_letter(cast, "ลงทะเบียนรับแล้ว", **plain)
        RegisterEntry.objects.create(registry=cast.unit_registry, book=Book.RECEIVE, year=2025, number=1,
                                     letter=entered, registered_at=now, registered_by=cast.unitclerk)
        Reception.objects.create(letter=make_letter(cast, "รอลงรับ", **plain), registry=cast.central)
        for holder in ({"unit": other}, {"user": cast.officer}, {"user": cast.director}):
            Holding.objects.create(letter=make_letter(cast, "ส่งต่อถึง", **plain), sent_by=cast.clerk, sent_at=now,
                                   state_at=now, **holder)
        make_letter(cast, "ผู้บันทึก", owner_unit=None, created_by=cast.officer)
        for role in ("drafter", "checker", "signer"):
            people = {"drafter": cast.clerk, role: cast.officer}
            Draft.objects.create(letter=make_letter(cast, f"ร่าง {role}", **plain), **people)
        make_letter(cast, "ไม่มีผู้เกี่ยวข้อง", **plain)
        letters_access_refresh(letter_ids=list(Letter.objects.values_list("pk", flat=True)))
    users = [cast.admin, cast.clerk, cast.unitclerk, cast.officer, cast.director, cast.secretary, cast.auditor]
    for user in users:
        expected = set(letters_visible_to(user).values_list("pk", flat=True))
        assert by_keys(user) == expected, user.username
    # The cast exercises both sides of the rule, not only "all" and "none".
    assert 0 < len(by_keys(cast.officer)) < Letter.objects.count()
    assert by_keys(cast.secretary) & by_keys(cast.director)


def test_it_finds_a_letter_forwarded_to_a_user_later(cast: Cast) -> None:
    """GIVEN two letters of the central unit, registered by the central registry, that the officer
    of another unit may not open
    WHEN the clerk forwards one of them to the officer
    THEN the officer finds that one and still not the other."""
    forwarded = make_letter(cast, "ขอความอนุเคราะห์ข้อมูลสถิติ")
    kept = make_letter(cast, "ขอความอนุเคราะห์ข้อมูลบุคลากร")
    with transaction.atomic():
        for number, letter in enumerate((forwarded, kept), start=1):
            RegisterEntry.objects.create(registry=cast.central, book=Book.RECEIVE, year=2025, number=number,
                                         letter=letter, registered_at=timezone.now(), registered_by=cast.clerk)
        letters_access_refresh(letter_ids=[forwarded.pk, kept.pk])
    assert found(cast.officer, "ขอความอนุเคราะห์") == set()
    assert found(cast.clerk, "ขอความอนุเคราะห์") == {forwarded.pk, kept.pk}

    letter_forward(actor=cast.clerk, letter=forwarded, users=[cast.officer], instruction="โปรดพิจารณา")

    assert found(cast.officer, "ขอความอนุเคราะห์") == {forwarded.pk}
    assert found(cast.officer, "ข้อมูลบุคลากร") == set()


def test_it_never_shows_a_letter_the_rule_no_longer_allows_whatever_the_keys_say(cast: Cast) -> None:
    """Keys that lag behind (a holding removed without the keys being refreshed) cannot show a letter:
    results pass through the access rule itself."""
    letter = make_letter(cast, "ประกาศรับสมัครสอบแข่งขัน")
    now = timezone.now()
    holding = Holding.objects.create(letter=letter, user=cast.officer, sent_by=cast.clerk, sent_at=now, state_at=now)
    letters_access_refresh(letter_ids=[letter.pk])
    assert found(cast.officer, "รับสมัคร") == {letter.pk}
    holding.delete()
    assert f"h{cast.officer.pk}" in LetterIndex.objects.get(letter=letter).access_keys
    assert found(cast.officer, "รับสมัคร") == set()
    letters_access_refresh(letter_ids=[letter.pk])
    assert f"h{cast.officer.pk}" not in LetterIndex.objects.get(letter=letter).access_keys
