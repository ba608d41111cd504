"""Pages that list letters run the same number of queries for 5 letters as for 15: no query per row.

The letters are made through the real services (arrival, receive number, forwarding to the unit, to
an officer and to the director whose basket the secretary shares; drafts through ``draft_create``
and the workflow states a dispatch leaves behind), so every page has rows in each of its lists.
Each page is requested once before counting, so session and cache warm-up are not counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from saraban.accounts.models import User
from saraban.correspondence.models import Book, Letter
from saraban.correspondence.services import register_entry_create
from saraban.outgoing.models import Draft
from saraban.outgoing.services import DraftInput, draft_create
from saraban.receiving.models import Holding
from saraban.receiving.services import (
    IncomingFiles,
    IncomingMetadata,
    incoming_letter_create,
    incoming_letter_register,
    letter_endorse,
    letter_forward,
)
from tests.saraban.conftest import Cast
from tests.saraban.factories import UserFactory

N = 5
_serial = count(1)


@dataclass
class Agency:
    """Grows the demo agency's correspondence by ``n`` letters of every kind at a time."""

    cast: Cast
    letters: list[Letter] = field(default_factory=list)

    def grow(self, n: int) -> None:
        c = self.cast
        unit = c.unit_registry.unit
        for _ in range(n):
            i = next(_serial)
            # One letter left waiting at the central registry (registry waiting list).
            incoming_letter_create(actor=c.clerk, registry=c.central, source=Letter.Source.HUB,
                                   metadata=IncomingMetadata(subject=f"รอลงรับ {i}", reference_no=f"มท 0301/{i}"),
                                   files=IncomingFiles(), channel_ref=f"hub-{i}")
            # One registered and sent to the unit, the officer and the director (secretary's basket).
            letter = incoming_letter_create(actor=c.clerk, registry=c.central, source=Letter.Source.PAPER,
                                            metadata=IncomingMetadata(subject=f"ลงรับแล้ว {i}",
                                                                      sender_text="กรมการปกครอง"),
                                            files=IncomingFiles())
            incoming_letter_register(actor=c.clerk, letter=letter, stamp=False)
            letter_forward(actor=c.clerk, letter=letter, units=[unit], users=[c.officer, c.director],
                           instruction="เพื่อโปรดทราบ")
            self.letters.append(letter)
            # Outgoing: a draft of the clerk, one the director asks the central unit to check, one
            # signed waiting for dispatch and one dispatched with its line in the send register.
            central_unit = c.central.unit
            data = DraftInput(kind="external", subject=f"ร่าง {i}", body="เนื้อความ", recipient_text="กรมการปกครอง")
            draft_create(actor=c.clerk, owner_unit=central_unit, data=data)
            checking = draft_create(actor=c.director, owner_unit=central_unit, data=data)
            Draft.objects.filter(pk=checking.pk).update(state=Draft.State.CHECKING)
            signed = draft_create(actor=c.unitclerk, owner_unit=unit, data=data)
            Draft.objects.filter(pk=signed.pk).update(state=Draft.State.SIGNED, signer=c.director,
                                                      checker=c.unitclerk)
            sent = draft_create(actor=c.clerk, owner_unit=central_unit, data=data)
            with transaction.atomic():
                register_entry_create(actor=c.clerk, registry=c.central, book=Book.SEND, letter=sent.letter,
                                      action_text="ส่งทางระบบแลกเปลี่ยน")
                Draft.objects.filter(pk=sent.pk).update(state=Draft.State.DISPATCHED, signer=c.director,
                                                        checker=c.clerk)


@pytest.fixture
def agency(cast: Cast) -> Agency:
    return Agency(cast)


def _queries(client: Client, url: str) -> int:
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


PAGES: dict[str, tuple[Callable[[Cast], User], str]] = {
    "personal and unit inbox (officer)": (lambda c: c.officer, "rcv-inbox"),
    "unit inbox (unit clerk)": (lambda c: c.unitclerk, "rcv-inbox"),
    "executive basket (secretary)": (lambda c: c.secretary, "rcv-inbox"),
    "registry waiting list (central clerk)": (lambda c: c.clerk, "rcv-inbox"),
    "receive register": (lambda c: c.clerk, "corr-receive-register"),
    "send register": (lambda c: c.clerk, "corr-send-register"),
    "outgoing inbox (central clerk)": (lambda c: c.clerk, "out-inbox"),
    "outgoing inbox (director)": (lambda c: c.director, "out-inbox"),
}


@pytest.mark.django_db(transaction=False)
@pytest.mark.parametrize("page", list(PAGES))
def test_it_renders_list_pages_with_a_constant_number_of_queries(agency: Agency, page: str) -> None:
    who, name = PAGES[page]
    client = _signed_in(who(agency.cast))
    url = reverse(name)
    agency.grow(N)
    few = _queries(client, url)
    agency.grow(2 * N)
    many = _queries(client, url)
    assert many == few, f"{page}: {few} queries with {N} letters, {many} with {3 * N}"


def test_it_lists_the_letters_it_counts(agency: Agency) -> None:
    """The pages measured above really show the rows (so a constant count is not an empty page)."""
    c = agency.cast
    agency.grow(2)
    assert Holding.objects.filter(user=c.director).count() == 2
    officer_inbox = _signed_in(c.officer).get(reverse("rcv-inbox")).content.decode()
    basket = _signed_in(c.secretary).get(reverse("rcv-inbox")).content.decode()
    clerk = _signed_in(c.clerk)
    waiting = clerk.get(reverse("rcv-inbox")).content.decode()
    receive = clerk.get(reverse("corr-receive-register")).content.decode()
    send = clerk.get(reverse("corr-send-register")).content.decode()
    out = clerk.get(reverse("out-inbox")).content.decode()
    subjects = [letter.subject for letter in agency.letters]
    assert all(s in officer_inbox and s in basket and s in receive for s in subjects)
    assert "รอลงรับ" in waiting
    assert send.count("ร่าง ") >= 2
    assert out.count("ร่าง ") >= 2


def _detail_letter(agency: Agency, k: int, letter: Letter | None = None) -> Letter:
    """A letter passed on ``k`` more times (holdings, register action text, audit lines) and endorsed
    ``k`` more times by the director."""
    c = agency.cast
    if letter is None:
        agency.grow(1)
        letter = agency.letters[-1]
    holding = Holding.objects.get(letter=letter, user=c.director, state__in=Holding.OPEN_STATES)
    for _ in range(k):
        person = UserFactory()
        letter_forward(actor=c.clerk, letter=letter, users=[person], instruction="ดำเนินการ")
        letter_endorse(actor=c.director, letter=letter, holding=holding, text=f"ทราบ มอบ {person.first_name}")
    return letter


DETAIL_VIEWERS: dict[str, Callable[[Cast], User]] = {
    "director (own holding)": lambda c: c.director,
    "secretary (shared basket)": lambda c: c.secretary,
    "officer (personal and unit holdings)": lambda c: c.officer,
    "central clerk (registry)": lambda c: c.clerk,
}


@pytest.mark.parametrize("viewer", list(DETAIL_VIEWERS))
def test_it_renders_the_letter_detail_with_a_constant_number_of_queries(agency: Agency, viewer: str) -> None:
    client = _signed_in(DETAIL_VIEWERS[viewer](agency.cast))
    letter = _detail_letter(agency, N)
    url = reverse("rcv-letter-detail", args=[letter.pk])
    agency.grow(N)  # other letters in the agency do not matter either
    few = _queries(client, url)
    _detail_letter(agency, 2 * N, letter)
    agency.grow(2 * N)
    many = _queries(client, url)
    assert many == few, f"{viewer}: {few} queries with {N} forwards, {many} with {3 * N}"
