from __future__ import annotations

from django.urls import URLPattern, path

from saraban.exchange import views

urlpatterns: list[URLPattern] = [
    path("", views.exchange_home_view, name="exchange-home"),
    path("pull/", views.exchange_pull_view, name="exchange-pull"),
    path("inbound/<int:pk>/xml/", views.inbound_evidence_view, name="exchange-inbound-xml"),
]
