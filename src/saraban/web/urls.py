from __future__ import annotations

from django.urls import include, path

from saraban.accounts.admin import site as admin_site
from saraban.web import views

urlpatterns = [
    path("", views.home_view, name="web-home"),
    path("healthz", views.healthz_view, name="web-healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin_site.urls),
]
