"""Reads of drafting and sending with their access rules.

A draft travels outside its owner unit before it is registered (the checker, the signer, the
central clerk who dispatches it), so who may open it is wider than ``letters_visible_to``: that,
plus the step of the workflow the user takes part in. Clearance always applies.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from saraban.accounts.models import Role, User
from saraban.correspondence.models import Book, Counter, Registry
from saraban.correspondence.selectors import letters_visible_to, registries_for
from saraban.correspondence.services import book_for
from saraban.outgoing.models import Delivery, Draft
from saraban.outgoing.services import SERIES_BOOK

CHECKER_ROLES = (Role.UNIT_CLERK, Role.CENTRAL_CLERK, Role.EXECUTIVE)


def _units(user: User, *roles: str) -> list[int]:
    return [m.unit_id for m in user.memberships.all() if not roles or m.role in roles]


def _dispatch_units(user: User) -> Q:
    """Signed drafts a clerk may dispatch: any for a central clerk, else those of units whose
    registry the clerk keeps."""
    registries = list(registries_for(user))
    if any(r.is_central for r in registries):
        return Q(state=Draft.State.SIGNED)
    return Q(state=Draft.State.SIGNED, letter__owner_unit_id__in=[r.unit_id for r in registries])


def drafts_visible_to(user: User) -> QuerySet[Draft]:
    if not user.is_active or not user.can_open:
        return Draft.objects.none()
    cond = Q(letter__in=letters_visible_to(user)) | Q(drafter=user) | Q(signer=user) | Q(checker=user)
    cond |= Q(state=Draft.State.CHECKING, letter__owner_unit_id__in=_units(user, *CHECKER_ROLES))
    if user.can_send:
        cond |= _dispatch_units(user)
    return (Draft.objects.filter(cond, letter__secrecy__lte=user.clearance)
            .select_related("letter", "letter__owner_unit", "drafter", "checker", "signer").distinct())


def drafts_mine(user: User) -> QuerySet[Draft]:
    return drafts_visible_to(user).filter(drafter=user).exclude(state=Draft.State.DISPATCHED).order_by(
        "-updated_at")


def drafts_to_check(user: User) -> QuerySet[Draft]:
    units = _units(user, *CHECKER_ROLES)
    return (drafts_visible_to(user).filter(state=Draft.State.CHECKING, letter__owner_unit_id__in=units)
            .exclude(drafter=user).order_by("updated_at"))


def drafts_to_sign(user: User) -> QuerySet[Draft]:
    return drafts_visible_to(user).filter(state=Draft.State.SIGNING, signer=user).order_by("updated_at")


def drafts_to_dispatch(user: User) -> QuerySet[Draft]:
    if not user.can_send:
        return Draft.objects.none()
    return drafts_visible_to(user).filter(_dispatch_units(user)).order_by("signed_at")


def drafts_sent(user: User) -> QuerySet[Draft]:
    return drafts_visible_to(user).filter(state=Draft.State.DISPATCHED).order_by("-updated_at")


def can_check(user: User, draft: Draft) -> bool:
    return (draft.state == Draft.State.CHECKING and draft.drafter_id != user.pk
            and (user.is_superuser or draft.letter.owner_unit_id in _units(user, *CHECKER_ROLES)))


def can_dispatch(user: User, draft: Draft) -> bool:
    return draft.state == Draft.State.SIGNED and drafts_to_dispatch(user).filter(pk=draft.pk).exists()


def signers() -> QuerySet[User]:
    """Executives who may sign letters."""
    return User.objects.filter(is_active=True, memberships__role=Role.EXECUTIVE).distinct().order_by("first_name")


def deliveries_problem(user: User) -> QuerySet[Delivery]:
    """Failed or rejected deliveries nobody has dealt with yet, of letters the user may see."""
    return (Delivery.objects.filter(state__in=Delivery.PROBLEM_STATES, handled_at__isnull=True,
                                    letter__in=letters_visible_to(user))
            .select_related("letter").order_by("-updated_at"))


def number_preview(*, registry: Registry, draft: Draft, year: int) -> tuple[str, int]:
    """The register the dispatch will write to and the number it will take if nobody is quicker."""
    book = book_for(draft.letter, SERIES_BOOK[Draft.Series(draft.series)])
    last = Counter.objects.filter(registry=registry, book=book, year=year).values_list("last_number", flat=True)
    return Book(book).label, (last.first() or 0) + 1
