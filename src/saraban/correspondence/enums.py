"""Classes the regulation defines, with the exchange-standard codes (DOMAIN.md §1, §2)."""

from __future__ import annotations

from django.db import models


class Speed(models.IntegerChoices):
    NORMAL = 0, "ปกติ"
    URGENT = 1, "ด่วน"
    VERY_URGENT = 2, "ด่วนมาก"
    MOST_URGENT = 3, "ด่วนที่สุด"

    @property
    def ecms_code(self) -> str:
        return f"{self.value + 1:03d}"


class Secrecy(models.IntegerChoices):
    NORMAL = 0, "ปกติ"
    CONFIDENTIAL = 1, "ลับ"
    SECRET = 2, "ลับมาก"
    TOP_SECRET = 3, "ลับที่สุด"

    @property
    def ecms_code(self) -> str:
        return f"{self.value + 1:03d}"


class LetterKind(models.TextChoices):
    EXTERNAL = "external", "หนังสือภายนอก"
    INTERNAL = "internal", "หนังสือภายใน"
    STAMPED = "stamped", "หนังสือประทับตรา"
    DIRECTIVE = "directive", "หนังสือสั่งการ"
    PUBLIC_RELATIONS = "pr", "หนังสือประชาสัมพันธ์"
    EVIDENCE = "evidence", "หนังสือที่เจ้าหน้าที่ทำขึ้นหรือรับไว้เป็นหลักฐานในราชการ"


class LetterSubKind(models.TextChoices):
    NONE = "", "-"
    ORDER = "order", "คำสั่ง"
    REGULATION = "regulation", "ระเบียบ"
    BYLAW = "bylaw", "ข้อบังคับ"
    ANNOUNCEMENT = "announcement", "ประกาศ"
    STATEMENT = "statement", "แถลงการณ์"
    NEWS = "news", "ข่าว"
    CERTIFICATE = "certificate", "หนังสือรับรอง"
    MINUTES = "minutes", "รายงานการประชุม"
    NOTE = "note", "บันทึก"
    OTHER = "other", "หนังสืออื่น"


SUBKINDS_OF: dict[str, tuple[str, ...]] = {
    LetterKind.EXTERNAL: (),
    LetterKind.INTERNAL: (),
    LetterKind.STAMPED: (),
    LetterKind.DIRECTIVE: (LetterSubKind.ORDER, LetterSubKind.REGULATION, LetterSubKind.BYLAW),
    LetterKind.PUBLIC_RELATIONS: (LetterSubKind.ANNOUNCEMENT, LetterSubKind.STATEMENT, LetterSubKind.NEWS),
    LetterKind.EVIDENCE: (
        LetterSubKind.CERTIFICATE,
        LetterSubKind.MINUTES,
        LetterSubKind.NOTE,
        LetterSubKind.OTHER,
    ),
}
