"""A short way through the middleware for the SOAP endpoint."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse

from ecms.hub import views

Response = HttpResponse | StreamingHttpResponse


class SoapServiceMiddleware:
    """Hands a POST to the SOAP endpoint straight to its view.

    Agency systems authenticate every request themselves (HTTP Basic or a WS-Security token) and never
    use what the middleware after this one provides for the Monitor pages: static files, sessions,
    CSRF tokens (the endpoint is exempt), the signed-in user, messages, the password-change redirect.
    Skipping them and the URL resolver saves about a fifth of a millisecond of CPU per request on the
    bench machine (docs/PERFORMANCE.md). It sits right after SecurityMiddleware, whose response
    headers still apply; every other URL and method goes the whole way.
    """

    def __init__(self, get_response: Callable[[HttpRequest], Response]) -> None:
        self.get_response = get_response
        self.service_path = reverse("hub-service")

    def __call__(self, request: HttpRequest) -> Response:
        if request.path_info == self.service_path and request.method == "POST":
            return views.service_view(request)
        return self.get_response(request)
