from __future__ import annotations

from django.urls import path

from saraban.accounts import security_views, views

urlpatterns = [
    path("login/", views.login_view, name="accounts-login"),
    path("logout/", views.logout_view, name="accounts-logout"),
    path("password/", views.password_change_view, name="accounts-password-change"),
    path("2fa/", security_views.totp_enrol_view, name="accounts-2fa-enrol"),
    path("2fa/verify/", security_views.totp_verify_view, name="accounts-2fa-verify"),
    path("2fa/recovery-codes/", security_views.recovery_codes_view, name="accounts-2fa-recovery-codes"),
    path("2fa/disable/", security_views.totp_disable_view, name="accounts-2fa-disable"),
    path("2fa/policy/", security_views.totp_policy_view, name="accounts-2fa-policy"),
    path("2fa/reset/<int:user_id>/", security_views.totp_reset_view, name="accounts-2fa-reset"),
]
