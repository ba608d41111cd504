"""``HubClient``: the agency side of the exchange over HTTP (plain requests, no Django).

Every call carries a fresh ``wsa:MessageID`` unless one is given; pass the same id to retry a call
whose answer was lost, and the hub answers it once (see docs/PROTOCOL.md, idempotency).
Files of pulled letters are left in temporary files (``BinaryObject.path``) that the caller owns.
"""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path
from typing import IO, TypeVar, cast

import requests

from thegif import messages as m
from thegif import soap
from thegif.errors import MalformedXMLError, ProtocolError
from thegif.xmlsafe import Limits

R = TypeVar("R", bound=m.Response)


class HubClient:
    def __init__(
        self,
        url: str,
        username: str,
        password: str,
        *,
        auth: str = "basic",
        timeout: float = 120.0,
        retries: int = 0,
        session: requests.Session | None = None,
        spool_dir: Path | None = None,
        limits: Limits | None = None,
        verify: bool | str = True,
    ) -> None:
        if auth not in ("basic", "wsse"):
            raise ValueError("auth is 'basic' (HTTP Basic) or 'wsse' (WS-Security UsernameToken)")
        self.url = url
        self.username = username
        self._password = password
        self.auth = auth
        self.timeout = timeout
        self.retries = retries
        self.session = session or requests.Session()
        self.spool_dir = spool_dir
        self.limits = limits or Limits(max_bytes=80 * 1024 * 1024)
        self.verify = verify

    # ----- the transport -----

    def call(
        self,
        request: m.Request,
        *,
        message_id: str | None = None,
        response_type: type[R],
        raw_sink: IO[bytes] | None = None,
    ) -> R:
        """Send one request; retry on connection errors with the same MessageID; raise faults.

        With ``raw_sink``, the response's exact bytes are written there too (evidence of what arrived).
        """
        message_id = message_id or soap.new_message_id()
        operation = m.operation_of(request)
        addressing = soap.Addressing(
            message_id=message_id, to=self.url, action=f"{soap.ACTION_PREFIX}{operation}"
        )
        token = soap.UsernameToken(self.username, self._password) if self.auth == "wsse" else None
        attempt = 0
        with tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024, dir=self._spool_dir_str()) as body:
            soap.write_envelope(cast(IO[bytes], body), request, addressing=addressing, token=token)
            size = body.tell()
            sink_start = raw_sink.tell() if raw_sink is not None else 0
            while True:
                body.seek(0)
                if raw_sink is not None:  # a retry replaces what a broken attempt left
                    raw_sink.seek(sink_start)
                    raw_sink.truncate()
                try:
                    return self._post(body, size, operation, response_type, raw_sink)
                except (requests.ConnectionError, requests.Timeout):
                    if attempt >= self.retries:
                        raise
                    attempt += 1
                    time.sleep(min(2.0**attempt * 0.1, 5.0))

    def _spool_dir_str(self) -> str | None:
        return str(self.spool_dir) if self.spool_dir is not None else None

    def _post(
        self, body: IO[bytes], size: int, operation: str, response_type: type[R], raw_sink: IO[bytes] | None = None
    ) -> R:
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": f'"{soap.ACTION_PREFIX}{operation}"',
            "Content-Length": str(size),
        }
        auth = (self.username, self._password) if self.auth == "basic" else None
        with self.session.post(
            self.url, data=body, headers=headers, auth=auth, timeout=self.timeout, stream=True, verify=self.verify
        ) as response:
            response.raw.decode_content = True
            source = cast(IO[bytes], response.raw)
            if raw_sink is not None:
                source = self._copy_limited(source, raw_sink)
            try:
                received = soap.read_envelope(
                    source,
                    limits=self.limits,
                    spool_dir=self.spool_dir,
                    expect_request=False,
                )
            except MalformedXMLError as exc:
                raise ProtocolError(f"HTTP {response.status_code}: คำตอบไม่ใช่ SOAP ({exc.message})") from exc
        message = received.message
        if not isinstance(message, response_type):
            received.cleanup()
            raise ProtocolError(f"ได้ {type(message).__name__} แทน {response_type.__name__}")
        return message

    def _copy_limited(self, source: IO[bytes], sink: IO[bytes]) -> IO[bytes]:
        """Copy the response into ``sink`` (at most the size limit, plus one byte so that the parser
        still sees an oversized answer as one) and return ``sink`` positioned at its start."""
        start = sink.tell()
        left = self.limits.max_bytes + 1
        while left > 0 and (chunk := source.read(min(1 << 20, left))):
            sink.write(chunk)
            left -= len(chunk)
        sink.seek(start)
        return sink

    # ----- operations -----

    def send_letter(self, letter: m.CorrespondenceLetter, *, message_id: str | None = None) -> m.OutboundResponse:
        return self.call(m.OutboundRequest(item=letter), message_id=message_id, response_type=m.OutboundResponse)

    def notify(self, notifier: m.Notifier, *, message_id: str | None = None) -> m.OutboundResponse:
        return self.call(m.OutboundRequest(item=notifier), message_id=message_id, response_type=m.OutboundResponse)

    def accept(
        self, letter_id: str, correspondence_date: date, subject: str, accept_id: str, *, message_id: str | None = None
    ) -> m.OutboundResponse:
        notifier = m.Notifier(m.ItemType.ACCEPT, letter_id, correspondence_date, subject, accept_id=accept_id)
        return self.notify(notifier, message_id=message_id)

    def reject(
        self, letter_id: str, correspondence_date: date, subject: str, reason: str, *, message_id: str | None = None
    ) -> m.OutboundResponse:
        notifier = m.Notifier(m.ItemType.REJECT, letter_id, correspondence_date, subject, description=reason)
        return self.notify(notifier, message_id=message_id)

    def pull(self, *, message_id: str | None = None, raw_sink: IO[bytes] | None = None) -> m.InboundResponse:
        return self.call(
            m.InboundRequest(), message_id=message_id, response_type=m.InboundResponse, raw_sink=raw_sink
        )

    def pull_special(self, request: m.InboundSpecialRequest) -> m.InboundResponse:
        return self.call(request, response_type=m.InboundSpecialResponse)

    def delete(self, process_id: str, *, message_id: str | None = None) -> m.DeleteResponse:
        return self.call(m.DeleteRequest(process_id=process_id), message_id=message_id, response_type=m.DeleteResponse)

    def delete_letter(
        self, request: m.DeleteGovernmentDocumentRequest, *, message_id: str | None = None
    ) -> m.DeleteGovernmentDocumentResponse:
        return self.call(request, message_id=message_id, response_type=m.DeleteGovernmentDocumentResponse)

    def ministries(self) -> m.MinistryListResponse:
        return self.call(m.MinistryListRequest(), response_type=m.MinistryListResponse)

    def organizations(self, ministry_id: str | None = None) -> m.OrganizationListResponse:
        return self.call(m.OrganizationListRequest(ministry_id=ministry_id), response_type=m.OrganizationListResponse)

    def secret_codes(self) -> m.SecretCodesResponse:
        return self.call(m.SecretCodesRequest(), response_type=m.SecretCodesResponse)

    def speed_codes(self) -> m.SecretCodesResponse:
        return self.call(m.SpeedCodesRequest(), response_type=m.SpeedCodesResponse)

    def mime_codes(self) -> m.SecretCodesResponse:
        return self.call(m.MimeCodesRequest(), response_type=m.MimeCodesResponse)

    def outbound_status(self, letter_id: str | None = None) -> m.OutboundStatusResponse:
        return self.call(m.OutboundStatusRequest(letter_id=letter_id), response_type=m.OutboundStatusResponse)

    def time_check(self) -> m.TimeCheckResponse:
        return self.call(m.TimeCheckRequest(), response_type=m.TimeCheckResponse)
