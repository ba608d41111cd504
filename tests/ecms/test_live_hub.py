"""The running hub, as a separate server process, driven by real SOAP clients."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from zeep import Client as ZeepClient
from zeep.transports import Transport
from zeep.wsa import WsAddressingPlugin

from tests.ecms.helpers import DOPA, SOC, Agency, make_letter, pdf_bytes
from tests.ecms.live import LiveHub, hub_database
from thegif import messages as m
from thegif.client import HubClient

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveHub]:
    tmp = tmp_path_factory.mktemp("live-hub")
    with hub_database(tmp) as url:
        hub = LiveHub(tmp, url)
        hub.setup()
        hub.start()
        try:
            yield hub
        finally:
            hub.stop()


def zeep_client(hub: LiveHub, agency: Agency) -> ZeepClient:
    session = requests.Session()
    session.auth = (agency.username, agency.password)
    return ZeepClient(hub.url + "?wsdl", transport=Transport(session=session), plugins=[WsAddressingPlugin()])


def test_it_runs_the_whole_cycle_with_a_zeep_client(live_hub: LiveHub) -> None:
    """GIVEN the hub running WHEN SOC sends, DOPA pulls and accepts THEN SOC pulls DOPA's receive number."""
    soc, dopa = zeep_client(live_hub, SOC), zeep_client(live_hub, DOPA)
    cover = pdf_bytes(20_000, seed="zeep")
    party = {"JobTitle": "ผู้อำนวยการ"}
    sent = soc.service.CorrespondenceLetterOutbound(
        GovernmentDocument={
            "CorrespondenceLetter": {
                "ID": "นร 0505/777",
                "CorrespondenceDate": dt.date(2025, 3, 14),
                "Subject": "ขอเชิญประชุม",
                "SecretCode": "001",
                "SpeedCode": "003",
                "SenderParty": {
                    **party,
                    "MinistryOrganization": {"ID": SOC.ministry_id},
                    "DepartmentOrganization": {"ID": SOC.department_id},
                },
                "ReceiverParty": {
                    **party,
                    "MinistryOrganization": {"ID": DOPA.ministry_id},
                    "DepartmentOrganization": {"ID": DOPA.department_id},
                },
                "MainLetterBinaryObject": {"_value_1": cover, "mimeCode": "application/pdf", "fileName": "c.pdf"},
            }
        }
    )
    assert sent.LetterID and sent.ProcessID

    pulled = dopa.service.CorrespondenceLetterInbound()
    assert pulled.ProcessID == sent.ProcessID and pulled.LetterID == sent.LetterID
    letter = pulled.GovernmentDocument.CorrespondenceLetter
    assert letter.Subject == "ขอเชิญประชุม" and letter.SpeedCode == "003"
    assert letter.MainLetterBinaryObject._value_1 == cover
    assert letter.MainLetterBinaryObject.sha256 is not None
    dopa.service.CorrespondenceLetterDelete(ProcessID=pulled.ProcessID)

    dopa.service.CorrespondenceLetterOutbound(
        AcceptLetterNotifier={
            "LetterID": sent.LetterID,
            "CorrespondenceDate": dt.date(2025, 3, 14),
            "Subject": "ขอเชิญประชุม",
            "AcceptID": "มท 0303/2568/1234",
        }
    )
    notice = soc.service.CorrespondenceLetterInbound()
    assert notice.LetterID == sent.LetterID
    assert notice.AcceptLetterNotifier.AcceptID == "มท 0303/2568/1234"
    soc.service.CorrespondenceLetterDelete(ProcessID=notice.ProcessID)
    assert soc.service.CorrespondenceLetterInbound().QueueLength == 0

    status = soc.service.OutboundStatus(LetterID=sent.LetterID)
    assert [(s.Status, s.AcceptID) for s in status.LetterStatus] == [("ACCEPTED", "มท 0303/2568/1234")]


def test_it_answers_faults_that_zeep_understands(live_hub: LiveHub) -> None:
    from zeep.exceptions import Fault

    soc = zeep_client(live_hub, SOC)
    with pytest.raises(Fault) as caught:
        soc.service.CorrespondenceLetterDelete(ProcessID="does-not-exist")
    assert "ECMS-QUEUE-001" in caught.value.message


def test_it_keeps_one_letter_when_the_hub_dies_before_answering(
    tmp_path: Path,
) -> None:
    """GIVEN a hub that dies right after committing a letter WHEN the client retries with the same
    MessageID against the restarted hub THEN there is one letter, and the answer names it."""
    with hub_database(tmp_path) as url:
        hub = LiveHub(tmp_path, url)
        hub.setup()
        hub.start(ECMS_CRASH_AFTER_COMMIT="CorrespondenceLetterOutbound")
        try:
            client = HubClient(hub.url, SOC.username, SOC.password, retries=0)
            letter = make_letter(cover=pdf_bytes(50_000, seed="crash"))
            message_id = "urn:uuid:0d7c55f0-crash-test"
            with pytest.raises(requests.ConnectionError):
                client.send_letter(letter, message_id=message_id)
            assert hub.wait_exit() == 70  # the hook's exit: committed, never answered
            assert hub.count("hub_letter") == 1

            hub.start()
            answer = client.send_letter(letter, message_id=message_id)
            again = client.send_letter(letter, message_id=message_id)
            assert answer == again
            assert hub.count("hub_letter") == 1
            assert hub.count("hub_queueitem") == 1
            assert hub.count("hub_letterevent") == 1

            inbound = HubClient(hub.url, DOPA.username, DOPA.password).pull()
            assert inbound.queue_length == 1 and inbound.item is not None
            assert inbound.item.letter_id == answer.letter_id
            assert isinstance(inbound.item.content, m.CorrespondenceLetter)
            assert inbound.item.content.main_letter is not None
            assert inbound.item.content.main_letter.read_bytes() == pdf_bytes(50_000, seed="crash")
        finally:
            hub.stop()
