from __future__ import annotations

from django.urls import URLPattern, path

from ecms.stats import views

urlpatterns: list[URLPattern] = [
    path("", views.month_view, name="stats-month"),
    path("report.pdf", views.month_pdf_view, name="stats-month-pdf"),
    path("send/", views.month_send_view, name="stats-month-send"),
]
