from __future__ import annotations

from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "saraban.mail"
    label = "mail"
    verbose_name = "ไปรษณีย์อิเล็กทรอนิกส์ของส่วนราชการ"
