from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks


class HubConfig(AppConfig):
    name = "ecms.hub"
    label = "hub"
    verbose_name = "e-CMS hub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        checks.register(check_test_hooks_off_in_production)


def check_test_hooks_off_in_production(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    from django.conf import settings

    if settings.ECMS_TEST_HOOKS and settings.ECMS_ENVIRONMENT == "production":
        return [checks.Error("ECMS_TEST_HOOKS must be off in production", id="hub.E001")]
    return []
