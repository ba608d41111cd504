from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("ecms.hub.urls")),
    path("monitor/", include("ecms.monitor.urls")),
    path("monitor/stats/", include("ecms.stats.urls")),
    path("testtool/", include("ecms.testtool.urls")),
]
