"""Two-factor sign-in: one authenticator (TOTP) per user, one-time recovery codes, agency policy."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TwoFactorPolicy(models.Model):
    """The agency's rule on who must use a second factor (one row; absent means the defaults)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    required_for_executives = models.BooleanField("บังคับสำหรับผู้บริหาร (ผู้ลงนาม)", default=True)
    required_for_admins = models.BooleanField("บังคับสำหรับผู้ดูแลระบบ", default=True)
    required_for_everyone = models.BooleanField("บังคับสำหรับผู้ใช้ทุกคน", default=False)

    class Meta:
        verbose_name = "นโยบายการยืนยันตัวตนสองขั้นตอน"
        verbose_name_plural = "นโยบายการยืนยันตัวตนสองขั้นตอน"

    def __str__(self) -> str:
        return "นโยบายการยืนยันตัวตนสองขั้นตอน"


class TotpDevice(models.Model):
    """A user's authenticator app. Unconfirmed until the user has typed one correct code."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="ผู้ใช้", on_delete=models.CASCADE, related_name="totp_device"
    )
    secret = models.CharField("รหัสลับ (base32)", max_length=64)
    created_at = models.DateTimeField("สร้างเมื่อ", auto_now_add=True)
    confirmed_at = models.DateTimeField("ยืนยันเมื่อ", null=True, blank=True)
    # The time step of the last accepted code: a code is never accepted twice (replay).
    last_used_step = models.BigIntegerField("ช่วงเวลาที่ใช้ล่าสุด", default=0)

    class Meta:
        verbose_name = "อุปกรณ์ยืนยันตัวตน"
        verbose_name_plural = "อุปกรณ์ยืนยันตัวตน"

    def __str__(self) -> str:
        return f"TOTP {self.user_id}"

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A one-time code for a lost authenticator; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="ผู้ใช้", on_delete=models.CASCADE, related_name="recovery_codes"
    )
    code_hash = models.CharField("ค่าแฮช", max_length=128)
    created_at = models.DateTimeField("สร้างเมื่อ", auto_now_add=True)
    used_at = models.DateTimeField("ใช้เมื่อ", null=True, blank=True)

    class Meta:
        verbose_name = "รหัสกู้คืน"
        verbose_name_plural = "รหัสกู้คืน"
        indexes = [models.Index(fields=["user", "used_at"], name="security_rc_user_used")]

    def __str__(self) -> str:
        return f"recovery {self.user_id}"
