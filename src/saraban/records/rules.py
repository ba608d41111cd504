"""Who does what in the records life cycle (DOMAIN.md §5). One place, used by services and views.

- The storage unit (หน่วยเก็บ) is the unit of the central registry (สารบรรณกลาง).
- Records staff are the central clerks of that unit: they accept letters sent for storage, keep the
  storage register, hand out and take back loans, survey, list and destroy letters, and make the
  20-year lists. Agency administrators and auditors may read the registers; superusers may do all.
- The head of the storage unit (an executive member of the storage unit) approves loans (ข้อ 62).
- A division head or above (an executive of a department- or division-level unit) approves an
  outsider's request to view or copy (ข้อ 65); outsiders never borrow.
- The owning unit's clerks (unit or central clerks of the letter's owner unit) send finished
  letters to storage with a list (แบบที่ 19).
"""

from __future__ import annotations

from saraban.accounts.models import OrgUnit, Role, User
from saraban.correspondence.models import Letter, Registry


def storage_unit() -> OrgUnit | None:
    registry = Registry.objects.filter(is_central=True, active=True).select_related("unit").first()
    return registry.unit if registry else None


def _unit_roles(user: User, unit_id: int | None, *roles: str) -> bool:
    return any(m.unit_id == unit_id and m.role in roles for m in user.memberships.all())


def is_records_staff(user: User) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    unit = storage_unit()
    return unit is not None and _unit_roles(user, unit.pk, Role.CENTRAL_CLERK)


def can_read_register(user: User) -> bool:
    return user.is_active and (is_records_staff(user) or is_storage_head(user)
                               or user.has_role(Role.ADMIN, Role.AUDITOR))


def is_storage_head(user: User) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    unit = storage_unit()
    return unit is not None and _unit_roles(user, unit.pk, Role.EXECUTIVE)


def is_division_head(user: User) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    levels = (OrgUnit.Kind.DEPARTMENT, OrgUnit.Kind.DIVISION)
    return any(m.role == Role.EXECUTIVE and m.unit.kind in levels
               for m in user.memberships.select_related("unit"))


def can_send_to_storage(user: User, letter: Letter) -> bool:
    if not user.is_active:
        return False
    if is_records_staff(user):
        return True
    return _unit_roles(user, letter.owner_unit_id, Role.UNIT_CLERK, Role.CENTRAL_CLERK)


def sending_units(user: User) -> list[OrgUnit]:
    """Units whose finished letters the user may send to storage."""
    if is_records_staff(user):
        return list(OrgUnit.objects.filter(active=True).exclude(kind=OrgUnit.Kind.EXTERNAL))
    ids = [m.unit_id for m in user.memberships.all() if m.role in (Role.UNIT_CLERK, Role.CENTRAL_CLERK)]
    return list(OrgUnit.objects.filter(pk__in=ids))
