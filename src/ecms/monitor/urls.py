from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import URLPattern, path

from ecms.monitor import views

urlpatterns: list[URLPattern] = [
    path("", views.letter_list_view, name="monitor-letter-list"),
    path("letters/<str:letter_id>/", views.letter_detail_view, name="monitor-letter-detail"),
    path("register/", views.register_view, name="monitor-register"),
    path("login/", views.MonitorLoginView.as_view(), name="monitor-login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="monitor-login"), name="monitor-logout"),
    path("password/", views.MonitorPasswordChangeView.as_view(), name="monitor-password-change"),
    path("admin/registrations/", views.registration_list_view, name="monitor-registrations"),
    path("admin/registrations/<int:officer_id>/approve/", views.registration_approve_view, name="monitor-approve"),
    path("admin/registrations/<int:officer_id>/refuse/", views.registration_refuse_view, name="monitor-refuse"),
    path("admin/health/", views.health_view, name="monitor-health"),
]
