"""Bad requests get a SOAP Fault with a stable code, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings as SettingsWrapper

from ecms.hub.models import IdempotencyRecord, Letter, LetterEvent, QueueItem
from tests.ecms.helpers import DOPA, SOC, Agency, envelope, fault_code, make_letter, pdf_bytes, post
from thegif import messages as m
from thegif import soap


def assert_nothing_stored(files: Path) -> None:
    assert Letter.objects.count() == 0
    assert QueueItem.objects.count() == 0
    assert LetterEvent.objects.count() == 0
    assert IdempotencyRecord.objects.count() == 0
    stored = [p for p in files.rglob("*") if p.is_file()] if files.exists() else []
    assert stored == []


def letter_envelope(**kwargs: object) -> bytes:
    return envelope(m.OutboundRequest(item=make_letter(**kwargs)))  # type: ignore[arg-type]


def test_it_faults_on_malformed_xml(hub: Path, client: Client) -> None:
    body = letter_envelope()[:-40]  # cut off in the middle
    status, content = post(client, SOC, body)
    assert (status, fault_code(content)) == (400, "ECMS-XML-001")
    assert_nothing_stored(hub)


def test_it_faults_on_a_schema_violation(hub: Path, client: Client) -> None:
    body = letter_envelope().replace(b"<ram:SpeedCode>002</ram:SpeedCode>", b"<ram:SpeedCode>009</ram:SpeedCode>")
    status, content = post(client, SOC, body)
    assert (status, fault_code(content)) == (400, "ECMS-SCHEMA-002")
    assert b"SpeedCode" in content
    assert_nothing_stored(hub)


def test_it_faults_when_the_cover_letter_is_missing(hub: Path, client: Client) -> None:
    letter = make_letter()
    letter.main_letter = None
    status, content = post(client, SOC, envelope(m.OutboundRequest(item=letter)))
    assert (status, fault_code(content)) == (400, "ECMS-COVER-001")
    assert_nothing_stored(hub)


def test_it_faults_when_the_cover_letter_is_not_a_pdf(hub: Path, client: Client) -> None:
    status, content = post(client, SOC, letter_envelope(cover=b"GIF89a not a pdf at all"))
    assert (status, fault_code(content)) == (400, "ECMS-COVER-002")
    assert_nothing_stored(hub)


def test_it_faults_on_an_unknown_agency_code(hub: Path, client: Client) -> None:
    nobody = Agency("nobody", "x", "9900000000", "9901000000")
    status, content = post(client, SOC, letter_envelope(receiver=nobody))
    assert (status, fault_code(content)) == (400, "ECMS-AGENCY-001")
    assert_nothing_stored(hub)


def test_it_faults_when_the_ministry_does_not_match_the_department(hub: Path, client: Client) -> None:
    wrong_ministry = Agency("x", "x", "0100000000", DOPA.department_id)
    _status, content = post(client, SOC, letter_envelope(receiver=wrong_ministry))
    assert fault_code(content) == "ECMS-AGENCY-001"
    assert_nothing_stored(hub)


def test_it_faults_when_the_sender_is_not_the_authenticated_agency(hub: Path, client: Client) -> None:
    status, content = post(client, SOC, letter_envelope(sender=DOPA, receiver=SOC))
    assert (status, fault_code(content)) == (403, "ECMS-AUTH-003")
    assert_nothing_stored(hub)


def test_it_faults_on_an_oversized_attachment(hub: Path, client: Client, settings: SettingsWrapper) -> None:
    settings.ECMS_MAX_MESSAGE_BYTES = 200_000
    body = letter_envelope(attachments=[pdf_bytes(300_000, seed="big")])
    status, content = post(client, SOC, body)
    assert (status, fault_code(content)) == (413, "ECMS-SIZE-001")
    assert_nothing_stored(hub)


def _auth(agency: Agency) -> str:
    from tests.ecms.helpers import auth_header

    return auth_header(agency)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"
  xmlns:wsa="http://www.w3.org/2005/08/addressing"
  xmlns:gd="urn:th:gov:egif:data:standard:GovernmentDocument:1.0">
  <soap:Header><wsa:MessageID>urn:uuid:1</wsa:MessageID></soap:Header>
  <soap:Body><gd:GetOrganizationList><gd:MinistryID>&xxe;</gd:MinistryID></gd:GetOrganizationList></soap:Body>
</soap:Envelope>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Body><lolz>&lol9;</lolz></soap:Body>
</soap:Envelope>"""


@pytest.mark.parametrize("payload", [XXE, BILLION_LAUGHS], ids=["xxe", "billion-laughs"])
def test_it_refuses_entity_attacks(hub: Path, client: Client, payload: bytes) -> None:
    status, content = post(client, SOC, payload)
    assert (status, fault_code(content)) == (400, "ECMS-XML-002")
    assert b"root:" not in content and b"lollol" not in content
    assert_nothing_stored(hub)


def test_it_refuses_deeply_nested_xml(hub: Path, client: Client) -> None:
    body = b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    body += b"<a>" * 200 + b"</a>" * 200 + b"</soap:Body></soap:Envelope>"
    _status, content = post(client, SOC, body)
    assert fault_code(content) == "ECMS-XML-003"


def test_it_faults_when_a_digest_does_not_match(hub: Path, client: Client) -> None:
    letter = make_letter()
    assert letter.main_letter is not None
    letter.main_letter.sha256 = "0" * 64
    status, content = post(client, SOC, envelope(m.OutboundRequest(item=letter)))
    assert (status, fault_code(content)) == (400, "ECMS-DIGEST-001")
    assert_nothing_stored(hub)


def test_it_faults_when_a_declared_size_does_not_match(hub: Path, client: Client) -> None:
    letter = make_letter()
    assert letter.main_letter is not None
    letter.main_letter.size = 5
    _status, content = post(client, SOC, envelope(m.OutboundRequest(item=letter)))
    assert fault_code(content) == "ECMS-DIGEST-002"
    assert_nothing_stored(hub)


def test_it_faults_on_broken_base64(hub: Path, client: Client) -> None:
    letter = make_letter()
    assert letter.main_letter is not None
    letter.main_letter.sha256 = None
    letter.main_letter.size = None
    body = envelope(m.OutboundRequest(item=letter))
    start = body.index(b'mimeCode="application/pdf"')
    start = body.index(b">", start) + 1
    body = body[:start] + b"!!!" + body[start + 3 :]
    _status, content = post(client, SOC, body)
    assert fault_code(content) == "ECMS-SCHEMA-003"
    assert_nothing_stored(hub)


def test_it_faults_without_credentials(hub: Path, client: Client) -> None:
    status, content = post(client, None, letter_envelope())
    assert (status, fault_code(content)) == (401, "ECMS-AUTH-001")
    assert_nothing_stored(hub)


def test_it_faults_on_a_wrong_password(hub: Path, client: Client) -> None:
    response = client.post(
        "/ecms/service",
        data=letter_envelope(),
        content_type="text/xml",
        HTTP_AUTHORIZATION=_auth(Agency(SOC.username, "wrong-password", "", "")),
    )
    assert (response.status_code, fault_code(response.content)) == (401, "ECMS-AUTH-002")
    assert response["WWW-Authenticate"].startswith("Basic")
    assert_nothing_stored(hub)


def test_it_faults_without_a_message_id(hub: Path, client: Client) -> None:
    body = soap.envelope_bytes(m.OutboundRequest(item=make_letter()))
    _status, content = post(client, SOC, body)
    assert fault_code(content) == "ECMS-SOAP-002"
    assert_nothing_stored(hub)


def test_it_faults_on_soap_1_2_and_unknown_messages(hub: Path, client: Client) -> None:
    soap12 = b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>'
    assert fault_code(post(client, SOC, soap12)[1]) == "ECMS-SOAP-001"
    unknown = envelope(m.TimeCheckRequest()).replace(b"TimeCheckRequest", b"DoSomethingElse")
    assert fault_code(post(client, SOC, unknown)[1]) == "ECMS-SCHEMA-001"


def test_it_faults_on_wrong_method_and_content_type(hub: Path, client: Client) -> None:
    response = client.put("/ecms/service", data=b"x", content_type="text/xml")
    assert (response.status_code, fault_code(response.content)) == (405, "ECMS-SOAP-003")
    response = client.post("/ecms/service", data=b"{}", content_type="application/json")
    assert fault_code(response.content) == "ECMS-SOAP-003"


def test_it_refuses_agencies_outside_the_environment(hub: Path, client: Client, settings: SettingsWrapper) -> None:
    settings.ECMS_ALLOWED_AGENCIES = [DOPA.department_id]
    status, content = post(client, SOC, letter_envelope())
    assert (status, fault_code(content)) == (403, "ECMS-AUTH-004")
    assert_nothing_stored(hub)


def test_it_slows_down_an_address_that_fails_to_authenticate_again_and_again(
    hub: Path, client: Client, settings: SettingsWrapper
) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.ECMS_AUTH_FAILURES_PER_15_MINUTES = 3
    wrong = Agency(SOC.username, "not-the-password", SOC.ministry_id, SOC.department_id)
    codes = [fault_code(post(client, wrong, letter_envelope())[1]) for _ in range(4)]
    assert codes == ["ECMS-AUTH-002"] * 3 + ["ECMS-RATE-001"]
    status, content = post(client, SOC, letter_envelope())  # the right password is refused for a while too
    assert (status, fault_code(content)) == (429, "ECMS-RATE-001")
    assert_nothing_stored(hub)
    cache.clear()


def test_it_refuses_more_requests_a_minute_than_allowed(hub: Path, client: Client, settings: SettingsWrapper) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.ECMS_SOAP_RATE_PER_MINUTE = 2
    codes = [fault_code(post(client, SOC, b"<not-xml")[1]) for _ in range(3)]
    assert codes == ["ECMS-XML-001", "ECMS-XML-001", "ECMS-RATE-001"]
    cache.clear()
