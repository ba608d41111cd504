from __future__ import annotations

from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "ecms.stats"
    label = "stats"
    verbose_name = "Monthly statistics"
    default_auto_field = "django.db.models.BigAutoField"
