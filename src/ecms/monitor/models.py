"""Accounts of the Monitor site: records officers of agencies and their registration decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ecms.hub.models import Organization


class Officer(models.Model):
    """A records officer who asked to follow its agency's letters at the hub.

    The Django user is created inactive at registration and activated on approval; its username is
    the e-mail address. Hub administrators are staff users and need no ``Officer`` row.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "รออนุมัติ"
        APPROVED = "approved", "อนุมัติแล้ว"
        REFUSED = "refused", "ไม่อนุมัติ"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="officers")
    full_name = models.CharField(max_length=300)
    position = models.CharField(max_length=300)
    email = models.EmailField(unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    must_change_password = models.BooleanField(default=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"


class MonitorEvent(models.Model):
    """Audit record of the Monitor site, written in the same transaction as each change."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "ลงทะเบียน"
        APPROVED = "approved", "อนุมัติ"
        REFUSED = "refused", "ไม่อนุมัติ"
        PASSWORD_CHANGED = "password_changed", "เปลี่ยนรหัสผ่าน"
        REPORT_SENT = "report_sent", "ส่งรายงานประจำเดือน"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(Officer, null=True, blank=True, on_delete=models.PROTECT, related_name="events")
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField()
