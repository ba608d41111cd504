"""Receiving: a letter's reception by a registry, its receipt result back to the sender, its
distribution inside the agency (holdings, orders) and the registry inbox checks.

Core data (the letter, its files and register lines) lives in ``correspondence``; this app adds
one-to-one and many-to-one rows around a ``Letter`` and never changes the core tables.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from saraban.accounts.models import OrgUnit
from saraban.correspondence.models import Letter, RegisterEntry, Registry


class StampSetting(models.Model):
    """Where a registry puts its receive stamp: distance of the box from the page's top right."""

    registry = models.OneToOneField(
        Registry, verbose_name="หน่วยสารบรรณ", primary_key=True, on_delete=models.CASCADE,
        related_name="stamp_setting",
    )
    right_mm = models.PositiveSmallIntegerField("ระยะจากขอบขวา (มม.)", default=10)
    top_mm = models.PositiveSmallIntegerField("ระยะจากขอบบน (มม.)", default=10)

    class Meta:
        verbose_name = "ตำแหน่งตรารับหนังสือ"
        verbose_name_plural = "ตำแหน่งตรารับหนังสือ"


class Reception(models.Model):
    """An incoming letter at the registry that receives it: waiting for a clerk, registered or rejected."""

    class State(models.TextChoices):
        WAITING = "waiting", "รอลงรับ"
        REGISTERED = "registered", "ลงรับแล้ว"
        REJECTED = "rejected", "ปฏิเสธการรับ"

    letter = models.OneToOneField(
        Letter, verbose_name="หนังสือ", primary_key=True, on_delete=models.CASCADE, related_name="reception"
    )
    registry = models.ForeignKey(
        Registry, verbose_name="หน่วยสารบรรณที่รับ", on_delete=models.PROTECT, related_name="receptions"
    )
    state = models.CharField("สถานะ", max_length=16, choices=State.choices, default=State.WAITING)
    entry = models.OneToOneField(
        RegisterEntry, verbose_name="รายการทะเบียนรับ", null=True, blank=True, on_delete=models.PROTECT,
        related_name="reception",
    )
    channel_ref = models.CharField("รหัสอ้างอิงของช่องทาง", max_length=255, blank=True)
    reply_to = models.CharField("ที่อยู่สำหรับแจ้งผลการรับ", max_length=255, blank=True)
    reject_reason = models.CharField("เหตุที่ปฏิเสธ", max_length=500, blank=True)
    stamp_right_mm = models.PositiveSmallIntegerField("ระยะตราจากขอบขวา (มม.)", null=True, blank=True)
    stamp_top_mm = models.PositiveSmallIntegerField("ระยะตราจากขอบบน (มม.)", null=True, blank=True)
    created_at = models.DateTimeField("เข้าสู่ระบบเมื่อ", auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["registry", "state"])]
        verbose_name = "การรับหนังสือ"
        verbose_name_plural = "การรับหนังสือ"

    def __str__(self) -> str:
        return f"{self.letter} ({self.get_state_display()})"


class ReceiptResult(models.Model):
    """Outbox of receipt results (แจ้งตอบรับ) to the sender; the hub and e-mail workers deliver them."""

    class Channel(models.TextChoices):
        HUB = "hub", "ระบบแลกเปลี่ยน e-CMS"
        EMAIL = "email", "ไปรษณีย์อิเล็กทรอนิกส์"

    class Outcome(models.TextChoices):
        ACCEPTED = "accepted", "รับแล้ว"
        REJECTED = "rejected", "ปฏิเสธ"

    class State(models.TextChoices):
        PENDING = "pending", "รอส่ง"
        SENT = "sent", "ส่งแล้ว"
        FAILED = "failed", "ส่งไม่สำเร็จ"

    letter = models.ForeignKey(Letter, verbose_name="หนังสือ", on_delete=models.CASCADE,
                               related_name="receipt_results")
    channel = models.CharField("ช่องทาง", max_length=8, choices=Channel.choices)
    address = models.CharField("ปลายทาง", max_length=255, blank=True)
    channel_ref = models.CharField("รหัสอ้างอิงของช่องทาง", max_length=255, blank=True)
    outcome = models.CharField("ผล", max_length=16, choices=Outcome.choices)
    receive_number = models.PositiveIntegerField("เลขรับ", null=True, blank=True)
    receive_year = models.PositiveSmallIntegerField("ปี ค.ศ.", null=True, blank=True)
    registered_at = models.DateTimeField("วันเวลาลงรับ", null=True, blank=True)
    reason = models.CharField("เหตุผล", max_length=500, blank=True)
    state = models.CharField("สถานะการส่ง", max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("จำนวนครั้งที่พยายามส่ง", default=0)
    last_error = models.CharField("ข้อผิดพลาดล่าสุด", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["channel", "state", "created_at"])]
        verbose_name = "ผลการรับหนังสือที่แจ้งกลับ"
        verbose_name_plural = "ผลการรับหนังสือที่แจ้งกลับ"


class Holding(models.Model):
    """A letter in a unit's or a person's hands, from the moment it was sent to them."""

    class State(models.TextChoices):
        NEW = "new", "ยังไม่รับทราบ"
        ACKNOWLEDGED = "acknowledged", "รับทราบแล้ว"
        ACTING = "acting", "กำลังดำเนินการ"
        FORWARDED = "forwarded", "ส่งต่อแล้ว"
        CLOSED = "closed", "ปิดเรื่อง"

    OPEN_STATES = (State.NEW, State.ACKNOWLEDGED, State.ACTING)

    letter = models.ForeignKey(Letter, verbose_name="หนังสือ", on_delete=models.CASCADE, related_name="holdings")
    unit = models.ForeignKey(OrgUnit, verbose_name="หน่วยงาน", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="ผู้รับ", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="holdings")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="ผู้ส่ง", on_delete=models.PROTECT,
                                related_name="+")
    sent_at = models.DateTimeField("ส่งเมื่อ")
    instruction = models.TextField("คำสั่งการ/ข้อความ", blank=True)
    state = models.CharField("สถานะ", max_length=16, choices=State.choices, default=State.NEW)
    state_at = models.DateTimeField("เปลี่ยนสถานะเมื่อ")
    entry = models.ForeignKey(RegisterEntry, verbose_name="เลขรับของหน่วยงาน", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(unit__isnull=False) & Q(user__isnull=True))
                | (Q(unit__isnull=True) & Q(user__isnull=False)),
                name="holding_unit_xor_user",
            )
        ]
        indexes = [
            models.Index(fields=["user", "state"]),
            models.Index(fields=["unit", "state"]),
        ]
        ordering = ["sent_at", "id"]
        verbose_name = "ผู้ถือหนังสือ"
        verbose_name_plural = "ผู้ถือหนังสือ"

    def __str__(self) -> str:
        return f"{self.letter_id} → {self.holder_name}"

    @property
    def holder_name(self) -> str:
        if self.user is not None:
            return str(self.user.display_name)
        return str(self.unit)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class Endorsement(models.Model):
    """An executive's order or comment written on the letter (เกษียนหนังสือ / สั่งการ)."""

    class Kind(models.TextChoices):
        ORDER = "order", "สั่งการ"
        COMMENT = "comment", "ความเห็น"

    letter = models.ForeignKey(Letter, verbose_name="หนังสือ", on_delete=models.CASCADE,
                               related_name="endorsements")
    holding = models.ForeignKey(Holding, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="ผู้เขียน", on_delete=models.PROTECT,
                               related_name="+")
    kind = models.CharField("ประเภท", max_length=16, choices=Kind.choices, default=Kind.ORDER)
    text = models.TextField("ข้อความ")
    created_at = models.DateTimeField("เมื่อ")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "การเกษียนหนังสือ"
        verbose_name_plural = "การเกษียนหนังสือ"


class InboxCheck(models.Model):
    """A clerk checked a registry's inbox (at least each morning and afternoon, ภาคผนวก 7)."""

    registry = models.ForeignKey(Registry, on_delete=models.CASCADE, related_name="inbox_checks")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField("ตรวจเมื่อ")

    class Meta:
        indexes = [models.Index(fields=["registry", "-checked_at"])]
        verbose_name = "การตรวจกล่องหนังสือ"
        verbose_name_plural = "การตรวจกล่องหนังสือ"
