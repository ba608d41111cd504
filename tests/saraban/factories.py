"""factory_boy factories for entities tests need in numbers (the named cast covers the roles)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from saraban.accounts.models import Membership, OrgUnit, Role, User
from saraban.correspondence.enums import LetterKind, Secrecy, Speed
from saraban.correspondence.models import Letter


class OrgUnitFactory(DjangoModelFactory[OrgUnit]):
    class Meta:
        model = OrgUnit

    name = factory.Sequence(lambda n: f"กลุ่มงานที่ {n}")
    short_name = factory.Sequence(lambda n: f"กง.{n}")
    number = factory.Sequence(lambda n: f"0199.{n}")
    kind = OrgUnit.Kind.SECTION


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"ผู้ใช้{n}")
    last_name = "ทดสอบ"
    password = factory.django.Password("Passw0rd-test")
    can_open = True
    clearance = Secrecy.NORMAL


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(OrgUnitFactory)
    role = Role.OFFICER


class LetterFactory(DjangoModelFactory[Letter]):
    class Meta:
        model = Letter

    direction = Letter.Direction.INCOMING
    kind = LetterKind.EXTERNAL
    subject = factory.Sequence(lambda n: f"ขอเชิญประชุมคณะทำงาน ครั้งที่ {n}")
    reference_no = factory.Sequence(lambda n: f"มท 0301/{n}")
    sender_text = "กรมการปกครอง"
    recipient_text = "ปลัดกระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม"
    speed = Speed.NORMAL
    secrecy = Secrecy.NORMAL
