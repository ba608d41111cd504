from __future__ import annotations

from django.apps import AppConfig


class OutgoingConfig(AppConfig):
    name = "saraban.outgoing"
    label = "outgoing"
    verbose_name = "การจัดทำและส่งหนังสือ"
