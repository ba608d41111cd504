from __future__ import annotations

from django.contrib import admin

from saraban.accounts.admin import AuditedAdmin, site
from saraban.correspondence.models import Registry


@admin.register(Registry, site=site)
class RegistryAdmin(AuditedAdmin):
    list_display = ("name", "unit", "is_central", "active")
    list_filter = ("is_central", "active")
