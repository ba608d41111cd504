"""Register pages. Each view: authorise, parse the query, call a selector, render."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from saraban.accounts.models import User
from saraban.accounts.permissions import require_right
from saraban.correspondence import exports
from saraban.correspondence.models import Book, RegisterEntry, Registry
from saraban.correspondence.selectors import register_entries, registries_for
from saraban.web.services import agency_profile

PAGE_SIZE = 50


@dataclass(frozen=True)
class _RegisterQuery:
    registries: list[Registry]
    registry: Registry | None
    year_be: int
    q: str
    entries: QuerySet[RegisterEntry] | None


def _register_query(request: HttpRequest, *, book: str) -> _RegisterQuery:
    """Parse registry, year and search text; the registry must be one the user keeps (else 404)."""
    user = request.user
    assert isinstance(user, User)
    registries = list(registries_for(user))
    try:
        year_be = int(request.GET.get("year") or timezone.localdate().year + 543)
        registry_id = int(request.GET.get("registry") or (registries[0].pk if registries else 0))
    except ValueError as exc:
        raise Http404 from exc
    if not registries:
        return _RegisterQuery(registries, None, year_be, "", None)
    registry = next((r for r in registries if r.pk == registry_id), None)
    if registry is None:
        raise Http404
    query = (request.GET.get("q") or "").strip()
    entries = register_entries(user=user, registry=registry, book=book, year=year_be - 543)
    if query:
        entries = entries.filter(
            Q(letter__subject__icontains=query)
            | Q(letter__reference_no__icontains=query)
            | Q(letter__sender_text__icontains=query)
            | Q(letter__recipient_text__icontains=query)
        )
    return _RegisterQuery(registries, registry, year_be, query, entries)


def _register_page(request: HttpRequest, *, book: str, title: str) -> HttpResponse:
    rq = _register_query(request, book=book)
    if rq.registry is None or rq.entries is None:
        return render(request, "correspondence/register.html", {"title": title, "registries": [], "page": None})
    page = Paginator(rq.entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "correspondence/register.html",
        {
            "title": title,
            "book": book,
            "registries": rq.registries,
            "registry": rq.registry,
            "year_be": rq.year_be,
            "q": rq.q,
            "page": page,
            "export_query": urlencode({"registry": rq.registry.pk, "year": rq.year_be, "q": rq.q}),
        },
    )


def _register_export(request: HttpRequest, *, book: str, fmt: str) -> HttpResponse:
    rq = _register_query(request, book=book)
    if rq.registry is None or rq.entries is None:
        raise Http404
    year = rq.year_be - 543
    entries = rq.entries.order_by("number")
    filename = f"{book}-register-{rq.registry.pk}-{rq.year_be}"
    if fmt == "csv":
        data, content_type = exports.register_csv(book=book, entries=entries), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        data = exports.register_xlsx(book=book, registry=rq.registry, year=year, entries=entries)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        profile = agency_profile()
        data = exports.register_pdf(book=book, registry=rq.registry, year=year, entries=entries,
                                    thai_digits=bool(profile and profile.use_thai_digits))
        content_type = "application/pdf"
    else:
        raise Http404
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}.{fmt}"'
    return response


@require_right("receive")
def receive_register_view(request: HttpRequest) -> HttpResponse:
    return _register_page(request, book=Book.RECEIVE, title="ทะเบียนหนังสือรับ")


@require_right("send")
def send_register_view(request: HttpRequest) -> HttpResponse:
    return _register_page(request, book=Book.SEND, title="ทะเบียนหนังสือส่ง")




@require_right("receive")
def receive_register_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    return _register_export(request, book=Book.RECEIVE, fmt=fmt)


@require_right("send")
def send_register_export_view(request: HttpRequest, fmt: str) -> HttpResponse:
    return _register_export(request, book=Book.SEND, fmt=fmt)
