"""POSTs to the SOAP endpoint skip the Monitor's middleware (ecms.hub.middleware) but keep its headers."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory

from ecms.hub.middleware import SoapServiceMiddleware
from tests.ecms.helpers import SOC, call, envelope, fault_code, post
from thegif import messages as m


def _rest_of_the_chain(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"rest of the chain", status=299)


def test_it_hands_only_soap_posts_straight_to_the_endpoint(hub: Path) -> None:
    lane = SoapServiceMiddleware(_rest_of_the_chain)
    factory = RequestFactory()
    body = envelope(m.TimeCheckRequest())
    answered = lane(factory.post("/ecms/service", data=body, content_type="text/xml"))
    assert answered.status_code == 401 and fault_code(answered.content) == "ECMS-AUTH-001"
    assert lane(factory.get("/ecms/service?wsdl")).status_code == 299
    assert lane(factory.post("/monitor/login/", data={})).status_code == 299
    assert lane(factory.post("/ecms/service/", data=body, content_type="text/xml")).status_code == 299


def test_it_keeps_the_security_headers_on_soap_answers(hub: Path, client: Client) -> None:
    assert isinstance(call(client, SOC, m.TimeCheckRequest()), m.TimeCheckResponse)
    response = client.post(
        "/ecms/service", data=envelope(m.TimeCheckRequest()), content_type="text/xml; charset=utf-8"
    )
    assert response.status_code == 401
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    status, _ = post(client, SOC, envelope(m.TimeCheckRequest()))
    assert status == 200
