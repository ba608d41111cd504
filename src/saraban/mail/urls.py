from __future__ import annotations

from django.urls import URLPattern, path

from saraban.mail import views

urlpatterns: list[URLPattern] = [
    path("", views.mail_home_view, name="mail-home"),
    path("check/", views.mailbox_check_view, name="mail-check"),
    path("inbound/<int:pk>/eml/", views.inbound_raw_view, name="mail-inbound-raw"),
    path("inbound/<int:pk>/handle/", views.inbound_handle_view, name="mail-inbound-handle"),
]
