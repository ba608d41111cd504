"""The one place where errors become SOAP Faults (HTTP status from the error class)."""

from __future__ import annotations

from django.http import HttpResponse

from govcommon.errors import AppError
from thegif import soap
from thegif.errors import AuthFailedError, AuthRequiredError, ProtocolError

XML_CONTENT_TYPE = "text/xml; charset=utf-8"


def as_protocol_error(error: AppError) -> ProtocolError:
    if isinstance(error, ProtocolError):
        return error
    converted = ProtocolError(error.message, code=error.code)
    converted.http_status = error.http_status
    return converted


def fault_response(error: AppError, *, relates_to: str | None = None) -> HttpResponse:
    fault = as_protocol_error(error)
    response = HttpResponse(
        soap.fault_bytes(fault, relates_to=relates_to), status=fault.http_status, content_type=XML_CONTENT_TYPE
    )
    if isinstance(fault, AuthRequiredError | AuthFailedError):
        response["WWW-Authenticate"] = 'Basic realm="e-CMS", charset="UTF-8"'
    return response
