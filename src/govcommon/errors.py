"""One error hierarchy with stable codes, rendered once as HTML, JSON or a SOAP Fault."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """A refusal the user or the calling system should see, with a stable code."""

    code = "APP-000"
    http_status = 400
    default_message = "คำขอไม่ถูกต้อง"

    def __init__(self, message: str | None = None, *, code: str | None = None, **data: Any) -> None:
        self.message = message or self.default_message
        if code is not None:
            self.code = code
        self.data = data
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


class ValidationError(AppError):
    code = "APP-400"
    default_message = "ข้อมูลไม่ถูกต้อง"


class NotFoundError(AppError):
    code = "APP-404"
    http_status = 404
    default_message = "ไม่พบข้อมูล"


class PermissionDeniedError(AppError):
    code = "APP-403"
    http_status = 403
    default_message = "ไม่มีสิทธิ์ดำเนินการ"


class ConflictError(AppError):
    code = "APP-409"
    http_status = 409
    default_message = "สถานะไม่อนุญาตให้ดำเนินการนี้"
