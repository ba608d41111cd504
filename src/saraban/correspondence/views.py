"""Register pages. Each view: authorise, parse the query, call a selector, render."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from saraban.accounts.models import User
from saraban.accounts.permissions import require_right
from saraban.correspondence.models import Book
from saraban.correspondence.selectors import register_entries, registries_for

PAGE_SIZE = 50


def _register_page(request: HttpRequest, *, book: str, title: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    registries = list(registries_for(user))
    if not registries:
        return render(request, "correspondence/register.html", {"title": title, "registries": [], "page": None})
    try:
        registry_id = int(request.GET.get("registry") or registries[0].pk)
        year_be = int(request.GET.get("year") or timezone.localdate().year + 543)
    except ValueError as exc:
        raise Http404 from exc
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
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "correspondence/register.html",
        {
            "title": title,
            "book": book,
            "registries": registries,
            "registry": registry,
            "year_be": year_be,
            "q": query,
            "page": page,
        },
    )


@require_right("receive")
def receive_register_view(request: HttpRequest) -> HttpResponse:
    return _register_page(request, book=Book.RECEIVE, title="ทะเบียนหนังสือรับ")


@require_right("send")
def send_register_view(request: HttpRequest) -> HttpResponse:
    return _register_page(request, book=Book.SEND, title="ทะเบียนหนังสือส่ง")


