from __future__ import annotations

from django.apps import AppConfig


class ReceivingConfig(AppConfig):
    name = "saraban.receiving"
    label = "receiving"
    verbose_name = "การรับหนังสือ"
