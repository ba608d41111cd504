from __future__ import annotations

import pytest

from saraban.correspondence.selectors import letters_visible_to
from tests.saraban.factories import LetterFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_shows_a_unit_its_own_letters_only() -> None:
    mine = MembershipFactory()
    other = MembershipFactory()
    own_letter = LetterFactory(owner_unit=mine.unit)
    LetterFactory(owner_unit=other.unit)
    assert list(letters_visible_to(mine.user)) == [own_letter]


def test_it_hides_letters_above_the_clearance_and_from_users_without_the_open_right() -> None:
    member = MembershipFactory()
    LetterFactory(owner_unit=member.unit, secrecy=2)
    assert not letters_visible_to(member.user).exists()
    member.user.clearance = 2
    assert letters_visible_to(member.user).count() == 1
    member.user.can_open = False
    assert not letters_visible_to(member.user).exists()
    assert UserFactory().check_password("Passw0rd-test")
