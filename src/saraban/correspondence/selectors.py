"""Reads with access rules: who may see which letters and register lines."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from saraban.accounts.models import Role, User
from saraban.correspondence.models import Book, Letter, RegisterEntry, Registry

SECRET_BOOKS = (Book.SECRET_RECEIVE, Book.SECRET_SEND)


def registries_for(user: User) -> QuerySet[Registry]:
    """Registries whose registers the user keeps: the central one for central clerks, the unit's
    own for unit clerks; auditors and admins read all."""
    qs = Registry.objects.filter(active=True).select_related("unit")
    if user.is_superuser or user.has_role(Role.AUDITOR, Role.ADMIN):
        return qs
    units = [m.unit_id for m in user.memberships.all() if m.role in (Role.CENTRAL_CLERK, Role.UNIT_CLERK)]
    cond = Q(unit_id__in=units)
    if user.has_role(Role.CENTRAL_CLERK):
        cond |= Q(is_central=True)
    return qs.filter(cond)


def letters_visible_to(user: User) -> QuerySet[Letter]:
    """Letters the user may open: the right to open, the clearance for its secrecy class, and a
    connection to it (their unit owns it, or they keep a registry it is registered in)."""
    if not user.is_active or not user.can_open:
        return Letter.objects.none()
    qs = Letter.objects.filter(secrecy__lte=user.clearance)
    if user.is_superuser or user.has_role(Role.AUDITOR):
        return qs
    unit_ids = [m.unit_id for m in user.memberships.all()]
    registry_ids = list(registries_for(user).values_list("pk", flat=True))
    assisted_ids = list(user.assists.values_list("pk", flat=True))
    # Holders of a distributed letter (receiving.Holding): the person, the executive whose basket a
    # secretary shares, or the unit; and the registry an arrived letter waits at (receiving.Reception).
    held = Q(holdings__user=user) | Q(holdings__unit_id__in=unit_ids) | Q(reception__registry_id__in=registry_ids)
    if assisted_ids:
        held |= Q(holdings__user_id__in=assisted_ids)
    # People in an outgoing letter's workflow (outgoing.Draft): drafter, checker and signer.
    workflow = Q(draft__drafter=user) | Q(draft__checker=user) | Q(draft__signer=user)
    return qs.filter(
        Q(owner_unit_id__in=unit_ids) | Q(entries__registry_id__in=registry_ids) | Q(created_by=user) | held
        | workflow
    ).distinct()


def register_entries(
    *, user: User, registry: Registry, book: str, year: int
) -> QuerySet[RegisterEntry]:
    qs = RegisterEntry.objects.filter(registry=registry, book=book, year=year).select_related(
        "letter", "registered_by"
    )
    if book in SECRET_BOOKS and user.clearance < 1:
        return qs.none()
    return qs.filter(letter__secrecy__lte=user.clearance).order_by("number")
