from __future__ import annotations

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "saraban.exchange"
    label = "exchange"
    verbose_name = "การแลกเปลี่ยนหนังสือผ่าน e-CMS"
