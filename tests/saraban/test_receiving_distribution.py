"""Distribution inside the agency: forward, orders, acknowledge, close, unit registration, inboxes,
access (404 for everyone else), inbox-check reminders and receipt results to the sender."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from govcommon.errors import NotFoundError, PermissionDeniedError
from saraban.accounts.models import OrgUnit
from saraban.correspondence.models import Letter, RegisterEntry
from saraban.receiving import selectors
from saraban.receiving.models import Holding, ReceiptResult
from saraban.receiving.services import (
    IncomingFiles,
    IncomingMetadata,
    holding_state_set,
    inbox_check_record,
    incoming_letter_create,
    incoming_letter_register,
    incoming_letter_reject,
    letter_endorse,
    letter_forward,
    letter_unit_register,
)
from tests.saraban.conftest import Cast

pytestmark = pytest.mark.django_db
BKK = ZoneInfo("Asia/Bangkok")


def _registered(cast: Cast, subject: str = "ขอความร่วมมือ", **meta: object) -> Letter:
    letter = incoming_letter_create(actor=None, registry=cast.central, source=Letter.Source.HUB,
                                    metadata=IncomingMetadata(subject=subject, **meta),  # type: ignore[arg-type]
                                    files=IncomingFiles(evidence=b"<xml/>"), channel_ref="MSG-1",
                                    reply_to="1503000000")
    incoming_letter_register(actor=cast.clerk, letter=letter)
    return letter


def test_it_answers_the_sender_with_the_receive_number(cast: Cast) -> None:
    letter = _registered(cast)
    result = ReceiptResult.objects.get(letter=letter)
    assert (result.channel, result.outcome, result.receive_number) == ("hub", "accepted", 1)
    assert (result.address, result.channel_ref, result.state) == ("1503000000", "MSG-1", "pending")


def test_it_answers_the_sender_with_the_reason_of_a_rejection(cast: Cast) -> None:
    letter = incoming_letter_create(actor=None, registry=cast.central, source=Letter.Source.EMAIL,
                                    metadata=IncomingMetadata(subject="ส่งผิดหน่วยงาน"), files=IncomingFiles())
    incoming_letter_reject(actor=cast.clerk, letter=letter, reason="ไม่ใช่หนังสือถึงหน่วยงานนี้")
    result = ReceiptResult.objects.get(letter=letter)
    assert (result.channel, result.outcome, result.reason) == ("email", "rejected", "ไม่ใช่หนังสือถึงหน่วยงานนี้")
    assert not RegisterEntry.objects.filter(letter=letter).exists()


def test_it_forwards_to_a_unit_that_registers_it_with_its_own_number(cast: Cast) -> None:
    letter = _registered(cast)
    unit = cast.unit_registry.unit
    (holding,) = letter_forward(actor=cast.clerk, letter=letter, units=[unit], instruction="พิจารณาดำเนินการ")
    central_entry = RegisterEntry.objects.get(letter=letter, registry=cast.central)
    assert unit.short_name in central_entry.action_text
    assert [h.letter for h in selectors.inbox_unit(cast.officer)] == [letter]
    entry = letter_unit_register(actor=cast.unitclerk, holding=holding, registry=cast.unit_registry)
    assert (entry.registry, entry.number) == (cast.unit_registry, 1)
    holding.refresh_from_db()
    assert holding.state == Holding.State.ACKNOWLEDGED and holding.entry == entry


def test_it_lets_the_secretary_act_on_the_executive_basket(cast: Cast) -> None:
    letter = _registered(cast)
    (holding,) = letter_forward(actor=cast.clerk, letter=letter, users=[cast.director])
    assert [h.pk for h in selectors.inbox_basket(cast.secretary)] == [holding.pk]
    assert selectors.inbox_personal(cast.secretary).count() == 0
    note = letter_endorse(actor=cast.director, letter=letter, holding=holding, text="มอบ กยผ. ดำเนินการ")
    assert note.kind == "order"
    (unit_holding,) = letter_forward(actor=cast.secretary, letter=letter, from_holding=holding,
                                     units=[cast.unit_registry.unit], instruction="มอบ กยผ. ดำเนินการ")
    holding.refresh_from_db()
    assert holding.state == Holding.State.FORWARDED and unit_holding.parent_id == holding.pk
    holding_state_set(actor=cast.officer, holding=unit_holding, state=Holding.State.ACTING)
    holding_state_set(actor=cast.officer, holding=unit_holding, state=Holding.State.CLOSED, note="แจ้งผลแล้ว")
    actions = list(selectors.letter_timeline(letter).values_list("action", flat=True))
    assert actions == ["receiving.arrived", "register.receive", "receiving.receipt_queued", "receiving.forwarded",
                       "receiving.endorsed", "receiving.forwarded", "receiving.acting", "receiving.closed"]


def test_it_refuses_forwarding_by_someone_who_does_not_hold_the_letter(cast: Cast) -> None:
    letter = _registered(cast)
    (holding,) = letter_forward(actor=cast.clerk, letter=letter, users=[cast.director])
    with pytest.raises(NotFoundError):
        letter_forward(actor=cast.officer, letter=letter, from_holding=holding, users=[cast.officer])
    with pytest.raises(PermissionDeniedError):
        letter_forward(actor=cast.officer, letter=letter, users=[cast.officer])


def test_it_orders_the_inbox_by_deadline_then_speed(cast: Cast) -> None:
    soon = timezone.now() + dt.timedelta(hours=2)
    normal = _registered(cast, "ปกติ")
    most = _registered(cast, "ด่วนที่สุด", speed=3)
    due = _registered(cast, "ด่วนภายใน", speed=1, due_by=soon)
    for letter in (normal, most, due):
        letter_forward(actor=cast.clerk, letter=letter, users=[cast.officer])
    subjects = [h.letter.subject for h in selectors.inbox_personal(cast.officer)]
    assert subjects == ["ด่วนภายใน", "ด่วนที่สุด", "ปกติ"]


def test_it_shows_a_letter_only_to_holders_with_the_right_and_clearance(cast: Cast, client_for: object) -> None:
    letter = _registered(cast, "ลับ", secrecy=1)
    url = f"/receiving/letter/{letter.pk}/"
    assert client_for(cast.clerk).get(url).status_code == 200  # type: ignore[operator]
    assert client_for(cast.officer).get(url).status_code == 404  # type: ignore[operator]
    letter_forward(actor=cast.clerk, letter=letter, units=[cast.unit_registry.unit])
    # The officer's unit holds it now, but the officer has no clearance for ลับ: still 404.
    assert client_for(cast.officer).get(url).status_code == 404  # type: ignore[operator]
    file = letter.files.get()
    assert client_for(cast.officer).get(f"{url}file/{file.pk}/").status_code == 404  # type: ignore[operator]
    cast.officer.clearance = 1
    cast.officer.save()
    assert client_for(cast.officer).get(url).status_code == 200  # type: ignore[operator]
    cast.officer.can_open = False
    cast.officer.save()
    assert client_for(cast.officer).get(url).status_code in (403, 404)  # type: ignore[operator]


def test_it_reminds_the_clerk_until_the_inbox_is_checked(cast: Cast) -> None:
    afternoon = dt.datetime(2026, 3, 2, 17, 0, tzinfo=BKK)
    periods = [r.period for r in selectors.inbox_reminders(cast.clerk, now=afternoon)]
    assert periods == ["เช้า", "บ่าย"]
    assert selectors.inbox_reminders(cast.clerk, now=dt.datetime(2026, 3, 2, 9, 0, tzinfo=BKK)) == []
    check = inbox_check_record(actor=cast.clerk, registry=cast.central)
    check.checked_at = dt.datetime(2026, 3, 2, 10, 0, tzinfo=BKK)
    check.save()
    assert [r.period for r in selectors.inbox_reminders(cast.clerk, now=afternoon)] == ["บ่าย"]


def test_it_shows_the_inbox_page_with_urgent_letters_in_red(cast: Cast, client_for: object) -> None:
    letter = _registered(cast, "ด่วนมาก", speed=2)
    letter_forward(actor=cast.clerk, letter=letter, units=[OrgUnit.objects.get(pk=cast.unit_registry.unit_id)])
    html = client_for(cast.officer).get("/receiving/").content.decode()  # type: ignore[operator]
    assert 'class="sb-urgent' in html and "ด่วนมาก" in html
