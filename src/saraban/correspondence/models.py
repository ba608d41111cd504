"""Letters, their files, the registries and the registers with year-long running numbers.

A register line (``RegisterEntry``) is the one place a number lives: the receive register,
the send register, the circular (ว) and order series and the secret registers are all
books of entries, numbered per (registry, book, calendar year) by ``numbering.number_next``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saraban.accounts.models import OrgUnit
from saraban.correspondence.enums import LetterKind, LetterSubKind, Secrecy, Speed


class Registry(models.Model):
    """A registry that keeps registers and issues numbers: the central one or a unit's own."""

    unit = models.ForeignKey(OrgUnit, verbose_name="หน่วยงาน", on_delete=models.PROTECT, related_name="registries")
    name = models.CharField("ชื่อทะเบียน", max_length=200)
    is_central = models.BooleanField("สารบรรณกลาง", default=False)
    active = models.BooleanField("ใช้งาน", default=True)

    class Meta:
        ordering = ["-is_central", "name"]
        verbose_name = "หน่วยสารบรรณ"
        verbose_name_plural = "หน่วยสารบรรณ"

    def __str__(self) -> str:
        return self.name


class Book(models.TextChoices):
    RECEIVE = "receive", "ทะเบียนหนังสือรับ"
    SEND = "send", "ทะเบียนหนังสือส่ง"
    CIRCULAR = "circular", "ทะเบียนหนังสือเวียน (ว)"
    ORDER = "order", "ทะเบียนคำสั่ง"
    SECRET_RECEIVE = "secret_receive", "ทะเบียนรับหนังสือลับ"
    SECRET_SEND = "secret_send", "ทะเบียนส่งหนังสือลับ"
    ANNOUNCEMENT = "announcement", "ทะเบียนประกาศ"
    CERTIFICATE = "certificate", "ทะเบียนหนังสือรับรอง"


class Counter(models.Model):
    """The last number issued in one series; locked while the next one is taken."""

    registry = models.ForeignKey(Registry, on_delete=models.PROTECT)
    book = models.CharField(max_length=16, choices=Book.choices)
    year = models.PositiveSmallIntegerField("ปี ค.ศ.")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registry", "book", "year"], name="uniq_counter")]


class Letter(models.Model):
    """One letter: incoming, outgoing or internal. Its metadata follows DOMAIN.md §7.4."""

    class Direction(models.TextChoices):
        INCOMING = "in", "หนังสือรับ"
        OUTGOING = "out", "หนังสือส่ง"
        INTERNAL = "internal", "หนังสือภายในส่วนราชการ"

    class Source(models.TextChoices):
        PAPER = "paper", "กระดาษ (สแกน)"
        HUB = "hub", "ระบบแลกเปลี่ยน e-CMS"
        EMAIL = "email", "ไปรษณีย์อิเล็กทรอนิกส์"
        DRAFTED = "drafted", "จัดทำในระบบ"

    direction = models.CharField("ทิศทาง", max_length=8, choices=Direction.choices)
    source = models.CharField("ช่องทาง", max_length=8, choices=Source.choices, default=Source.PAPER)
    kind = models.CharField("ชนิดหนังสือ", max_length=16, choices=LetterKind.choices, default=LetterKind.EXTERNAL)
    subkind = models.CharField("ประเภทย่อย", max_length=16, choices=LetterSubKind.choices, blank=True, default="")
    reference_no = models.CharField("ที่", max_length=100, blank=True)
    letter_date = models.DateField("ลงวันที่", null=True, blank=True)
    subject = models.CharField("เรื่อง", max_length=500)
    sender_text = models.CharField("จาก", max_length=500, blank=True)
    recipient_text = models.CharField("ถึง", max_length=500, blank=True)
    speed = models.IntegerField("ชั้นความเร็ว", choices=Speed.choices, default=Speed.NORMAL)
    due_by = models.DateTimeField("ด่วนภายใน", null=True, blank=True)
    secrecy = models.IntegerField("ชั้นความลับ", choices=Secrecy.choices, default=Secrecy.NORMAL)
    references = models.TextField("อ้างถึง", blank=True)
    enclosures = models.TextField("สิ่งที่ส่งมาด้วย", blank=True)
    copies_to = models.TextField("สำเนาส่ง", blank=True)
    body = models.TextField("ข้อความ", blank=True)
    owner_unit = models.ForeignKey(
        OrgUnit, verbose_name="ส่วนราชการเจ้าของเรื่อง", null=True, blank=True, on_delete=models.PROTECT,
        related_name="letters",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="ผู้บันทึก", null=True, on_delete=models.PROTECT,
        related_name="letters_created",
    )
    created_at = models.DateTimeField("บันทึกเมื่อ", auto_now_add=True)
    received_at = models.DateTimeField("เวลาที่หนังสือเข้าสู่ระบบ", null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["direction", "-created_at"]),
            models.Index(fields=["owner_unit", "-created_at"]),
        ]
        verbose_name = "หนังสือ"
        verbose_name_plural = "หนังสือ"

    def __str__(self) -> str:
        return f"{self.reference_no or '-'} {self.subject}"

    @property
    def is_secret(self) -> bool:
        return self.secrecy >= Secrecy.CONFIDENTIAL

    @property
    def is_urgent(self) -> bool:
        return self.speed >= Speed.URGENT


class LetterFile(models.Model):
    """A file of a letter, stored content-addressed; the original is never changed."""

    class Role(models.TextChoices):
        ORIGINAL = "original", "ต้นฉบับ"
        COVER = "cover", "หนังสือนำ"
        ATTACHMENT = "attachment", "สิ่งที่ส่งมาด้วย"
        STAMPED = "stamped", "สำเนาประทับตรารับ"
        RENDERED = "rendered", "ฉบับจัดพิมพ์"
        SIGNED = "signed", "ฉบับลงนาม"
        FILE_COPY = "file_copy", "สำเนาคู่ฉบับ"
        EVIDENCE = "evidence", "หลักฐานการรับ (ข้อมูลดิบ)"

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="files")
    role = models.CharField("ประเภทไฟล์", max_length=16, choices=Role.choices)
    name = models.CharField("ชื่อไฟล์", max_length=255)
    mime_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = "ไฟล์"
        verbose_name_plural = "ไฟล์"

    def __str__(self) -> str:
        return self.name


class RegisterEntry(models.Model):
    """A line of a register. The number is unique within (registry, book, year) and never reused."""

    registry = models.ForeignKey(Registry, verbose_name="หน่วยสารบรรณ", on_delete=models.PROTECT,
                                 related_name="entries")
    book = models.CharField("ทะเบียน", max_length=16, choices=Book.choices)
    year = models.PositiveSmallIntegerField("ปี ค.ศ.")
    number = models.PositiveIntegerField("เลขทะเบียน")
    letter = models.ForeignKey(Letter, verbose_name="หนังสือ", on_delete=models.PROTECT, related_name="entries")
    registered_at = models.DateTimeField("วันเวลาลงทะเบียน")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="ผู้ลงทะเบียน",
                                      on_delete=models.PROTECT, related_name="+")
    action_text = models.CharField("การปฏิบัติ", max_length=500, blank=True)
    remarks = models.CharField("หมายเหตุ", max_length=500, blank=True)
    cancelled = models.BooleanField("ยกเลิก", default=False)
    cancelled_reason = models.CharField("เหตุที่ยกเลิก", max_length=500, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registry", "book", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["registry", "book", "year", "number"], name="uniq_register_number"),
        ]
        verbose_name = "รายการในทะเบียน"
        verbose_name_plural = "รายการในทะเบียน"

    def __str__(self) -> str:
        return f"{self.get_book_display()} {self.number}/{self.year + 543}"
