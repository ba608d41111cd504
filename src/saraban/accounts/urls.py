from __future__ import annotations

from django.urls import path

from saraban.accounts import views

urlpatterns = [
    path("login/", views.login_view, name="accounts-login"),
    path("logout/", views.logout_view, name="accounts-logout"),
    path("password/", views.password_change_view, name="accounts-password-change"),
]
