from __future__ import annotations

from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "saraban.security"
    label = "security"
    verbose_name = "ความมั่นคงปลอดภัย"
