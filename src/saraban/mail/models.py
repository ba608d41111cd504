"""The official e-mail channel: every message fetched from the central mailbox (imported as an
incoming letter, or kept aside with a reason) and the outbox of messages to send by SMTP.

Core data stays in ``correspondence``, ``receiving`` and ``outgoing``; these tables only point at it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from saraban.correspondence.models import Letter
from saraban.outgoing.models import Delivery
from saraban.receiving.models import ReceiptResult


class InboundMail(models.Model):
    """One message of the central mailbox, identified by the SHA-256 of its raw bytes (never twice).

    Malformed messages (no PDF, a corrupt PDF, undecodable) stay here in state ``quarantined`` with
    the reason and the raw .eml, until a clerk deals with them.
    """

    class State(models.TextChoices):
        IMPORTED = "imported", "นำเข้าเป็นหนังสือรอลงรับแล้ว"
        QUARANTINED = "quarantined", "กันไว้ตรวจสอบ"
        HANDLED = "handled", "จัดการแล้ว"

    sha256 = models.CharField("SHA-256 ของข้อความดิบ", max_length=64, unique=True)
    size = models.PositiveBigIntegerField("ขนาด (ไบต์)")
    message_id = models.CharField("Message-ID", max_length=500, blank=True)
    from_address = models.CharField("ผู้ส่ง", max_length=320, blank=True)
    subject = models.CharField("หัวเรื่อง", max_length=500, blank=True)
    mailbox = models.CharField("กล่องจดหมาย", max_length=200, blank=True)
    imap_uid = models.CharField("UID บนเซิร์ฟเวอร์", max_length=64, blank=True)
    state = models.CharField("สถานะ", max_length=16, choices=State.choices)
    reason_code = models.CharField("รหัสเหตุ", max_length=32, blank=True)
    reason = models.CharField("เหตุที่กันไว้", max_length=500, blank=True)
    letter = models.OneToOneField(Letter, verbose_name="หนังสือ", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="inbound_mail")
    fetched_at = models.DateTimeField("ดึงเมื่อ")
    handled_at = models.DateTimeField("จัดการเมื่อ", null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_note = models.CharField("บันทึกการจัดการ", max_length=500, blank=True)

    class Meta:
        ordering = ["-fetched_at", "-pk"]
        indexes = [models.Index(fields=["state", "-fetched_at"])]
        verbose_name = "ไปรษณีย์อิเล็กทรอนิกส์ขาเข้า"
        verbose_name_plural = "ไปรษณีย์อิเล็กทรอนิกส์ขาเข้า"

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject} ({self.get_state_display()})"


class OutboundMail(models.Model):
    """One message to send by SMTP: a letter to a recipient (a ``Delivery`` with channel email), the
    automatic acknowledgement of an arrived message, or a receipt result (receive number/rejection).

    Workers claim a line with a conditional UPDATE (``claimed_until``), so several may run at once.
    """

    class Kind(models.TextChoices):
        LETTER = "letter", "ส่งหนังสือ"
        ACKNOWLEDGEMENT = "ack", "ตอบรับอัตโนมัติ"
        RECEIPT = "receipt", "แจ้งผลการลงรับ"

    class State(models.TextChoices):
        PENDING = "pending", "รอส่ง"
        SENT = "sent", "ส่งแล้ว"
        FAILED = "failed", "ส่งไม่สำเร็จ"
        REFUSED = "refused", "ไม่ส่ง (ต้องห้าม)"

    kind = models.CharField("ประเภท", max_length=8, choices=Kind.choices)
    delivery = models.OneToOneField(Delivery, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="outbound_mail")
    receipt = models.OneToOneField(ReceiptResult, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="outbound_mail")
    inbound = models.OneToOneField(InboundMail, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="acknowledgement")
    to_address = models.CharField("ถึง", max_length=320)
    state = models.CharField("สถานะ", max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField("จำนวนครั้งที่พยายาม", default=0)
    next_attempt_at = models.DateTimeField("พยายามครั้งถัดไป")
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField("ข้อผิดพลาดล่าสุด", max_length=500, blank=True)
    message_id = models.CharField("Message-ID", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField("ส่งเมื่อ", null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="letter") & Q(delivery__isnull=False))
                | (Q(kind="ack") & Q(inbound__isnull=False))
                | (Q(kind="receipt") & Q(receipt__isnull=False)),
                name="outbound_mail_kind_has_source",
            )
        ]
        verbose_name = "ไปรษณีย์อิเล็กทรอนิกส์ขาออก"
        verbose_name_plural = "ไปรษณีย์อิเล็กทรอนิกส์ขาออก"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to_address} ({self.get_state_display()})"
