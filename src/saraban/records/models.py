"""Search index, storage (retention), loans and destruction of letters.

The search index is derived data: one row per letter with its metadata and the text of its
files, normalised for substring search. It can always be rebuilt from the letters
(``index_letters --all``) and so is not a record in itself.
"""

from __future__ import annotations

from django.db import models

from saraban.correspondence.models import Letter


class LetterIndex(models.Model):
    class State(models.TextChoices):
        OK = "ok", "จัดทำดัชนีแล้ว"
        PENDING_OCR = "ocr", "รอแปลงภาพเป็นข้อความ (OCR)"
        ERROR = "error", "จัดทำดัชนีไม่สำเร็จ"

    letter = models.OneToOneField(Letter, primary_key=True, on_delete=models.CASCADE, related_name="search_index")
    # Normalised text searched by substring: metadata, the files' text layer and OCR text.
    text = models.TextField(blank=True)
    content_text = models.TextField("ข้อความจากไฟล์", blank=True)
    # Copies of the letter's filter columns so that a search needs no join on the letter table.
    direction = models.CharField(max_length=8)
    kind = models.CharField(max_length=16)
    speed = models.IntegerField(default=0)
    secrecy = models.IntegerField(default=0)
    letter_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.OK)
    error = models.TextField(blank=True)
    indexed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["state"], name="records_idx_state"),
            models.Index(fields=["letter_date"], name="records_idx_date"),
        ]
        verbose_name = "ดัชนีค้นหา"
        verbose_name_plural = "ดัชนีค้นหา"

    def __str__(self) -> str:
        return f"ดัชนีหนังสือ {self.letter_id}"


class Retention(models.IntegerChoices):
    """Retention classes (ข้อ 57): years to keep, 0 for permanent (ห้ามทำลาย)."""

    ONE_YEAR = 1, "1 ปี (เรื่องประจำ)"
    FIVE_YEARS = 5, "5 ปี"
    TEN_YEARS = 10, "10 ปี (ค่าเริ่มต้น)"
    PERMANENT = 0, "เก็บตลอดไป (ห้ามทำลาย)"


class StorageRecord(models.Model):
    """A line of the storage register (ทะเบียนหนังสือเก็บ, แบบที่ 20)."""

    letter = models.OneToOneField(Letter, verbose_name="หนังสือ", on_delete=models.PROTECT, related_name="storage")
    file_code = models.CharField("รหัสแฟ้ม", max_length=64, blank=True)
    retention = models.IntegerField("อายุการเก็บ", choices=Retention.choices, default=Retention.TEN_YEARS)
    keep_until_be = models.PositiveSmallIntegerField("เก็บถึง พ.ศ.", null=True, blank=True)
    stored_at = models.DateTimeField("วันที่เก็บ")
    stored_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "ทะเบียนหนังสือเก็บ"
        verbose_name_plural = "ทะเบียนหนังสือเก็บ"

    def __str__(self) -> str:
        return f"{self.file_code} {self.letter}"

    @property
    def stamp(self) -> str:
        return "ห้ามทำลาย" if self.keep_until_be is None else f"เก็บถึง พ.ศ. {self.keep_until_be}"


class DestructionBatch(models.Model):
    """A list of letters proposed for destruction (บัญชีหนังสือขอทำลาย, แบบที่ 25) and its committee."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "เสนอแต่งตั้งคณะกรรมการ"

    year_be = models.PositiveSmallIntegerField("ประจำปี พ.ศ.")
    appointing_order = models.CharField("คำสั่งแต่งตั้งคณะกรรมการ", max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    letters = models.ManyToManyField(Letter, verbose_name="หนังสือ", related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "บัญชีหนังสือขอทำลาย"
        verbose_name_plural = "บัญชีหนังสือขอทำลาย"

    def __str__(self) -> str:
        return f"บัญชีหนังสือขอทำลาย พ.ศ. {self.year_be}"


class CommitteeMember(models.Model):
    batch = models.ForeignKey(DestructionBatch, on_delete=models.CASCADE, related_name="committee")
    name = models.CharField("ชื่อ", max_length=200)
    position = models.CharField("ตำแหน่ง", max_length=200)
    is_chair = models.BooleanField("ประธาน", default=False)

    class Meta:
        ordering = ["-is_chair", "id"]

    def __str__(self) -> str:
        return self.name
