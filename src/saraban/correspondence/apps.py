from __future__ import annotations

from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "saraban.correspondence"
    label = "correspondence"
    verbose_name = "หนังสือและทะเบียน"
