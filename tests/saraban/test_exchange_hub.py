"""The hub channel's pieces against a real hub process: this agency (A, 2101000000) and a partner
agency (B, 1503000000) played by the plain ``thegif`` client."""

from __future__ import annotations

import base64
import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from saraban.audit.models import AuditRecord
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import LetterFile
from saraban.correspondence.storage import read_bytes
from saraban.exchange import crypto, wire
from saraban.exchange.models import DirectoryEntry, ExchangeSetting, HubInbound, HubOutbound
from saraban.exchange.services import (
    KeyInput,
    directory_keys_load,
    directory_sync,
    hub_pull,
    inbound_item_store,
    outbox_adopt,
    outbox_send_due,
    sent_letters_check,
)
from saraban.outgoing.models import Delivery
from saraban.receiving.models import ReceiptResult, Reception
from saraban.receiving.services import incoming_letter_register, incoming_letter_reject
from tests.e2e.world import A, B, ExchangeHub
from tests.ecms.live import hub_database
from tests.saraban.conftest import Cast
from tests.saraban.test_exchange_outbox import sent_letter
from thegif import messages as m
from thegif.client import HubClient


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ExchangeHub]:
    tmp = tmp_path_factory.mktemp("exchange-hub")
    with hub_database(tmp) as url:
        live = ExchangeHub(tmp, url)
        live.setup()
        live.start()
        try:
            yield live
        finally:
            live.stop()


@pytest.fixture
def as_a(hub: ExchangeHub, tmp_path: Path) -> Iterator[None]:
    with override_settings(SARABAN_HUB_URL=hub.url, SARABAN_HUB_USERNAME=A.username, SARABAN_HUB_PASSWORD=A.password,
                           SARABAN_HUB_UNDELIVERED_HOURS=72, SARABAN_EXCHANGE_KEY_FILE=str(tmp_path / "a.pem"),
                           SARABAN_EXCHANGE_PRIVATE_KEY=""):
        yield


@pytest.fixture
def partner(hub: ExchangeHub) -> HubClient:
    """Agency B's system; its queue is emptied first (the hub outlives each test's database)."""
    client = HubClient(hub.url, B.username, B.password)
    pull_all(client)
    return client


def pull_all(client: HubClient) -> list[m.InboundItem]:
    items = []
    while (item := client.pull().item) is not None:
        client.delete(item.process_id)
        items.append(item)
    return items


def letter_from_b(subject: str) -> m.CorrespondenceLetter:
    return m.CorrespondenceLetter(
        id="มท 0309/88", correspondence_date=timezone.localdate(), subject=subject, secret_code="001",
        speed_code="002", sender=m.Party("1500000000", "1503000000"), receiver=m.Party("2100000000", "2101000000"),
        main_letter=m.BinaryObject.from_bytes(wire.PLACEHOLDER_PDF, mime_code="application/pdf", file_name="n.pdf"),
        attachments=[m.BinaryObject.from_bytes(b"%PDF-1.4 annex", mime_code="application/pdf", file_name="a.pdf")],
    )


def test_it_sends_a_letter_and_records_the_receive_number_the_recipient_returns(
        cast: Cast, as_a: None, partner: HubClient) -> None:
    delivery = sent_letter(cast, subject="ขอเชิญประชุมคณะกรรมการ")
    outbox_adopt()
    assert outbox_send_due().sent == 1
    line = HubOutbound.objects.get()
    assert line.hub_letter_id and Delivery.objects.get().state == Delivery.State.SENT
    [item] = pull_all(partner)
    got = item.content
    assert isinstance(got, m.CorrespondenceLetter) and got.subject == "ขอเชิญประชุมคณะกรรมการ"
    assert got.main_letter is not None and got.main_letter.read_bytes() == wire.PLACEHOLDER_PDF  # the cover
    assert [a.file_name for a in got.attachments] == ["letter.pdf"]
    partner.notify(m.Notifier(m.ItemType.RECEIVE, item.letter_id, got.correspondence_date, got.subject))
    partner.accept(item.letter_id, got.correspondence_date, got.subject, "มท 0301/2569/15")

    report = hub_pull()
    assert report.notifiers == 2 and not report.errors
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.ACCEPTED and delivery.receive_number == "มท 0301/2569/15"
    assert hub_pull().notifiers == 0  # both were deleted from our queue


def test_it_puts_a_rejection_and_a_hub_refusal_in_the_problem_list(cast: Cast, as_a: None,
                                                                   partner: HubClient) -> None:
    rejected = sent_letter(cast, subject="ขอรับการสนับสนุนงบประมาณ")
    refused = sent_letter(cast, subject="ถึงหน่วยงานที่ไม่มี", address="1599000000")
    outbox_adopt()
    report = outbox_send_due()
    assert (report.sent, report.failed) == (1, 1)
    refused.refresh_from_db()
    assert refused.is_problem and "ECMS-AGENCY-001" in refused.reason
    [item] = pull_all(partner)
    assert isinstance(item.content, m.CorrespondenceLetter)
    partner.reject(item.letter_id, item.content.correspondence_date, item.content.subject, "ไม่ใช่อำนาจหน้าที่")
    hub_pull()
    rejected.refresh_from_db()
    assert rejected.state == Delivery.State.REJECTED and rejected.is_problem
    assert "ไม่ใช่อำนาจหน้าที่" in rejected.reason


def test_it_reports_a_letter_nobody_pulled_in_time(cast: Cast, as_a: None, partner: HubClient) -> None:
    delivery = sent_letter(cast)
    outbox_adopt()
    outbox_send_due()
    assert sent_letters_check() == 0  # not overdue yet
    assert sent_letters_check(now=timezone.now() + dt.timedelta(hours=73)) == 1
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.FAILED and delivery.is_problem and "72 ชั่วโมง" in delivery.reason


def test_it_imports_a_letter_with_its_exact_xml_and_answers_the_sender(cast: Cast, as_a: None,
                                                                      partner: HubClient) -> None:
    sent = partner.send_letter(letter_from_b("ขอเชิญร่วมพิธี"))
    report = hub_pull()
    assert report.letters == 1 and not report.errors
    inbound = HubInbound.objects.get()
    assert inbound.dequeued_at is not None and inbound.hub_letter_id == sent.letter_id
    reception = Reception.objects.get()
    assert reception.state == Reception.State.WAITING and reception.registry == cast.central
    letter = reception.letter
    assert (letter.subject, letter.reference_no, letter.speed) == ("ขอเชิญร่วมพิธี", "มท 0309/88", 1)
    files = {f.role: f for f in letter.files.all()}
    evidence = read_bytes(files[LetterFile.Role.EVIDENCE].sha256)
    assert files[LetterFile.Role.EVIDENCE].sha256 == inbound.evidence_sha256
    assert evidence.startswith(b"<?xml") and "ขอเชิญร่วมพิธี".encode() in evidence
    assert read_bytes(files[LetterFile.Role.ORIGINAL].sha256) == wire.PLACEHOLDER_PDF
    assert hub_pull().letters == 0

    outbox_send_due()  # our ReceiveLetterNotifier
    entry = incoming_letter_register(actor=cast.clerk, letter=letter, stamp=False)
    outbox_adopt()
    assert outbox_send_due().sent == 1
    assert ReceiptResult.objects.get().state == ReceiptResult.State.SENT
    kinds = {i.content.kind: i.content for i in pull_all(partner) if isinstance(i.content, m.Notifier)}
    assert set(kinds) == {m.ItemType.RECEIVE, m.ItemType.ACCEPT}
    assert kinds[m.ItemType.ACCEPT].accept_id == wire.accept_id_for(entry)


def test_it_sends_the_rejection_reason_back(cast: Cast, as_a: None, partner: HubClient) -> None:
    partner.send_letter(letter_from_b("ส่งผิดที่"))
    hub_pull()
    incoming_letter_reject(actor=cast.clerk, letter=Reception.objects.get().letter, reason="ไม่ใช่หน่วยงานผู้รับ")
    outbox_adopt()
    outbox_send_due()
    [reject] = [i.content for i in pull_all(partner)
                if isinstance(i.content, m.Notifier) and i.content.kind == m.ItemType.REJECT]
    assert reject.description == "ไม่ใช่หน่วยงานผู้รับ"


def test_it_stores_an_item_pulled_again_only_once(cast: Cast, as_a: None, partner: HubClient, hub: ExchangeHub) -> None:
    """GIVEN we stored a pulled letter and died before deleting it from the hub queue
    WHEN the next pull returns the same item
    THEN it is recognised by its ProcessID, not stored again, and deleted from the queue."""
    partner.send_letter(letter_from_b("หนังสือที่ดึงซ้ำ"))
    client = HubClient(hub.url, A.username, A.password)
    with tempfile.TemporaryFile() as raw:
        item = client.pull(raw_sink=raw).item
        raw.seek(0)
        evidence = raw.read()
    assert item is not None
    first, stored = inbound_item_store(item=item, evidence=evidence)
    assert stored
    again = client.pull().item
    assert again is not None and again.process_id == item.process_id
    row, stored = inbound_item_store(item=again, evidence=evidence)
    assert (row, stored) == (first, False)
    report = hub_pull()
    assert report.letters == 0 and not report.errors
    assert Reception.objects.count() == 1 and client.pull().item is None


def test_it_registers_pulled_letters_when_the_agency_says_so(cast: Cast, as_a: None, partner: HubClient) -> None:
    ExchangeSetting.objects.update_or_create(pk=1, defaults={"auto_register": True, "auto_register_as": cast.clerk})
    partner.send_letter(letter_from_b("ลงรับอัตโนมัติ"))
    hub_pull()
    reception = Reception.objects.get()
    assert reception.state == Reception.State.REGISTERED and reception.entry is not None
    assert HubInbound.objects.get().state == HubInbound.State.REGISTERED
    assert ReceiptResult.objects.get().outcome == ReceiptResult.Outcome.ACCEPTED


def test_it_encrypts_a_secret_letter_with_the_key_the_directory_holds(cast: Cast, as_a: None,
                                                                     partner: HubClient, tmp_path: Path) -> None:
    b_der = crypto.key_generate(tmp_path / "b.pem", bits=2048)
    with pytest.raises(Exception, match="XCH-KEY-011"):
        directory_keys_load(actor=None, keys=[KeyInput(B.org_id, "bm90IGEga2V5")])
    assert not DirectoryEntry.objects.exclude(public_key_der=None).exists()
    directory_keys_load(actor=None, keys=[KeyInput(B.org_id, base64.b64encode(b_der).decode())])
    sent_letter(cast, secrecy=Secrecy.SECRET, subject="ผลการสืบสวนลับมาก")
    outbox_adopt()
    assert outbox_send_due().sent == 1 and HubOutbound.objects.get().encrypted
    [item] = pull_all(partner)
    got = item.content
    assert isinstance(got, m.CorrespondenceLetter)
    assert got.subject == wire.SECRET_SUBJECT and got.secret_code == "003"
    [sealed] = got.attachments
    with override_settings(SARABAN_EXCHANGE_KEY_FILE=str(tmp_path / "b.pem")):
        plain = crypto.decrypt(sealed.read_bytes(), key=crypto.private_key(),
                               aad=wire.aad_for(got.id, got.correspondence_date, B.org_id))
    assert "ผลการสืบสวนลับมาก".encode() in plain


def test_it_fails_a_secret_letter_when_no_key_is_published(cast: Cast, as_a: None, partner: HubClient) -> None:
    assert directory_sync() >= 2  # the hub's directory, with no key for B in this hub
    sent_letter(cast, secrecy=Secrecy.CONFIDENTIAL)
    outbox_adopt()
    assert outbox_send_due().failed == 1
    delivery = Delivery.objects.get()
    assert delivery.is_problem and "กุญแจสาธารณะ" in delivery.reason
    assert pull_all(partner) == []


def test_it_pulls_on_demand_from_the_clerks_button(cast: Cast, as_a: None, partner: HubClient,
                                                   client_for: object) -> None:
    partner.send_letter(letter_from_b("ดึงด้วยปุ่มของเจ้าหน้าที่"))
    page = client_for(cast.clerk).post(reverse("exchange-pull"), follow=True)  # type: ignore[operator]
    assert "หนังสือเข้าใหม่ 1 ฉบับ" in page.text
    assert Reception.objects.get().letter.subject == "ดึงด้วยปุ่มของเจ้าหน้าที่"
    assert AuditRecord.objects.filter(action="exchange.pull_requested", actor_id=cast.clerk.pk).exists()


def test_it_keeps_aside_a_secret_letter_for_another_key_and_tells_the_sender(
        cast: Cast, as_a: None, partner: HubClient, tmp_path: Path) -> None:
    crypto.key_generate(tmp_path / "a.pem", bits=2048)  # ours (SARABAN_EXCHANGE_KEY_FILE)
    other = crypto.key_generate(tmp_path / "someone-else.pem", bits=2048)
    letter = letter_from_b(wire.SECRET_SUBJECT)
    letter.secret_code = "002"
    letter.attachments = [m.BinaryObject.from_bytes(
        crypto.encrypt(b"{}", recipient_der=other, aad=wire.aad_for(letter.id, letter.correspondence_date, A.org_id)),
        mime_code=crypto.MIME, file_name=crypto.FILE_NAME)]
    partner.send_letter(letter)
    report = hub_pull()
    assert report.quarantined == 1 and not Reception.objects.exists()
    row = HubInbound.objects.get()
    assert row.state == HubInbound.State.QUARANTINED and "กุญแจอื่น" in row.reason and row.dequeued_at
    assert read_bytes(row.evidence_sha256).startswith(b"<?xml")
    assert outbox_send_due().sent == 1
    [invalid] = [i.content for i in pull_all(partner) if isinstance(i.content, m.Notifier)]
    assert invalid.kind == m.ItemType.INVALID and "กุญแจอื่น" in (invalid.description or "")


def test_it_types_received_files_by_their_content_not_by_the_senders_word(
        cast: Cast, as_a: None, partner: HubClient) -> None:
    from saraban.correspondence.models import LetterFile

    letter = letter_from_b("ไฟล์แนบที่ระบุชนิดผิด")
    letter.attachments = [
        m.BinaryObject.from_bytes(b"MZ\x90\x00" + b"\x00" * 60, mime_code="application/pdf", file_name="annex.pdf"),
        m.BinaryObject.from_bytes(b"%PDF-1.4 annex", mime_code="text/plain", file_name="annex2.txt"),
    ]
    partner.send_letter(letter)
    assert hub_pull().letters == 1
    files = {f.name: f.mime_type for f in LetterFile.objects.filter(role=LetterFile.Role.ATTACHMENT)}
    assert files["annex2.txt"] == "application/pdf"
    assert files["annex.pdf"] != "application/pdf"
