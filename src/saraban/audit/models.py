"""The append-only audit trail, chained by SHA-256 hashes.

Each record's hash covers its own content and the previous record's hash, so altering,
deleting or inserting a row anywhere breaks every hash after it (``verify_audit`` finds it).
Database triggers refuse UPDATE and DELETE on the table; the chain catches what bypasses them.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class AuditRecord(models.Model):
    seq = models.PositiveBigIntegerField("ลำดับ", unique=True)
    created_at = models.DateTimeField("เวลา")
    # Plain values, not foreign keys: removing a user must never touch an audit row.
    actor_id = models.BigIntegerField("รหัสผู้กระทำ", null=True, blank=True)
    actor_name = models.CharField("ผู้กระทำ", max_length=150, blank=True)
    action = models.CharField("การกระทำ", max_length=64, db_index=True)
    object_type = models.CharField("ชนิดข้อมูล", max_length=64, blank=True)
    object_id = models.CharField("รหัสข้อมูล", max_length=64, blank=True)
    summary = models.CharField("สรุป", max_length=500, blank=True)
    data = models.JSONField("รายละเอียด", default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]
        verbose_name = "บันทึกการตรวจสอบ"
        verbose_name_plural = "บันทึกการตรวจสอบ"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise RuntimeError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise RuntimeError("audit records are append-only")


class AuditChainHead(models.Model):
    """One row holding the last sequence number and hash; locking it serialises appends."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
