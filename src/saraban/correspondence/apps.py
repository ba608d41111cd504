from __future__ import annotations

from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "saraban.correspondence"
    label = "correspondence"
    verbose_name = "หนังสือและทะเบียน"

    def ready(self) -> None:
        from saraban.audit.services import redactor_register
        from saraban.correspondence.sealing_audit import secret_letter_texts

        redactor_register(secret_letter_texts)
