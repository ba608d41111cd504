from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("saraban.web.urls")),
    path("accounts/", include("saraban.accounts.urls")),
    path("letters/", include("saraban.correspondence.urls")),
    path("receiving/", include("saraban.receiving.urls")),
    path("outgoing/", include("saraban.outgoing.urls")),
    path("records/", include("saraban.records.urls")),
    path("exchange/", include("saraban.exchange.urls")),
    path("mail/", include("saraban.mail.urls")),
]
