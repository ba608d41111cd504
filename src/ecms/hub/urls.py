from __future__ import annotations

from django.urls import URLPattern, path

from ecms.hub import views

urlpatterns: list[URLPattern] = [
    path("", views.home_view, name="hub-home"),
    path("ecms/service", views.service_view, name="hub-service"),
]
