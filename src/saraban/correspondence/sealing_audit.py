"""What an audit record must not repeat about a secret letter: its sealed text."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import FieldDoesNotExist
from django.db import models

from saraban.correspondence import sealing
from saraban.correspondence.models import Letter


def _letter_of(obj: models.Model) -> Letter | None:
    if isinstance(obj, Letter):
        return obj
    try:
        field = obj._meta.get_field("letter")
    except FieldDoesNotExist:  # the object is not about one letter
        return None
    if not isinstance(field, models.ForeignKey | models.OneToOneField) or field.related_model is not Letter:
        return None
    cached = obj._state.fields_cache.get("letter")
    if isinstance(cached, Letter):
        return cached
    letter_id = getattr(obj, "letter_id", None)
    return Letter.objects.filter(pk=letter_id, secrecy__gt=0).first() if letter_id else None


def secret_letter_texts(obj: models.Model) -> Sequence[str]:
    letter = _letter_of(obj)
    if letter is None or not letter.is_secret:
        return ()
    return [str(getattr(letter, name)) for name in sealing.SEALED_FIELDS if getattr(letter, name)]
