"""Per-request display preferences (Thai digits) set by middleware, read by template filters."""

from __future__ import annotations

from contextvars import ContextVar

use_thai_digits: ContextVar[bool] = ContextVar("use_thai_digits", default=False)
