"""Visibility keys: the access rule of letters, copied onto the search index.

``saraban.correspondence.selectors.letters_visible_to`` lets a person open a letter (within their
clearance) when something connects them to it: their unit owns or holds it, a registry they keep
registered it or is receiving it, they created it, hold it (or the executive they assist holds it),
or drafted, checked or signed it. Checking that rule for every candidate of a search is a join over
five tables per page of results; the search instead reads each letter's connections as keys stored
on its index row and matches them against the user's keys in the same query that reads the text.

Keys, one letter per kind so that two kinds never match each other:
- ``u<unit>``: the owner unit, a unit holding the letter;
- ``r<registry>``: a registry with a register entry for it, the registry it arrived at;
- ``p<user>``: its creator, drafter, checker, signer;
- ``h<user>``: a person holding it (matched by that person and by those who assist them).

The keys are derived data, rebuilt with the index. Search still passes its results through
``letters_visible_to`` itself, so keys that lag behind can hide a letter for a moment but never show
one the rule does not allow. Services that change a connection call ``letters_access_refresh``
inside their transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from django.db import transaction

from saraban.accounts.models import Role, User
from saraban.correspondence.models import Letter, RegisterEntry
from saraban.correspondence.selectors import registries_for
from saraban.outgoing.models import Draft
from saraban.receiving.models import Holding, Reception
from saraban.records.models import LetterIndex

UNIT, REGISTRY, PERSON, HOLDER = "u", "r", "p", "h"
AccessKeys = dict[str, int]


def letters_access_keys(letter_ids: Collection[int]) -> dict[int, AccessKeys]:
    """Each letter's keys (a JSON object used as a set: key → 1), in five queries."""
    found: dict[int, set[str]] = defaultdict(set)

    def add(letter_id: int, kind: str, ref: int | None) -> None:
        if ref is not None:
            found[letter_id].add(f"{kind}{ref}")

    ids = list(letter_ids)
    for pk, unit_id, creator_id in Letter.objects.filter(pk__in=ids).values_list("pk", "owner_unit_id",
                                                                                 "created_by_id"):
        found[pk]  # a letter without any connection still gets its (empty) key set
        add(pk, UNIT, unit_id)
        add(pk, PERSON, creator_id)
    for pk, registry_id in RegisterEntry.objects.filter(letter_id__in=ids).values_list("letter_id", "registry_id"):
        add(pk, REGISTRY, registry_id)
    for pk, registry_id in Reception.objects.filter(letter_id__in=ids).values_list("letter_id", "registry_id"):
        add(pk, REGISTRY, registry_id)
    for pk, unit_id, user_id in Holding.objects.filter(letter_id__in=ids).values_list("letter_id", "unit_id",
                                                                                     "user_id"):
        add(pk, UNIT, unit_id)
        add(pk, HOLDER, user_id)
    for pk, *people in Draft.objects.filter(letter_id__in=ids).values_list("letter_id", "drafter_id", "checker_id",
                                                                          "signer_id"):
        for person in people:
            add(pk, PERSON, person)
    return {pk: dict.fromkeys(sorted(keys), 1) for pk, keys in found.items()}


def user_access_keys(user: User) -> list[str] | None:
    """The keys that connect the user to a letter, or None for those who may open every letter
    within their clearance (administrators, auditors), as in ``letters_visible_to``."""
    if user.is_superuser or user.has_role(Role.AUDITOR):
        return None
    keys = [f"{UNIT}{m.unit_id}" for m in user.memberships.all()]
    keys += [f"{REGISTRY}{pk}" for pk in registries_for(user).values_list("pk", flat=True)]
    keys += [f"{PERSON}{user.pk}", f"{HOLDER}{user.pk}"]
    keys += [f"{HOLDER}{pk}" for pk in user.assists.values_list("pk", flat=True)]
    return sorted(set(keys))


def letters_access_refresh(*, letter_ids: Collection[int]) -> int:
    """Write the current keys of these letters to their index rows (letters not indexed yet get
    theirs when they are). Derived data: no audit record, as for the index itself. Returns the
    number of index rows changed."""
    keys = letters_access_keys(letter_ids)
    changed = 0
    with transaction.atomic():
        current = dict(LetterIndex.objects.filter(letter_id__in=list(keys)).values_list("letter_id", "access_keys"))
        for pk, value in keys.items():
            if pk in current and current[pk] != value:
                changed += LetterIndex.objects.filter(letter_id=pk).update(access_keys=value)
    return changed
