"""Organisation tree (ministries, provinces, departments, units), users, roles and rights."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from saraban.correspondence.enums import Secrecy


class Ministry(models.Model):
    """A ministry or agency of equal rank with its two-letter code (ภาคผนวก 1), editable data."""

    code = models.CharField("รหัสพยัญชนะ", max_length=8, unique=True)
    name = models.CharField("ชื่อ", max_length=200)
    name_en = models.CharField("ชื่อภาษาอังกฤษ", max_length=200, blank=True)
    ecms_id = models.CharField("รหัสใน e-CMS", max_length=32, blank=True)
    active = models.BooleanField("ใช้งาน", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "กระทรวง"
        verbose_name_plural = "กระทรวง"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Province(models.Model):
    code = models.CharField("รหัสพยัญชนะ", max_length=8, unique=True)
    name = models.CharField("ชื่อจังหวัด", max_length=100)
    name_en = models.CharField("ชื่อภาษาอังกฤษ", max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "จังหวัด"
        verbose_name_plural = "จังหวัด"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrgUnit(models.Model):
    """A department (กรม), division (กอง) or smaller unit, with the number used in letter references."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", "ส่วนราชการระดับกรม"
        DIVISION = "division", "กอง/สำนัก"
        SECTION = "section", "กลุ่มงาน/ฝ่าย"
        COMMITTEE = "committee", "คณะกรรมการ"
        EXTERNAL = "external", "หน่วยงานภายนอก"

    parent = models.ForeignKey(
        "self", verbose_name="สังกัด", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField("ประเภท", max_length=16, choices=Kind.choices, default=Kind.DIVISION)
    ministry = models.ForeignKey(Ministry, verbose_name="กระทรวง", null=True, blank=True, on_delete=models.PROTECT)
    province = models.ForeignKey(
        Province,
        verbose_name="จังหวัด (ส่วนภูมิภาค)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text="ส่วนราชการส่วนภูมิภาคใช้รหัสพยัญชนะของจังหวัดแทนกระทรวง",
    )
    name = models.CharField("ชื่อ", max_length=255)
    short_name = models.CharField("ชื่อย่อ", max_length=64, blank=True)
    name_en = models.CharField("ชื่อภาษาอังกฤษ", max_length=255, blank=True)
    number = models.CharField(
        "เลขประจำส่วนราชการ", max_length=32, blank=True, help_text="เช่น 0201.2 ตามภาคผนวก 1"
    )
    code_suffix = models.CharField(
        "อักษรเพิ่มเติม", max_length=16, blank=True, help_text="คณะกรรมการอาจเพิ่มตัวอักษรต่อท้ายรหัส"
    )
    address = models.TextField("ที่อยู่", blank=True)
    phone = models.CharField("โทร.", max_length=64, blank=True)
    email = models.EmailField("ไปรษณีย์อิเล็กทรอนิกส์", blank=True)
    ecms_code = models.CharField("รหัสหน่วยงานใน e-CMS", max_length=32, blank=True, db_index=True)
    active = models.BooleanField("ใช้งาน", default=True)

    class Meta:
        ordering = ["number", "name"]
        verbose_name = "หน่วยงาน"
        verbose_name_plural = "หน่วยงาน"

    def __str__(self) -> str:
        return self.name

    @property
    def letter_code(self) -> str:
        """The two-letter code: the province's for provincial units, else the ministry's (inherited)."""
        unit: OrgUnit | None = self
        while unit is not None:
            if unit.province_id is not None:
                return unit.province.code + unit.code_suffix if unit.province else ""
            if unit.ministry_id is not None and unit.ministry is not None:
                return unit.ministry.code + unit.code_suffix
            unit = unit.parent
        return ""

    @property
    def reference_prefix(self) -> str:
        """ที่ prefix of letters this unit owns, e.g. ``มท 0201.2``."""
        return f"{self.letter_code} {self.number}".strip()

    def ancestors(self) -> list[OrgUnit]:
        chain: list[OrgUnit] = []
        unit = self.parent
        while unit is not None:
            chain.append(unit)
            unit = unit.parent
        return chain


class AgencyProfile(models.Model):
    """This installation's own place in the organisation tree and its display settings."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    root_unit = models.ForeignKey(OrgUnit, verbose_name="ส่วนราชการ", on_delete=models.PROTECT)
    use_thai_digits = models.BooleanField("ใช้เลขไทย", default=True)
    central_email = models.EmailField("ไปรษณีย์อิเล็กทรอนิกส์กลาง", blank=True)
    hub_code = models.CharField("รหัสหน่วยงานใน e-CMS", max_length=32, blank=True)
    inbox_check_morning_until = models.TimeField("ตรวจกล่องหนังสือช่วงเช้าภายใน", default="12:00")
    inbox_check_afternoon_until = models.TimeField("ตรวจกล่องหนังสือช่วงบ่ายภายใน", default="16:30")

    class Meta:
        verbose_name = "ข้อมูลส่วนราชการ"
        verbose_name_plural = "ข้อมูลส่วนราชการ"

    def __str__(self) -> str:
        return str(self.root_unit)


class Role(models.TextChoices):
    CENTRAL_CLERK = "central_clerk", "เจ้าหน้าที่สารบรรณกลาง"
    UNIT_CLERK = "unit_clerk", "เจ้าหน้าที่สารบรรณหน่วยงาน"
    OFFICER = "officer", "เจ้าหน้าที่ผู้ปฏิบัติ"
    EXECUTIVE = "executive", "ผู้บริหาร"
    SECRETARY = "secretary", "เลขานุการผู้บริหาร"
    ADMIN = "admin", "ผู้ดูแลระบบของส่วนราชการ"
    AUDITOR = "auditor", "ผู้ตรวจสอบ"


class User(AbstractUser):
    """A person who signs in. Rights to open, receive and send are per user (ภาคผนวก 6 ข้อ 3)."""

    title = models.CharField("คำนำหน้า", max_length=32, blank=True)
    position = models.CharField("ตำแหน่ง", max_length=255, blank=True)
    phone = models.CharField("โทร.", max_length=64, blank=True)
    clearance = models.IntegerField(
        "ชั้นความลับที่เข้าถึงได้", choices=Secrecy.choices, default=Secrecy.NORMAL
    )
    can_open = models.BooleanField("สิทธิ์เปิดหนังสือ", default=True)
    can_receive = models.BooleanField("สิทธิ์รับหนังสือ", default=False)
    can_send = models.BooleanField("สิทธิ์ส่งหนังสือ", default=False)
    failed_logins = models.PositiveIntegerField("จำนวนครั้งที่เข้าระบบไม่สำเร็จ", default=0)
    locked_until = models.DateTimeField("ล็อกจนถึง", null=True, blank=True)
    must_change_password = models.BooleanField("ต้องเปลี่ยนรหัสผ่าน", default=False)
    password_changed_at = models.DateTimeField("เปลี่ยนรหัสผ่านล่าสุด", null=True, blank=True)
    assists = models.ManyToManyField(
        "self",
        verbose_name="เป็นเลขานุการของ",
        symmetrical=False,
        blank=True,
        related_name="secretaries",
        help_text="เลขานุการใช้ตะกร้างานร่วมกับผู้บริหารที่เลือก",
    )

    class Meta:
        verbose_name = "ผู้ใช้"
        verbose_name_plural = "ผู้ใช้"

    @property
    def display_name(self) -> str:
        name = f"{self.title}{self.first_name} {self.last_name}".strip()
        return name or self.username

    def roles(self) -> set[str]:
        return {m.role for m in self.memberships.all()}

    def has_role(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.memberships.all())


class Membership(models.Model):
    """A user's role in a unit; a user may belong to several units."""

    user = models.ForeignKey(User, verbose_name="ผู้ใช้", on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(OrgUnit, verbose_name="หน่วยงาน", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("บทบาท", max_length=32, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="uniq_membership")]
        verbose_name = "สังกัดและบทบาท"
        verbose_name_plural = "สังกัดและบทบาท"

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
