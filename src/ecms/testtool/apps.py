from __future__ import annotations

from django.apps import AppConfig


class TestToolConfig(AppConfig):
    name = "ecms.testtool"
    label = "testtool"
    verbose_name = "XML Test Tool"
    default_auto_field = "django.db.models.BigAutoField"
