"""Letters, their files, the registries and the registers with year-long running numbers.

A register line (``RegisterEntry``) is the one place a number lives: the receive register,
the send register, the circular (ว) and order series and the secret registers are all
books of entries, numbered per (registry, book, calendar year) by ``numbering.number_next``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from saraban.accounts.models import OrgUnit
from saraban.correspondence import sealing
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


class LetterQuerySet(models.QuerySet["Letter"]):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Letter]:
        """Secret letters are sealed here too (``bulk_create`` does not call ``save``)."""
        objs = list(objs)
        plains = [(obj, obj.seal_for_write()) for obj in objs if obj.is_secret]
        try:
            return super().bulk_create(objs, *args, **kwargs)
        finally:
            for obj, plain in plains:
                for name, value in plain.items():
                    setattr(obj, name, value)


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
    # Secret letters at rest (sealing.py): the text fields above hold masks, the real text is sealed here
    # under the letter's own data key, which is kept only wrapped by the master key ``key_id``.
    sealed_fields = models.BinaryField(null=True, editable=False)
    key_wrapped = models.BinaryField(null=True, editable=False)
    key_id = models.CharField(max_length=16, blank=True, default="", editable=False)

    objects = LetterQuerySet.as_manager()

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

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any) -> Letter:
        letter = super().from_db(db, field_names, values)
        blob = letter.__dict__.get("sealed_fields")
        if blob is not None:  # a secret letter: its text is opened in memory only
            for name, value in sealing.fields_open(letter.data_key(), bytes(blob)).items():
                setattr(letter, name, value)
        return letter

    def data_key(self) -> bytes:
        """The letter's own key (secret letters): unwrapped with the master key, or made on first use."""
        key: bytes | None = self.__dict__.get("_data_key")
        if key is None:
            if self.key_wrapped:
                key = sealing.data_key_unwrap(bytes(self.key_wrapped), self.key_id)
            else:
                master = sealing.key_current()
                key = sealing.data_key_new()
                self.key_wrapped, self.key_id = sealing.data_key_wrap(key, master), master.key_id
            self.__dict__["_data_key"] = key
        return key

    def seal_for_write(self) -> dict[str, str]:
        """Seal the text into ``sealed_fields`` and put the masks in its place; return the plain text,
        which the caller puts back once the row is written."""
        plain = {name: getattr(self, name) for name in sealing.SEALED_FIELDS}
        self.sealed_fields = sealing.fields_seal(self.data_key(), plain)
        for name, mask in sealing.MASKS.items():
            setattr(self, name, mask)
        return plain

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Secret letters are written sealed: the columns get masks, the text goes into ``sealed_fields``
        (the instance keeps its plain text). A letter that stops being secret is written in the clear."""
        from saraban.correspondence import storage

        update_fields = kwargs.get("update_fields")
        key_columns = ("sealed_fields", "key_wrapped", "key_id")
        existing = not self._state.adding
        if not self.is_secret:
            if self.sealed_fields is not None or self.key_wrapped:
                if existing:  # declassified: its files are written back in the clear first
                    storage.letter_files_unseal(self)
                self.sealed_fields, self.key_wrapped, self.key_id = None, None, ""
                self.__dict__.pop("_data_key", None)
                if update_fields is not None:
                    kwargs["update_fields"] = {*update_fields, *sealing.SEALED_FIELDS, *key_columns}
            super().save(*args, **kwargs)
            return
        plain = self.seal_for_write()
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, *sealing.SEALED_FIELDS, *key_columns}
        try:
            super().save(*args, **kwargs)
        finally:
            for name, value in plain.items():
                setattr(self, name, value)
        if existing:  # a letter made secret after its files were stored
            for f in self.files.filter(sealed_sha256=""):
                f.letter = self
                f.save(update_fields=["sealed_sha256"])

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
    # A file of a secret letter is kept only sealed: this is the SHA-256 of the sealed blob in storage.
    sealed_sha256 = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    pages = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["id"]
        verbose_name = "ไฟล์"
        verbose_name_plural = "ไฟล์"

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.sealed_sha256 and self.letter.is_secret:
            from saraban.correspondence import storage

            storage.letter_file_seal(self)
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sealed_sha256"}
        super().save(*args, **kwargs)


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
