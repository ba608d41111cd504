"""Demo agencies with users of every role, for the README's run command and for tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from saraban.accounts.models import AgencyProfile, Ministry, OrgUnit, Role, User
from saraban.accounts.orgdata import orgdata_load
from saraban.accounts.services import user_create
from saraban.audit.services import audit_record
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Registry

DEMO_PASSWORD = "saraban-demo-2569"  # noqa: S105 - published demo password, demo data only


@dataclass(frozen=True)
class DemoAgency:
    key: str
    ministry_code: str
    name: str
    short_name: str
    number: str
    hub_code: str
    email: str
    divisions: tuple[tuple[str, str, str], ...]  # (name, short name, number); the first is central
    users: tuple[tuple[str, str, str, str], ...] = field(default=())


DEMO_AGENCIES: dict[str, DemoAgency] = {
    "a": DemoAgency(
        key="a",
        ministry_code="ดศ",
        name="สำนักงานปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
        short_name="สป.ดศ.",
        number="0100",
        hub_code="2101000000",
        email="saraban@a.demo.go.th",
        divisions=(
            ("กองกลาง", "กก.", "0101"),
            ("กองยุทธศาสตร์และแผนงาน", "กยผ.", "0102"),
            ("ศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร", "ศทส.", "0103"),
        ),
    ),
    "b": DemoAgency(
        key="b",
        ministry_code="มท",
        name="กรมการปกครอง",
        short_name="ปค.",
        number="0300",
        hub_code="1503000000",
        email="saraban@b.demo.go.th",
        divisions=(
            ("สำนักงานเลขานุการกรม", "สลก.", "0301"),
            ("สำนักบริหารการทะเบียน", "สบท.", "0309"),
            ("กองการเจ้าหน้าที่", "กจ.", "0307"),
        ),
    ),
}

# (username, title+first name, last name, position) per role; rights follow the role.
DEMO_USERS: tuple[tuple[str, str, str, str, str, int], ...] = (
    # username, role, first name, last name, position, clearance
    ("admin", Role.ADMIN, "ผู้ดูแล", "ระบบ", "นักวิชาการคอมพิวเตอร์ชำนาญการ", Secrecy.NORMAL),
    ("clerk", Role.CENTRAL_CLERK, "สมศรี", "รับส่งดี", "เจ้าพนักงานธุรการชำนาญงาน", Secrecy.SECRET),
    ("unitclerk", Role.UNIT_CLERK, "สมหมาย", "ใจดี", "เจ้าพนักงานธุรการปฏิบัติงาน", Secrecy.NORMAL),
    ("officer", Role.OFFICER, "วิชัย", "ตั้งใจ", "นักวิเคราะห์นโยบายและแผนชำนาญการ", Secrecy.NORMAL),
    ("director", Role.EXECUTIVE, "ประเสริฐ", "บริหารดี", "ผู้อำนวยการ", Secrecy.TOP_SECRET),
    ("secretary", Role.SECRETARY, "มาลี", "ช่วยงาน", "เลขานุการผู้บริหาร", Secrecy.CONFIDENTIAL),
    ("auditor", Role.AUDITOR, "ตรวจ", "สอบทาน", "นักตรวจสอบภายใน", Secrecy.NORMAL),
)


def demo_agency_load(*, key: str, password: str = DEMO_PASSWORD) -> AgencyProfile:
    """Create the demo agency's units, registries, profile and users (idempotent)."""
    spec = DEMO_AGENCIES[key]
    if AgencyProfile.objects.filter(pk=1).exists():
        return AgencyProfile.objects.get(pk=1)
    orgdata_load()
    with transaction.atomic():
        ministry = Ministry.objects.get(code=spec.ministry_code)
        ministry.ecms_id = ministry.ecms_id or spec.hub_code[:2] + "00000000"
        ministry.save(update_fields=["ecms_id"])
        root = OrgUnit.objects.create(
            kind=OrgUnit.Kind.DEPARTMENT, ministry=ministry, name=spec.name, short_name=spec.short_name,
            number=spec.number, email=spec.email, ecms_code=spec.hub_code,
            address="ถนนแจ้งวัฒนะ แขวงทุ่งสองห้อง เขตหลักสี่ กรุงเทพมหานคร 10210",
            phone="0 2141 0000",
        )
        divisions = [
            OrgUnit.objects.create(
                parent=root, kind=OrgUnit.Kind.DIVISION, name=name, short_name=short, number=number,
                phone=f"0 2141 {number}", email=f"div{number}@{spec.email.split('@')[1]}",
            )
            for name, short, number in spec.divisions
        ]
        central, second, _third = divisions
        Registry.objects.create(unit=central, name=f"สารบรรณกลาง {spec.short_name}", is_central=True)
        Registry.objects.create(unit=second, name=f"สารบรรณ {second.short_name}")
        profile = AgencyProfile.objects.create(pk=1, root_unit=root, use_thai_digits=True,
                                               central_email=spec.email, hub_code=spec.hub_code)
        audit_record(actor=None, action="demo.loaded", obj=profile, summary=f"ข้อมูลสาธิต {spec.name}")
    users: dict[str, User] = {}
    for username, role, first, last, position, clearance in DEMO_USERS:
        unit = second if role in (Role.UNIT_CLERK, Role.OFFICER) else central
        users[username] = user_create(
            actor=None, username=username, password=password, first_name=first, last_name=last,
            title="นาย" if username in ("officer", "director", "auditor") else "นาง",
            position=position, email=f"{username}@{spec.email.split('@')[1]}", clearance=clearance,
            can_open=True,
            can_receive=role in (Role.CENTRAL_CLERK, Role.UNIT_CLERK, Role.EXECUTIVE, Role.SECRETARY),
            can_send=role in (Role.CENTRAL_CLERK, Role.UNIT_CLERK, Role.EXECUTIVE, Role.OFFICER),
            memberships=[(unit, role)], must_change_password=False, validate=False,
        )
    with transaction.atomic():
        users["secretary"].assists.add(users["director"])
        audit_record(actor=None, action="user.changed", obj=users["secretary"],
                     summary="เลขานุการใช้ตะกร้างานร่วมกับผู้อำนวยการ")
    return profile
