from __future__ import annotations

from django.urls import URLPattern, path

from saraban.records import views

urlpatterns: list[URLPattern] = [
    path("search/", views.search_view, name="records-search"),
]
