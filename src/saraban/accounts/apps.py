from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "saraban.accounts"
    label = "accounts"
    verbose_name = "ผู้ใช้และหน่วยงาน"
