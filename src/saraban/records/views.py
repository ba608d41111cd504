"""Records pages. Each view: authorise, parse the query, call a selector or service, render."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from saraban.accounts.models import User
from saraban.accounts.permissions import require_right
from saraban.correspondence.models import Registry
from saraban.records.forms import SearchForm
from saraban.records.selectors import SearchQuery, letters_search

PAGE_LIMIT = 100


@require_right("open")
def search_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    registries = list(Registry.objects.filter(active=True))
    form = SearchForm(request.GET or None, registries=registries)
    results = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        registry = data["registry"]
        query = SearchQuery(
            text=data["q"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            registry_id=registry.pk if registry else None,
            kind=data["kind"],
            speed=data["speed"],
            secrecy=data["secrecy"],
            sender=data["sender"],
            direction=data["direction"],
        )
        results = letters_search(user=user, query=query, limit=PAGE_LIMIT + 1)
    more = results is not None and len(results) > PAGE_LIMIT
    return render(
        request,
        "records/search.html",
        {"form": form, "results": results[:PAGE_LIMIT] if results else results, "more": more,
         "limit": PAGE_LIMIT},
    )
