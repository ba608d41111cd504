"""Authorisation helpers used by every view: the rights of ภาคผนวก 6 ข้อ 3 and roles."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from saraban.accounts.models import Role, User

Right = Literal["open", "receive", "send"]
_View = TypeVar("_View", bound=Callable[..., HttpResponse])
RIGHT_LABELS: dict[str, str] = {"open": "เปิดหนังสือ", "receive": "รับหนังสือ", "send": "ส่งหนังสือ"}


def has_right(user: User, right: Right) -> bool:
    if not user.is_active:
        return False
    return bool({"open": user.can_open, "receive": user.can_receive, "send": user.can_send}[right])


def is_agency_admin(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.has_role(Role.ADMIN))


def require_right(right: Right) -> Callable[[_View], _View]:
    """Signed in and holding the right, else 403 (the page exists, the user may not use it)."""

    def decorator(view: _View) -> _View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            assert isinstance(user, User)
            if not has_right(user, right):
                raise PermissionDenied(f"ท่านไม่มีสิทธิ์{RIGHT_LABELS[right]}")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def require_role(*roles: str) -> Callable[[_View], _View]:
    def decorator(view: _View) -> _View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            assert isinstance(user, User)
            if not (user.is_superuser or user.has_role(*roles)):
                raise PermissionDenied("บทบาทของท่านไม่มีสิทธิ์ใช้หน้านี้")
            return view(request, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
