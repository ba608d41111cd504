"""The records links a user may follow (the navbar shows only those)."""

from __future__ import annotations

from django import template

from saraban.accounts.models import User
from saraban.records import rules

register = template.Library()


@register.simple_tag
def records_nav(user: object) -> dict[str, bool]:
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"register": rules.can_read_register(user), "send": bool(rules.sending_units(user)),
            "staff": rules.is_records_staff(user), "loans": user.is_active and user.can_open}
