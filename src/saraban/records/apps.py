from __future__ import annotations

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "saraban.records"
    label = "records"
    verbose_name = "การค้นหา เก็บรักษา ยืม และทำลายหนังสือ"
