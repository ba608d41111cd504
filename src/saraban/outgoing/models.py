"""Drafting and sending: the draft's workflow around a Letter, the official salutation pairs, and
the delivery outbox (one line per recipient and channel)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saraban.correspondence.models import Letter


class SalutationPair(models.Model):
    """คำขึ้นต้น / คำลงท้าย: the official pairs (ภาคผนวก 2), kept as editable data."""

    salutation = models.CharField("คำขึ้นต้น", max_length=100)
    closing = models.CharField("คำลงท้าย", max_length=100)
    used_for = models.CharField("ใช้กับ", max_length=300, blank=True)
    order = models.PositiveSmallIntegerField("ลำดับ", default=0)
    active = models.BooleanField("ใช้งาน", default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "คำขึ้นต้นและคำลงท้าย"
        verbose_name_plural = "คำขึ้นต้นและคำลงท้าย"

    def __str__(self) -> str:
        return f"{self.salutation} / {self.closing}"


class Draft(models.Model):
    """The making of one outgoing letter: drafter → checkers → signer → dispatch."""

    class State(models.TextChoices):
        DRAFT = "draft", "ร่าง"
        CHECKING = "checking", "รอตรวจ"
        RETURNED = "returned", "ส่งกลับแก้ไข"
        SIGNING = "signing", "รอลงนาม"
        SIGNED = "signed", "ลงนามแล้ว"
        DISPATCHED = "dispatched", "ส่งแล้ว"

    class Series(models.TextChoices):
        SEND = "send", "เลขหนังสือส่ง"
        CIRCULAR = "circular", "หนังสือเวียน (ว)"
        ORDER = "order", "เลขคำสั่ง (ที่ N/ปี)"

    letter = models.OneToOneField(Letter, on_delete=models.CASCADE, related_name="draft")
    state = models.CharField("สถานะ", max_length=12, choices=State.choices, default=State.DRAFT)
    series = models.CharField("ชุดเลข", max_length=12, choices=Series.choices, default=Series.SEND)
    salutation = models.CharField("คำขึ้นต้น", max_length=100, blank=True)
    closing = models.CharField("คำลงท้าย", max_length=100, blank=True)
    extra = models.JSONField("ข้อมูลตามชนิดหนังสือ", default=dict, blank=True)
    scanned = models.BooleanField("หนังสือกระดาษที่สแกน", default=False)
    drafter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="ผู้ร่าง", on_delete=models.PROTECT,
                                related_name="+")
    typist = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="ผู้พิมพ์", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    checker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="ผู้ตรวจ", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="ผู้ลงนาม", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("ลงนามเมื่อ", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "ร่างหนังสือ"
        verbose_name_plural = "ร่างหนังสือ"

    def __str__(self) -> str:
        return f"{self.get_state_display()}: {self.letter.subject}"

    @property
    def frozen(self) -> bool:
        return self.state in (self.State.SIGNED, self.State.DISPATCHED)


class DraftStep(models.Model):
    """One step of the workflow (submitted, returned with a reason, checked, signed)."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="steps")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("การดำเนินการ", max_length=16)
    comment = models.TextField("ความเห็น", blank=True)
    at = models.DateTimeField(auto_now_add=True)

    LABELS = {"created": "ร่างหนังสือ", "updated": "แก้ไขร่าง", "submitted": "เสนอตรวจ", "returned": "ส่งกลับแก้ไข",
              "checked": "ตรวจแล้ว เสนอลงนาม", "signed": "ลงนาม", "dispatched": "ออกเลขและส่ง"}

    class Meta:
        ordering = ["at", "pk"]

    @property
    def label(self) -> str:
        return self.LABELS.get(self.action, self.action)


class Delivery(models.Model):
    """What happened to the letter for one recipient: the outbox line its channel works on."""

    class Channel(models.TextChoices):
        HUB = "hub", "ระบบแลกเปลี่ยนหนังสือ (e-CMS)"
        EMAIL = "email", "ไปรษณีย์อิเล็กทรอนิกส์ทางราชการ"
        POST = "post", "ทางไปรษณีย์"
        MESSENGER = "messenger", "พนักงานเดินหนังสือ"

    class State(models.TextChoices):
        QUEUED = "queued", "รอส่ง"
        SENT = "sent", "ส่งแล้ว"
        FAILED = "failed", "ส่งไม่สำเร็จ"
        DELIVERED = "delivered", "ถึงผู้รับแล้ว"
        ACCEPTED = "accepted", "ผู้รับลงรับแล้ว"
        REJECTED = "rejected", "ผู้รับปฏิเสธ"

    PROBLEM_STATES = (State.FAILED, State.REJECTED)
    ELECTRONIC = (Channel.HUB, Channel.EMAIL)

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="deliveries")
    recipient_name = models.CharField("ผู้รับ", max_length=300)
    channel = models.CharField("ช่องทาง", max_length=12, choices=Channel.choices)
    address = models.CharField("ที่อยู่/รหัสผู้รับ", max_length=300, blank=True)
    state = models.CharField("สถานะ", max_length=12, choices=State.choices, default=State.QUEUED)
    receive_number = models.CharField("เลขรับของผู้รับ", max_length=100, blank=True)
    reason = models.CharField("เหตุผล", max_length=500, blank=True)
    delivery_book_no = models.PositiveIntegerField("ลำดับในสมุดส่งหนังสือ", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    handled_at = models.DateTimeField("จัดการปัญหาแล้วเมื่อ", null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["state", "channel"])]
        verbose_name = "การส่งถึงผู้รับ"
        verbose_name_plural = "การส่งถึงผู้รับ"

    def __str__(self) -> str:
        return f"{self.recipient_name} ({self.get_channel_display()}): {self.get_state_display()}"

    @property
    def is_problem(self) -> bool:
        return self.state in self.PROBLEM_STATES and self.handled_at is None


class DraftRecipient(models.Model):
    """A recipient the drafter names, with the channel the letter should go by; the clerk's dispatch
    page starts from this list."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="recipients")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField("ผู้รับ", max_length=300)
    channel = models.CharField("ช่องทาง", max_length=12, choices=Delivery.Channel.choices)
    address = models.CharField("รหัสหน่วยงาน/ที่อยู่", max_length=300, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "ผู้รับตามร่าง"
        verbose_name_plural = "ผู้รับตามร่าง"

    def __str__(self) -> str:
        return f"{self.name} ({self.get_channel_display()})"
