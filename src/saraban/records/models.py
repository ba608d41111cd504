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
