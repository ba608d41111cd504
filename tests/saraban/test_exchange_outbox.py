"""The hub outbox without a hub: adoption, claiming, back-off with one MessageID, giving up, refusals."""

from __future__ import annotations

import datetime as dt
import io
import socket
import threading
from collections.abc import Iterator

import pytest
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection
from django.test import override_settings
from django.utils import timezone

from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Letter, LetterFile
from saraban.correspondence.storage import store_bytes
from saraban.exchange import wire
from saraban.exchange.models import HubOutbound
from saraban.exchange.services import outbound_send, outbox_adopt, outbox_claim, outbox_send_due
from saraban.outgoing.models import Delivery
from tests.saraban.conftest import Cast


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def unreachable_hub() -> Iterator[None]:
    """A hub address where nothing listens: every attempt is a real connection failure."""
    with override_settings(SARABAN_HUB_URL=f"http://127.0.0.1:{_closed_port()}/ecms/service",
                           SARABAN_HUB_USERNAME="saraban-a", SARABAN_HUB_PASSWORD="pw", SARABAN_HUB_TIMEOUT=2,
                           SARABAN_HUB_RETRY_BASE_SECONDS=30, SARABAN_HUB_RETRY_MAX_SECONDS=3600,
                           SARABAN_HUB_GIVE_UP_HOURS=72, SARABAN_HUB_LEASE_SECONDS=300):
        yield


def sent_letter(cast: Cast, *, address: str = "1503000000", secrecy: int = Secrecy.NORMAL,
                subject: str = "ขอเชิญประชุม") -> Delivery:
    """A dispatched letter with its cover, queued for one recipient by the hub (as letter_dispatch leaves it)."""
    letter = Letter.objects.create(direction=Letter.Direction.OUTGOING, source=Letter.Source.DRAFTED,
                                   subject=subject, reference_no="ดศ 0102/7", letter_date=timezone.localdate(),
                                   secrecy=secrecy, owner_unit=cast.central.unit)
    for role, name, data in ((LetterFile.Role.COVER, "cover-กรมการปกครอง.pdf", wire.PLACEHOLDER_PDF),
                             (LetterFile.Role.RENDERED, "letter.pdf", wire.PLACEHOLDER_PDF + b"%letter")):
        sha, size = store_bytes(data)
        LetterFile.objects.create(letter=letter, role=role, name=name, mime_type="application/pdf", size=size,
                                  sha256=sha)
    return Delivery.objects.create(letter=letter, recipient_name="กรมการปกครอง", channel=Delivery.Channel.HUB,
                                   address=address)


def test_it_adopts_each_hub_delivery_once_with_its_message_id_fixed(cast: Cast) -> None:
    delivery = sent_letter(cast)
    Delivery.objects.create(letter=delivery.letter, recipient_name="ทางไปรษณีย์", channel=Delivery.Channel.POST)
    assert outbox_adopt() == 1
    assert outbox_adopt() == 0
    line = HubOutbound.objects.get()
    assert line.delivery == delivery and line.kind == HubOutbound.Kind.LETTER
    assert line.message_id.startswith("urn:uuid:") and line.accept_department == "1503000000"


def test_it_retries_with_growing_waits_and_the_same_message_id(cast: Cast, unreachable_hub: None) -> None:
    sent_letter(cast)
    outbox_adopt()
    line = HubOutbound.objects.get()
    waits = []
    for _ in range(3):
        HubOutbound.objects.filter(pk=line.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        report = outbox_send_due()
        assert report.retrying == 1
        line.refresh_from_db()
        waits.append(round((line.next_attempt_at - before).total_seconds()))
    assert waits == [30, 60, 120]
    assert line.state == HubOutbound.State.PENDING and line.attempts == 3 and "ติดต่อระบบกลางไม่ได้" in line.last_error
    assert HubOutbound.objects.get().message_id == line.message_id
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.QUEUED and not delivery.is_problem


def test_it_gives_up_after_the_configured_time_into_the_problem_list(cast: Cast, unreachable_hub: None) -> None:
    sent_letter(cast)
    outbox_adopt()
    HubOutbound.objects.update(created_at=timezone.now() - dt.timedelta(hours=73))
    assert outbox_send_due().failed == 1
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED and delivery.is_problem
    assert "ส่งทางระบบกลางไม่สำเร็จ" in delivery.reason


def test_it_does_not_claim_a_line_twice_until_its_lease_ends(cast: Cast, unreachable_hub: None) -> None:
    sent_letter(cast)
    outbox_adopt()
    first = outbox_claim()
    assert len(first) == 1
    assert outbox_claim() == []
    assert outbox_claim(now=timezone.now() + dt.timedelta(seconds=301)) == first


@pytest.mark.parametrize(("address", "code"), [("กรมการปกครอง", "XCH-402"), ("15030000", "XCH-402")])
def test_it_fails_a_delivery_with_a_bad_address_at_once(cast: Cast, unreachable_hub: None, address: str,
                                                        code: str) -> None:
    sent_letter(cast, address=address)
    outbox_adopt()
    line = outbound_send(pk=HubOutbound.objects.get().pk)
    assert line.state == HubOutbound.State.FAILED and line.attempts == 1 and code in line.last_error
    assert Delivery.objects.get().is_problem


def test_it_waits_with_a_secret_letter_while_the_directory_cannot_be_read(cast: Cast,
                                                                           unreachable_hub: None) -> None:
    """No public key of the recipient locally, and the hub cannot be asked for one: try again later."""
    sent_letter(cast, secrecy=Secrecy.CONFIDENTIAL)
    outbox_adopt()
    line = outbound_send(pk=HubOutbound.objects.get().pk)
    assert line.state == HubOutbound.State.PENDING and "ติดต่อระบบกลางไม่ได้" in line.last_error
    assert Delivery.objects.get().state == Delivery.State.QUEUED


def test_it_never_sends_a_top_secret_letter(cast: Cast, unreachable_hub: None) -> None:
    sent_letter(cast, secrecy=Secrecy.TOP_SECRET)
    outbox_adopt()
    line = outbound_send(pk=HubOutbound.objects.get().pk)
    assert line.state == HubOutbound.State.FAILED and "XCH-404" in line.last_error


@pytest.mark.django_db(transaction=True)
def test_it_gives_concurrent_workers_different_lines(cast: Cast, unreachable_hub: None) -> None:
    for _ in range(6):
        sent_letter(cast)
    outbox_adopt()
    claims: list[list[int]] = []
    barrier = threading.Barrier(3)

    def work() -> None:
        try:
            barrier.wait()
            claims.append(outbox_claim(limit=4))
        finally:
            close_old_connections()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    taken = [pk for claim in claims for pk in claim]
    assert len(taken) == len(set(taken)) == 6, (connection.vendor, claims)


def test_it_runs_one_round_from_the_command_line(cast: Cast, unreachable_hub: None) -> None:
    sent_letter(cast)
    out = io.StringIO()
    call_command("run_exchange_worker", "--once", stdout=out)
    assert "adopted 1; sent 0, retrying 1, failed 0" in out.getvalue()
    assert "errors:" in out.getvalue()  # the pull could not reach the hub either


def test_it_refuses_to_start_without_hub_settings(cast: Cast) -> None:
    with (override_settings(SARABAN_HUB_URL="", SARABAN_HUB_USERNAME="", SARABAN_HUB_PASSWORD=""),
          pytest.raises(CommandError, match="SARABAN_HUB_URL")):
        call_command("run_exchange_worker", "--once")
