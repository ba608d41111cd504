from __future__ import annotations

from django.urls import URLPattern, path

from ecms.testtool import views

urlpatterns: list[URLPattern] = [
    path("", views.check_view, name="testtool-check"),
    path("samples/<str:process_key>.xml", views.sample_view, name="testtool-sample"),
]
