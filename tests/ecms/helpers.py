"""Shared cast and helpers of the hub tests: three agencies, letters, SOAP calls."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date

from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client
from lxml import etree

from thegif import messages as m
from thegif import ns, soap


@dataclass(frozen=True)
class Agency:
    username: str
    password: str
    ministry_id: str
    department_id: str

    def party(self) -> m.Party:
        return m.Party(ministry_id=self.ministry_id, department_id=self.department_id, job_title="ผู้อำนวยการ")


# sender, recipient and an outsider
SOC = Agency("soc-saraban", "soc-password-0105", "0100000000", "0105000000")
DOPA = Agency("dopa-saraban", "dopa-password-1503", "1500000000", "1503000000")
DGA = Agency("dga-saraban", "dga-password-2102", "2100000000", "2102000000")
AGENCIES = (SOC, DOPA, DGA)


def pdf_bytes(size: int = 2048, seed: str = "cover") -> bytes:
    """A small PDF-looking file of about ``size`` bytes, different for each seed."""
    head = b"%PDF-1.4\n% " + seed.encode() + b"\n"
    filler = hashlib.sha256(seed.encode()).hexdigest().encode()
    body = (filler * (size // len(filler) + 1))[: max(0, size - len(head) - 6)]
    return head + body + b"\n%%EOF"


def make_letter(
    sender: Agency = SOC,
    receiver: Agency = DOPA,
    *,
    doc_id: str = "นร 0505/1234",
    subject: str = "ขอเชิญประชุมคณะกรรมการพัฒนาระบบสารบรรณอิเล็กทรอนิกส์",
    cover: bytes | None = None,
    attachments: list[bytes] | None = None,
) -> m.CorrespondenceLetter:
    return m.CorrespondenceLetter(
        id=doc_id,
        correspondence_date=date(2025, 3, 14),
        subject=subject,
        secret_code="001",
        speed_code="002",
        sender=sender.party(),
        receiver=receiver.party(),
        main_letter=m.BinaryObject.from_bytes(cover or pdf_bytes(), mime_code="application/pdf", file_name="cover.pdf"),
        attachment_text="กำหนดการประชุม 1 ฉบับ",
        send_date=date(2025, 3, 14),
        attachments=[
            m.BinaryObject.from_bytes(data, mime_code="application/pdf", file_name=f"enclosure-{i}.pdf")
            for i, data in enumerate(attachments or [])
        ],
    )


def envelope(request: m.Request, message_id: str | None = None) -> bytes:
    return soap.envelope_bytes(
        request, addressing=soap.Addressing(message_id=message_id or soap.new_message_id(), to="http://testserver/")
    )


def auth_header(agency: Agency, password: str | None = None) -> str:
    raw = f"{agency.username}:{password or agency.password}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def post(client: Client, agency: Agency | None, body: bytes) -> tuple[int, bytes]:
    extra = {"HTTP_AUTHORIZATION": auth_header(agency)} if agency else {}
    response = client.post("/ecms/service", data=body, content_type="text/xml; charset=utf-8", **extra)
    return response.status_code, content_of(response)


def content_of(response: HttpResponse | StreamingHttpResponse) -> bytes:
    if isinstance(response, StreamingHttpResponse):
        return b"".join(bytes(chunk) for chunk in response.streaming_content)  # type: ignore[arg-type]
    return bytes(response.content)


def call(client: Client, agency: Agency, request: m.Request, message_id: str | None = None) -> m.Message:
    """POST one request and parse the answer (a fault raises its ProtocolError)."""
    status, content = post(client, agency, envelope(request, message_id))
    received = soap.read_envelope(content, expect_request=False)
    assert status == 200
    return received.message


def fault_code(content: bytes) -> str:
    root = etree.fromstring(content)
    code = root.findtext(f".//{ns.gd('ErrorDetail')}/{ns.gd('ErrorCode')}")
    assert code, content[:500]
    return code
