"""The hub channel: the outbox of requests to the e-CMS hub, every item pulled from our hub queue,
the directory of agencies (with their public keys for secret letters) and the channel's settings.

Core data stays in ``correspondence``, ``receiving`` and ``outgoing``; these tables only point at it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from saraban.correspondence.models import Letter, Registry
from saraban.outgoing.models import Delivery
from saraban.receiving.models import ReceiptResult


class HubOutbound(models.Model):
    """One request that changes state at the hub: a letter to a recipient (a ``Delivery`` with channel
    hub) or a notifier back to a sender (received, accepted with our receive number, rejected).

    ``message_id`` is fixed when the line is made, before the first attempt, and every retry sends it
    again: the hub answers a repeated MessageID with its first answer, so a letter goes through once.
    """

    class Kind(models.TextChoices):
        LETTER = "letter", "ส่งหนังสือ"
        RECEIVE = "ReceiveLetterNotifier", "แจ้งได้รับหนังสือ"
        ACCEPT = "AcceptLetterNotifier", "แจ้งเลขรับ"
        REJECT = "RejectLetterNotifier", "แจ้งปฏิเสธการรับ"
        INVALID = "InvalidLetterNotifier", "แจ้งหนังสือผิด"

    class State(models.TextChoices):
        PENDING = "pending", "รอส่ง"
        SENT = "sent", "ส่งถึงระบบกลางแล้ว"
        FAILED = "failed", "ส่งไม่สำเร็จ"

    kind = models.CharField("ประเภท", max_length=24, choices=Kind.choices)
    delivery = models.OneToOneField(Delivery, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="hub_outbound")
    receipt = models.OneToOneField(ReceiptResult, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="hub_outbound")
    inbound = models.ForeignKey("HubInbound", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="notifiers")
    message_id = models.CharField("wsa:MessageID", max_length=100, unique=True)
    state = models.CharField("สถานะ", max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("จำนวนครั้งที่พยายาม", default=0)
    next_attempt_at = models.DateTimeField("พยายามครั้งต่อไปเมื่อ")
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField("ข้อผิดพลาดล่าสุด", max_length=500, blank=True)
    encrypted = models.BooleanField("เข้ารหัสถึงผู้รับ", default=False)
    # What the hub answered (letters): its id of the letter and our item in the recipient's queue.
    hub_letter_id = models.CharField("LetterID ที่ระบบกลาง", max_length=64, blank=True, db_index=True)
    process_id = models.CharField("ProcessID", max_length=64, blank=True)
    # For a letter: what it was sent as (the key of later status queries and notifiers).
    wire_reference = models.CharField("ที่ (ตามที่ส่ง)", max_length=255, blank=True)
    accept_department = models.CharField("รหัสหน่วยงานผู้รับ", max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    outcome_checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        ordering = ["-pk"]
        verbose_name = "คำขอที่ส่งไประบบกลาง"
        verbose_name_plural = "คำขอที่ส่งไประบบกลาง"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.message_id} ({self.get_state_display()})"


class HubInbound(models.Model):
    """One item pulled from our queue at the hub, kept by its ``ProcessID`` so that an item pulled
    again (we stored it but died before deleting it from the queue) is recognised, not stored twice."""

    class State(models.TextChoices):
        IMPORTED = "imported", "นำเข้าเป็นหนังสือรอลงรับแล้ว"
        REGISTERED = "registered", "ลงรับอัตโนมัติแล้ว"
        APPLIED = "applied", "บันทึกผลการส่งแล้ว"
        QUARANTINED = "quarantined", "กันไว้ตรวจสอบ"
        IGNORED = "ignored", "ไม่เกี่ยวกับหนังสือของเรา"

    process_id = models.CharField("ProcessID", max_length=64, unique=True)
    item_type = models.CharField("ประเภท", max_length=32)
    hub_letter_id = models.CharField("LetterID", max_length=64, db_index=True)
    sender_department = models.CharField("รหัสหน่วยงานผู้ส่ง", max_length=32)
    accept_department = models.CharField("รหัสหน่วยงานผู้รับ", max_length=32)
    wire_reference = models.CharField("ที่", max_length=255, blank=True)
    wire_subject = models.CharField("เรื่อง (ตามที่ส่งมา)", max_length=1000, blank=True)
    # A notifier's reason (Description), kept with its AcceptID (wire_reference) so that one pulled before
    # our send was recorded can still be applied when it is.
    wire_description = models.CharField("เหตุผล (ตามที่ส่งมา)", max_length=1000, blank=True)
    correspondence_date = models.DateField("ลงวันที่", null=True, blank=True)
    encrypted = models.BooleanField("เข้ารหัสถึงเรา", default=False)
    state = models.CharField("สถานะ", max_length=16, choices=State.choices)
    reason = models.CharField("เหตุ", max_length=500, blank=True)
    evidence_sha256 = models.CharField("SHA-256 ของ XML ที่ได้รับ", max_length=64)
    evidence_size = models.PositiveBigIntegerField("ขนาด XML (ไบต์)")
    letter = models.OneToOneField(Letter, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="hub_inbound")
    delete_message_id = models.CharField("wsa:MessageID ของคำขอลบจากคิว", max_length=100)
    dequeued_at = models.DateTimeField("ลบออกจากคิวที่ระบบกลางเมื่อ", null=True, blank=True)
    pulled_at = models.DateTimeField("ดึงเมื่อ")

    class Meta:
        ordering = ["-pulled_at", "-pk"]
        verbose_name = "รายการที่ดึงจากระบบกลาง"
        verbose_name_plural = "รายการที่ดึงจากระบบกลาง"

    def __str__(self) -> str:
        return f"{self.item_type} {self.hub_letter_id} ({self.get_state_display()})"


class DirectoryEntry(models.Model):
    """An agency of the e-CMS directory, with its public key for secret letters when it has one.

    Refreshed from the hub (``GetOrganizationList``); keys the hub does not publish can be loaded from
    a file (``load_exchange_keys``) and are kept until the hub publishes one.
    """

    class Source(models.TextChoices):
        HUB = "hub", "ระบบกลาง"
        LOCAL = "local", "นำเข้าเอง"

    org_id = models.CharField("รหัสหน่วยงาน", max_length=32, unique=True)
    name = models.CharField("ชื่อ", max_length=300, blank=True)
    ministry_id = models.CharField("รหัสกระทรวง", max_length=32, blank=True)
    public_key_der = models.BinaryField("กุญแจสาธารณะ (DER)", null=True, blank=True)
    public_key_algorithm = models.CharField("อัลกอริทึม", max_length=64, blank=True)
    key_source = models.CharField("ที่มาของกุญแจ", max_length=8, choices=Source.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["org_id"]
        verbose_name = "หน่วยงานในทำเนียบ e-CMS"
        verbose_name_plural = "หน่วยงานในทำเนียบ e-CMS"

    def __str__(self) -> str:
        return f"{self.org_id} {self.name}"


class ExchangeSetting(models.Model):
    """The agency's settings for the hub channel (one row) and when the worker last did each job."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    auto_register = models.BooleanField("ลงรับหนังสือที่ดึงจากระบบกลางโดยอัตโนมัติ", default=False)
    auto_register_as = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="ลงรับอัตโนมัติในนามของ",
                                         null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    registry = models.ForeignKey(Registry, verbose_name="หน่วยสารบรรณที่รับหนังสือจากระบบกลาง", null=True,
                                 blank=True, on_delete=models.PROTECT, related_name="+")
    last_pull_at = models.DateTimeField("ดึงหนังสือครั้งล่าสุด", null=True, blank=True)
    last_pull_error = models.CharField("ข้อผิดพลาดการดึงครั้งล่าสุด", max_length=500, blank=True)
    last_status_at = models.DateTimeField(null=True, blank=True)
    last_directory_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "การตั้งค่าช่องทางระบบกลาง"
        verbose_name_plural = "การตั้งค่าช่องทางระบบกลาง"
