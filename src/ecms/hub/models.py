"""Data of the hub: the directory, agency system accounts, letters, queues, events, idempotency."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from thegif.messages import ItemType, LetterStatus


class Organization(models.Model):
    """A ministry or department in the e-CMS directory, identified by its organisation ID."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", "กระทรวง"
        DEPARTMENT = "department", "ส่วนราชการ"

    org_id = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=500)
    short_name = models.CharField(max_length=100, blank=True)  # รหัสตัวพยัญชนะ e.g. "นร 0105"
    kind = models.CharField(max_length=16, choices=Kind.choices)
    ministry = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="departments"
    )
    # Published for encrypted secret letters (DER SubjectPublicKeyInfo), see docs/PROTOCOL.md.
    public_key_der = models.BinaryField(null=True, blank=True)
    public_key_algorithm = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"{self.org_id} {self.name}"


class AgencySystem(models.Model):
    """The e-Saraban system of one agency, as it authenticates to the hub."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="systems")
    username = models.CharField(max_length=150, unique=True)
    password_hash = models.CharField(max_length=256)
    # SHA-256 of a client certificate, for TLS client authentication in front of the hub.
    client_cert_sha256 = models.CharField(max_length=64, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.username


class Letter(models.Model):
    letter_id = models.CharField(max_length=64, unique=True)
    sender = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="sent_letters")
    receiver = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="received_letters")
    sender_system = models.ForeignKey(AgencySystem, on_delete=models.PROTECT, related_name="letters")
    doc_id = models.CharField(max_length=255)  # ที่
    correspondence_date = models.DateField()
    subject = models.CharField(max_length=1000)
    secret_code = models.CharField(max_length=3)
    speed_code = models.CharField(max_length=3)
    # The GovernmentDocument as received, with the files' elements emptied (attributes kept).
    document_xml = models.TextField()
    status = models.CharField(max_length=16, choices=[(s.value, s.value) for s in LetterStatus])
    status_changed_at = models.DateTimeField()
    accept_id = models.CharField(max_length=255, blank=True)
    status_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["sender", "id"], name="hub_letter_sender")]

    def __str__(self) -> str:
        return f"{self.letter_id} {self.doc_id}"


class LetterFile(models.Model):
    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveSmallIntegerField()  # 0 is the cover letter
    file_name = models.CharField(max_length=255, blank=True)
    mime_code = models.CharField(max_length=127)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["letter", "position"], name="hub_file_position")]


class QueueItem(models.Model):
    """One thing waiting for an organisation to pull: a letter, or a notifier about a letter."""

    process_id = models.CharField(max_length=64, unique=True)
    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="queue")
    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="queue_items")
    item_type = models.CharField(max_length=32, choices=[(t.value, t.value) for t in ItemType])
    accept_id = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField()
    first_pulled_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["owner", "id"], condition=Q(deleted_at__isnull=True), name="hub_queue_waiting"),
            models.Index(fields=["letter", "item_type"], name="hub_queue_letter"),
        ]


class LetterEvent(models.Model):
    """The letter's timeline at the hub, one row per state change (the hub's audit record)."""

    class Kind(models.TextChoices):
        SENT = "sent", "ส่งเข้าระบบกลาง"
        PULLED = "pulled", "ผู้รับดึงหนังสือ"
        DEQUEUED = "dequeued", "ลบออกจากคิวหลังจัดเก็บ"
        RECEIVED = "received", "ผู้รับแจ้งได้รับหนังสือ"
        ACCEPTED = "accepted", "ผู้รับแจ้งเลขรับ"
        REJECTED = "rejected", "ผู้รับปฏิเสธหนังสือ"
        INVALID = "invalid", "ผู้รับแจ้งหนังสือผิด"
        INVALID_ACCEPT_ID = "invalid_accept_id", "ผู้ส่งแจ้งเลขรับผิด"
        DELETED = "deleted", "ผู้ส่งลบหนังสือ"

    letter = models.ForeignKey(Letter, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    system = models.ForeignKey(AgencySystem, null=True, on_delete=models.PROTECT, related_name="events")
    message_id = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["letter", "id"], name="hub_event_letter")]


class IdempotencyRecord(models.Model):
    """The response given to a state-changing request, kept per (agency system, wsa:MessageID)."""

    system = models.ForeignKey(AgencySystem, on_delete=models.PROTECT, related_name="+")
    message_id = models.CharField(max_length=255)
    operation = models.CharField(max_length=64)
    request_sha256 = models.CharField(max_length=64)
    response = models.BinaryField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["system", "message_id"], name="hub_idempotency_key")]
