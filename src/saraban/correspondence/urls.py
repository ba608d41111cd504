from __future__ import annotations

from django.urls import path

from saraban.correspondence import views

urlpatterns = [
    path("register/receive/", views.receive_register_view, name="corr-receive-register"),
    path("register/send/", views.send_register_view, name="corr-send-register"),
    path("register/receive/export.<str:fmt>", views.receive_register_export_view,
         name="corr-receive-register-export"),
    path("register/send/export.<str:fmt>", views.send_register_export_view, name="corr-send-register-export"),
]
