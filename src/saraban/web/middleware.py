from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from govcommon.errors import AppError
from saraban.web.display import use_thai_digits
from saraban.web.services import agency_profile_for_request, agency_profile_request_end

log = logging.getLogger(__name__)


class AgencyDisplayMiddleware:
    """Sets the agency's digit style for the template filters of this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        profile, profile_token = agency_profile_for_request()
        token = use_thai_digits.set(bool(profile and profile.use_thai_digits))
        try:
            return self.get_response(request)
        finally:
            use_thai_digits.reset(token)
            agency_profile_request_end(profile_token)


class AppErrorMiddleware:
    """Renders an AppError raised by a service once, as HTML or JSON, with its stable code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, AppError):
            return None
        log.info("refused %s: %s", request.path, exception)
        if "application/json" in request.headers.get("Accept", ""):
            return JsonResponse({"code": exception.code, "message": exception.message},
                                status=exception.http_status)
        return render(request, "web/error.html", {"error": exception}, status=exception.http_status)


class ThaiFirstMiddleware:
    """Thai unless the user chose English (language cookie): the browser's Accept-Language is
    ignored, because an agency's UI language is the agency's choice, not the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
