from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """A password needs letters and digits (the length rule is Django's own validator)."""

    def validate(self, password: str, user: Any = None) -> None:
        if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
            raise ValidationError("รหัสผ่านต้องมีทั้งตัวอักษรและตัวเลข", code="password_character_classes")

    def get_help_text(self) -> str:
        return "รหัสผ่านต้องมีทั้งตัวอักษรและตัวเลข"
