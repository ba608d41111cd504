"""The letter's life cycle at the hub, through the SOAP endpoint (in process)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from ecms.hub.models import IdempotencyRecord, Letter, LetterEvent, QueueItem
from tests.ecms.helpers import DGA, DOPA, SOC, Agency, call, envelope, fault_code, make_letter, pdf_bytes, post
from thegif import messages as m
from thegif import ns, soap
from thegif.errors import (
    IdempotencyConflictError,
    LetterNotFoundError,
    LetterStateError,
    QueueItemNotFoundError,
)


def send(client: Client, sender: Agency = SOC, receiver: Agency = DOPA, **kwargs: object) -> m.OutboundResponse:
    result = call(client, sender, m.OutboundRequest(item=make_letter(sender, receiver, **kwargs)))  # type: ignore[arg-type]
    assert isinstance(result, m.OutboundResponse)
    return result


def pull(client: Client, agency: Agency) -> m.InboundResponse:
    result = call(client, agency, m.InboundRequest())
    assert isinstance(result, m.InboundResponse)
    return result


def notify(client: Client, agency: Agency, kind: m.ItemType, letter_id: str, **kwargs: str) -> m.OutboundResponse:
    notifier = m.Notifier(kind, letter_id, date(2025, 3, 14), "เรื่องเดิม", **kwargs)  # type: ignore[arg-type]
    result = call(client, agency, m.OutboundRequest(item=notifier))
    assert isinstance(result, m.OutboundResponse)
    return result


def delete(client: Client, agency: Agency, process_id: str) -> None:
    assert isinstance(call(client, agency, m.DeleteRequest(process_id=process_id)), m.DeleteResponse)


def test_it_delivers_a_letter_and_the_receive_number_back(hub: Path, client: Client) -> None:
    """GIVEN a letter from SOC to DOPA WHEN DOPA pulls and accepts it THEN SOC pulls the receive number."""
    cover = pdf_bytes(5000, seed="cycle")
    enclosure = pdf_bytes(3000, seed="enclosure")
    sent = send(client, cover=cover, attachments=[enclosure])
    assert Letter.objects.get().status == m.LetterStatus.SENT

    inbound = pull(client, DOPA)
    assert inbound.queue_length == 1 and inbound.item is not None
    letter = inbound.item.content
    assert isinstance(letter, m.CorrespondenceLetter)
    assert inbound.item.letter_id == sent.letter_id and inbound.item.process_id == sent.process_id
    assert letter.main_letter is not None and letter.main_letter.read_bytes() == cover
    assert [a.read_bytes() for a in letter.attachments] == [enclosure]
    assert letter.subject.startswith("ขอเชิญประชุม")
    assert Letter.objects.get().status == m.LetterStatus.DELIVERED
    delete(client, DOPA, inbound.item.process_id)
    assert pull(client, DOPA).item is None

    notify(client, DOPA, m.ItemType.RECEIVE, sent.letter_id)
    notify(client, DOPA, m.ItemType.ACCEPT, sent.letter_id, accept_id="1503/2568/00042")

    first = pull(client, SOC)
    assert first.queue_length == 2 and first.item is not None
    assert isinstance(first.item.content, m.Notifier) and first.item.content.kind is m.ItemType.RECEIVE
    delete(client, SOC, first.item.process_id)
    second = pull(client, SOC)
    assert second.item is not None and isinstance(second.item.content, m.Notifier)
    assert second.item.content.kind is m.ItemType.ACCEPT
    assert second.item.content.accept_id == "1503/2568/00042"
    delete(client, SOC, second.item.process_id)

    row = Letter.objects.get()
    assert (row.status, row.accept_id) == (m.LetterStatus.ACCEPTED, "1503/2568/00042")
    kinds = list(row.events.order_by("id").values_list("kind", flat=True))
    assert kinds == ["sent", "pulled", "dequeued", "received", "accepted", "pulled", "dequeued", "pulled", "dequeued"]
    status = call(client, SOC, m.OutboundStatusRequest())
    assert isinstance(status, m.OutboundStatusResponse)
    assert [(s.status, s.accept_id) for s in status.statuses] == [(m.LetterStatus.ACCEPTED, "1503/2568/00042")]


def test_it_answers_a_retried_send_once(hub: Path, client: Client) -> None:
    body = envelope(m.OutboundRequest(item=make_letter()), message_id="urn:uuid:retry-1")
    first = post(client, SOC, body)
    second = post(client, SOC, body)
    assert first == second and first[0] == 200
    assert Letter.objects.count() == 1 and QueueItem.objects.count() == 1
    assert LetterEvent.objects.count() == 1 and IdempotencyRecord.objects.count() == 1


def test_it_answers_a_retried_acknowledgement_once(hub: Path, client: Client) -> None:
    sent = send(client)
    pull(client, DOPA)
    notifier = m.Notifier(m.ItemType.ACCEPT, sent.letter_id, date(2025, 3, 14), "เรื่อง", accept_id="42")
    body = envelope(m.OutboundRequest(item=notifier), message_id="urn:uuid:ack-1")
    assert post(client, DOPA, body) == post(client, DOPA, body)
    assert QueueItem.objects.filter(item_type=m.ItemType.ACCEPT).count() == 1
    assert LetterEvent.objects.filter(kind="accepted").count() == 1


def test_it_refuses_a_message_id_reused_for_another_request(hub: Path, client: Client) -> None:
    call(client, SOC, m.OutboundRequest(item=make_letter()), message_id="urn:uuid:same")
    other = make_letter(subject="เรื่องอื่น")
    with pytest.raises(IdempotencyConflictError):
        call(client, SOC, m.OutboundRequest(item=other), message_id="urn:uuid:same")
    assert Letter.objects.count() == 1


def test_it_keys_message_ids_per_agency(hub: Path, client: Client) -> None:
    call(client, SOC, m.OutboundRequest(item=make_letter(SOC, DOPA)), message_id="urn:uuid:shared")
    call(client, DGA, m.OutboundRequest(item=make_letter(DGA, DOPA)), message_id="urn:uuid:shared")
    assert Letter.objects.count() == 2


def test_it_shows_each_agency_only_its_own_queue(hub: Path, client: Client) -> None:
    sent = send(client, SOC, DOPA)
    assert pull(client, DGA).item is None
    assert pull(client, SOC).item is None
    with pytest.raises(QueueItemNotFoundError):
        call(client, DGA, m.DeleteRequest(process_id=sent.process_id))
    with pytest.raises(LetterNotFoundError):  # an outsider cannot acknowledge it
        notify(client, DGA, m.ItemType.ACCEPT, sent.letter_id, accept_id="1")
    with pytest.raises(LetterNotFoundError):  # nor fetch it by its identifiers
        call(
            client,
            DGA,
            m.InboundSpecialRequest(
                m.ItemType.GOVERNMENT_DOCUMENT, sent.letter_id, date(2025, 3, 14), SOC.department_id, DOPA.department_id
            ),
        )
    status = call(client, DGA, m.OutboundStatusRequest())
    assert isinstance(status, m.OutboundStatusResponse) and status.statuses == []
    assert pull(client, DOPA).item is not None


def test_it_refuses_acknowledgements_out_of_order(hub: Path, client: Client) -> None:
    sent = send(client)
    with pytest.raises(LetterStateError):  # not pulled yet
        notify(client, DOPA, m.ItemType.ACCEPT, sent.letter_id, accept_id="1")
    pull(client, DOPA)
    notify(client, DOPA, m.ItemType.REJECT, sent.letter_id, description="ส่งผิดหน่วยงาน")
    with pytest.raises(LetterStateError):
        notify(client, DOPA, m.ItemType.ACCEPT, sent.letter_id, accept_id="1")
    with pytest.raises(LetterNotFoundError):  # only the sender may dispute a receive number
        notify(client, DOPA, m.ItemType.INVALID_ACCEPT_ID, sent.letter_id, accept_id="1")


def test_it_lets_the_sender_dispute_a_receive_number(hub: Path, client: Client) -> None:
    sent = send(client)
    pull(client, DOPA)
    notify(client, DOPA, m.ItemType.ACCEPT, sent.letter_id, accept_id="999")
    notify(client, SOC, m.ItemType.INVALID_ACCEPT_ID, sent.letter_id, accept_id="999", description="เลขซ้ำ")
    assert Letter.objects.get().status == m.LetterStatus.RECEIVED
    delete(client, DOPA, QueueItem.objects.get(item_type=m.ItemType.GOVERNMENT_DOCUMENT).process_id)
    item = pull(client, DOPA).item
    assert item is not None and isinstance(item.content, m.Notifier)
    assert (item.content.kind, item.content.accept_id) == (m.ItemType.INVALID_ACCEPT_ID, "999")
    notify(client, DOPA, m.ItemType.ACCEPT, sent.letter_id, accept_id="1000")
    assert Letter.objects.get().accept_id == "1000"


def withdrawal(letter_id: str) -> m.DeleteGovernmentDocumentRequest:
    return m.DeleteGovernmentDocumentRequest(letter_id, date(2025, 3, 14), SOC.department_id, DOPA.department_id)


def test_it_lets_the_sender_withdraw_an_unpulled_letter(hub: Path, client: Client) -> None:
    sent = send(client)
    request = withdrawal(sent.letter_id)
    with pytest.raises(LetterNotFoundError):
        call(client, DOPA, request)  # only the sender
    result = call(client, SOC, request)
    assert isinstance(result, m.DeleteGovernmentDocumentResponse) and result.letter_id == sent.letter_id
    assert pull(client, DOPA).item is None
    assert Letter.objects.get().status == m.LetterStatus.DELETED


def test_it_refuses_to_withdraw_a_pulled_letter_until_rejected(hub: Path, client: Client) -> None:
    sent = send(client)
    pull(client, DOPA)
    request = withdrawal(sent.letter_id)
    with pytest.raises(LetterStateError):
        call(client, SOC, request)
    notify(client, DOPA, m.ItemType.INVALID, sent.letter_id, description="ไม่มีสิ่งที่ส่งมาด้วย")
    call(client, SOC, request)
    assert Letter.objects.get().status == m.LetterStatus.DELETED
    corrected = send(client, doc_id="นร 0505/1235")
    assert corrected.letter_id != sent.letter_id


def test_it_fetches_a_letter_again_by_its_identifiers(hub: Path, client: Client) -> None:
    sent = send(client, cover=pdf_bytes(3000, seed="again"))
    first = pull(client, DOPA)
    assert first.item is not None
    delete(client, DOPA, first.item.process_id)
    again = call(
        client,
        DOPA,
        m.InboundSpecialRequest(
            m.ItemType.GOVERNMENT_DOCUMENT, sent.letter_id, date(2025, 3, 14), SOC.department_id, DOPA.department_id
        ),
    )
    assert isinstance(again, m.InboundSpecialResponse) and again.item is not None
    assert isinstance(again.item.content, m.CorrespondenceLetter)
    assert again.item.content.main_letter is not None
    assert again.item.content.main_letter.read_bytes() == pdf_bytes(3000, seed="again")


def test_it_accepts_the_misspelled_namespace_and_answers_with_the_correct_one(hub: Path, client: Client) -> None:
    body = envelope(m.OutboundRequest(item=make_letter()))
    misspelled = body.replace(ns.RAM.encode(), ns.RAM_MISSPELLED.encode())
    assert ns.RAM.encode() not in misspelled
    status, _ = post(client, SOC, misspelled)
    assert status == 200
    _, content = post(client, DOPA, envelope(m.InboundRequest()))
    assert ns.RAM.encode() in content and ns.RAM_MISSPELLED.encode() not in content
    stored = Letter.objects.get().document_xml
    assert ns.RAM in stored and ns.RAM_MISSPELLED not in stored


def test_it_authenticates_with_a_ws_security_username_token(hub: Path, client: Client) -> None:
    body = soap.envelope_bytes(
        m.TimeCheckRequest(),
        addressing=soap.Addressing(message_id=soap.new_message_id()),
        token=soap.UsernameToken(SOC.username, SOC.password),
    )
    status, content = post(client, None, body)
    assert status == 200 and b"TimeCheckResponse" in content
    bad = body.replace(SOC.password.encode(), b"not-the-password")
    assert fault_code(post(client, None, bad)[1]) == "ECMS-AUTH-002"


def test_it_serves_the_directory_and_code_tables(hub: Path, client: Client) -> None:
    ministries = call(client, SOC, m.MinistryListRequest())
    assert isinstance(ministries, m.MinistryListResponse)
    assert {o.short_name for o in ministries.organizations} == {"นร", "มท", "ดศ"}
    departments = call(client, SOC, m.OrganizationListRequest(ministry_id="1500000000"))
    assert isinstance(departments, m.OrganizationListResponse)
    assert DOPA.department_id in {o.id for o in departments.organizations}
    assert all(o.ministry_id == "1500000000" for o in departments.organizations)
    speed = call(client, SOC, m.SpeedCodesRequest())
    assert isinstance(speed, m.SpeedCodesResponse)
    assert [(c.code, c.name) for c in speed.codes][-1] == ("004", "ด่วนที่สุด")
    secret = call(client, SOC, m.SecretCodesRequest())
    assert isinstance(secret, m.SecretCodesResponse) and secret.codes[1].name == "ลับ"
    mime = call(client, SOC, m.MimeCodesRequest())
    assert isinstance(mime, m.MimeCodesResponse) and "application/pdf" in {c.code for c in mime.codes}
    clock = call(client, SOC, m.TimeCheckRequest())
    assert isinstance(clock, m.TimeCheckResponse) and clock.process_time.utcoffset() is not None


def test_it_publishes_an_agency_public_key_in_the_directory(hub: Path, client: Client) -> None:
    from ecms.hub.models import Organization

    Organization.objects.filter(org_id=DOPA.department_id).update(
        public_key_der=b"\x30\x82der-bytes", public_key_algorithm="RSA-OAEP-SHA256"
    )
    departments = call(client, SOC, m.OrganizationListRequest(ministry_id="1500000000"))
    assert isinstance(departments, m.OrganizationListResponse)
    keys = {o.id: o.public_key for o in departments.organizations}
    assert keys[DOPA.department_id] == m.PublicKey("RSA-OAEP-SHA256", b"\x30\x82der-bytes")


def test_it_serves_the_wsdl_with_its_own_address(hub: Path, client: Client) -> None:
    response = client.get("/ecms/service?wsdl")
    assert response.status_code == 200
    assert b'location="http://testserver/ecms/service"' in response.content
    assert b"CorrespondenceLetterOutbound" in response.content
    xsd = client.get("/ecms/service?xsd=GovernmentDocument.xsd")
    assert b'schemaLocation="?xsd=ReusableAggregateBusinessInformationEntity.xsd"' in xsd.content
    assert client.get("/ecms/service?xsd=../../settings.py").status_code == 404
    home = client.get("/")
    assert "develop" in home.content.decode()
