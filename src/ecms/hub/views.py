"""The hub's SOAP endpoint: authorise, parse and validate, call one service, render.

POST text/xml: one SOAP 1.1 request. GET ?wsdl: the WSDL; GET ?xsd=<file>: a schema file.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from typing import IO, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt

from ecms.hub import selectors, services
from ecms.hub.faults import XML_CONTENT_TYPE, fault_response
from ecms.hub.storage import store
from govcommon.errors import AppError
from thegif import codec, soap, wsdl
from thegif import messages as m
from thegif.errors import (
    AuthFailedError,
    AuthRequiredError,
    MissingMessageIDError,
    RateLimitedError,
    ServerError,
    TooLargeError,
    TransportError,
)
from thegif.xmlsafe import Limits

logger = logging.getLogger(__name__)
_SOAP_CONTENT_TYPES = {"text/xml", "application/xml", "application/soap+xml"}
_IN_MEMORY_RESPONSE = 2 * 1024 * 1024


def _service_address(request: HttpRequest) -> str:
    return settings.ECMS_PUBLIC_URL or request.build_absolute_uri(request.path)


@functools.lru_cache(maxsize=8)
def _wsdl(address: str) -> bytes:
    return wsdl.wsdl_bytes(address)


def _basic_auth(request: HttpRequest) -> services.Caller | None:
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        raise AuthRequiredError("รองรับเฉพาะ HTTP Basic หรือ WS-Security UsernameToken")
    try:
        username, sep, password = base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise AuthFailedError() from exc
    if not sep:
        raise AuthFailedError()
    return services.agency_authenticate(username=username, password=password)


def _after_commit_hook(operation: str) -> None:
    """Test hook: die between committing and answering, as a crashed hub would."""
    if settings.ECMS_TEST_HOOKS and os.environ.get("ECMS_CRASH_AFTER_COMMIT") == operation:
        os._exit(70)


def _dispatch(caller: services.Caller, received: soap.ReceivedEnvelope, message_id: str) -> bytes | m.Response:
    msg = received.message
    digests = [spooled.sha256 for spooled in received.parsed.binaries.values()]
    fingerprint = services.request_fingerprint(received.body, digests)
    match msg:
        case m.OutboundRequest(item=m.CorrespondenceLetter() as letter):
            return services.letter_send(caller=caller, letter=letter, message_id=message_id, fingerprint=fingerprint)
        case m.OutboundRequest(item=m.Notifier() as notifier):
            return services.notifier_send(
                caller=caller, notifier=notifier, message_id=message_id, fingerprint=fingerprint
            )
        case m.InboundRequest():
            return services.queue_pull(caller=caller, message_id=message_id)
        case m.InboundSpecialRequest():
            return selectors.queue_item_fetch(caller=caller, request=msg)
        case m.DeleteRequest():
            return services.queue_item_delete(
                caller=caller, process_id=msg.process_id, message_id=message_id, fingerprint=fingerprint
            )
        case m.DeleteGovernmentDocumentRequest():
            return services.letter_delete(caller=caller, request=msg, message_id=message_id, fingerprint=fingerprint)
        case m.MinistryListRequest():
            return selectors.ministry_list()
        case m.OrganizationListRequest():
            return selectors.organization_list(ministry_id=msg.ministry_id)
        case m.SecretCodesRequest() | m.SpeedCodesRequest() | m.MimeCodesRequest():
            return selectors.code_list(msg)
        case m.OutboundStatusRequest():
            return selectors.outbound_status(caller=caller, letter_id=msg.letter_id)
        case m.TimeCheckRequest():
            return m.TimeCheckResponse(process_id=services.new_id(), process_time=services.process_time())
    raise TransportError(f"ไม่รองรับ {type(msg).__name__}")  # pragma: no cover - exhaustive above


def _file_chunks(fh: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := fh.read(256 * 1024):
            yield chunk
    finally:
        fh.close()


def _message_response(response: m.Response, message_id: str, operation: str) -> HttpResponse | StreamingHttpResponse:
    addressing = soap.Addressing(relates_to=message_id, action=f"{soap.ACTION_PREFIX}{operation}Response")
    buf = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_RESPONSE, dir=str(store().tmp_dir))  # noqa: SIM115
    soap.write_envelope(cast(IO[bytes], buf), response, addressing=addressing)
    size = buf.tell()
    buf.seek(0)
    if size <= _IN_MEMORY_RESPONSE:
        data = buf.read()
        buf.close()
        return HttpResponse(data, content_type=XML_CONTENT_TYPE)
    streamed = StreamingHttpResponse(_file_chunks(cast(IO[bytes], buf)), content_type=XML_CONTENT_TYPE)
    streamed["Content-Length"] = str(size)
    return streamed


def _rate_check(address: str) -> None:
    """Refuse an address that sends too many requests a minute, or failed to authenticate too often
    in the last 15 minutes (the hub never locks an agency's account itself: its owner would be cut off)."""
    minute = int(time.time() // 60)
    key = f"ecms:rate:{address}:{minute}"
    try:
        count = cache.incr(key)  # one cache operation for all but the first request of a minute
    except ValueError:  # no counter yet for this minute
        cache.add(key, 0, timeout=120)
        count = cache.incr(key)
    if count > settings.ECMS_SOAP_RATE_PER_MINUTE:
        raise RateLimitedError()
    if (cache.get(f"ecms:authfail:{address}") or 0) >= settings.ECMS_AUTH_FAILURES_PER_15_MINUTES:
        raise RateLimitedError()


def _auth_failure_count(address: str) -> None:
    key = f"ecms:authfail:{address}"
    cache.add(key, 0, timeout=15 * 60)
    cache.incr(key)


@csrf_exempt
def service_view(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    if request.method in ("GET", "HEAD"):
        return _describe(request)
    if request.method != "POST":
        return fault_response(TransportError())
    received: soap.ReceivedEnvelope | None = None
    message_id: str | None = None
    try:
        if request.content_type not in _SOAP_CONTENT_TYPES:
            raise TransportError("Content-Type ต้องเป็น text/xml")
        _rate_check(str(request.META.get("REMOTE_ADDR", "")))
        max_bytes = settings.ECMS_MAX_MESSAGE_BYTES
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > max_bytes:
            raise TooLargeError(f"ข้อความมีขนาดเกิน {max_bytes} ไบต์")
        caller = _basic_auth(request)
        received = soap.read_envelope(
            cast(IO[bytes], request),
            limits=Limits(max_bytes=max_bytes, max_depth=settings.ECMS_MAX_XML_DEPTH),
            spool_dir=store().tmp_dir,
            pre_check=codec.check_cover_letter_present,
        )
        message_id = received.addressing.message_id
        if caller is None:
            if received.token is None:
                raise AuthRequiredError()
            caller = services.agency_authenticate(username=received.token.username, password=received.token.password)
        if not message_id:
            raise MissingMessageIDError()
        operation = m.operation_of(cast(m.Request, received.message))
        result = _dispatch(caller, received, message_id)
        if isinstance(result, bytes):
            _after_commit_hook(operation)
            return HttpResponse(result, content_type=XML_CONTENT_TYPE)
        return _message_response(result, message_id, operation)
    except AppError as error:
        if isinstance(error, AuthFailedError):
            _auth_failure_count(str(request.META.get("REMOTE_ADDR", "")))
        response = fault_response(error, relates_to=message_id)
        if isinstance(error, RateLimitedError):
            response["Retry-After"] = "60"
        return response
    except Exception:
        logger.exception("hub request failed")
        return fault_response(ServerError(), relates_to=message_id)
    finally:
        if received is not None:
            received.cleanup()


def _describe(request: HttpRequest) -> HttpResponse:
    if "wsdl" in request.GET or "WSDL" in request.GET:
        return HttpResponse(_wsdl(_service_address(request)), content_type=XML_CONTENT_TYPE)
    name = request.GET.get("xsd")
    if name is not None:
        if name not in codec.SCHEMA_FILES:
            return HttpResponse("ไม่พบ schema", status=404, content_type="text/plain; charset=utf-8")
        text = (codec.SCHEMA_DIR / name).read_bytes()
        for other in codec.SCHEMA_FILES:
            text = text.replace(f'schemaLocation="{other}"'.encode(), f'schemaLocation="?xsd={other}"'.encode())
        return HttpResponse(text, content_type=XML_CONTENT_TYPE)
    return home_view(request)


def home_view(request: HttpRequest) -> HttpResponse:
    address = escape(_service_address(request) if request.path.endswith("service") else "")
    page = f"""<!doctype html>
<html lang="th"><head><meta charset="utf-8"><title>e-CMS 2.0 hub ({escape(settings.ECMS_ENVIRONMENT)})</title></head>
<body style="font-family:sans-serif;margin:0">
<div style="background:{escape(settings.ECMS_BANNER_COLOUR)};color:#fff;padding:.75rem 1rem">
{escape(settings.ECMS_BANNER_TEXT)} · {escape(settings.ECMS_ENVIRONMENT)}</div>
<main style="padding:1rem"><h1>ระบบแลกเปลี่ยนหนังสือราชการกลาง (e-CMS 2.0)</h1>
<p>บริการ SOAP 1.1: <code>POST text/xml</code> ที่ <code>/ecms/service</code> {address}</p>
<p><a href="/ecms/service?wsdl">WSDL</a> ·
<a href="/ecms/service?xsd=GovernmentDocument.xsd">GovernmentDocument.xsd</a> ·
<a href="/ecms/service?xsd=ReusableAggregateBusinessInformationEntity.xsd">
ReusableAggregateBusinessInformationEntity.xsd</a></p>
</main></body></html>"""
    return HttpResponse(page)
