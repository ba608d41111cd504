"""Register lines: taking a number and cancelling it (the number stays, marked cancelled)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from govcommon.errors import ConflictError, ValidationError
from saraban.accounts.models import User
from saraban.audit.services import AuditEntry, audit_record, audit_records_append
from saraban.correspondence.models import Book, Letter, RegisterEntry, Registry
from saraban.correspondence.numbering import number_next, numbers_take

SECRET_BOOK = {Book.RECEIVE: Book.SECRET_RECEIVE, Book.SEND: Book.SECRET_SEND}


def book_for(letter: Letter, book: str) -> str:
    """Secret letters go into the separate secret register (DOMAIN.md §2.2)."""
    if letter.is_secret and book in SECRET_BOOK:
        return SECRET_BOOK[Book(book)]
    return book


def register_entry_create(
    *,
    actor: User,
    registry: Registry,
    book: str,
    letter: Letter,
    action_text: str = "",
    remarks: str = "",
) -> RegisterEntry:
    """Take the next number of the registry's book for this calendar year and write the line.

    Must be called inside the caller's transaction (the state change that registers the letter).
    """
    if not registry.active:
        raise ValidationError("หน่วยสารบรรณนี้ปิดใช้งานแล้ว", code="REG-001")
    book = book_for(letter, book)
    now = timezone.now()
    year = timezone.localtime(now).year
    number = number_next(registry=registry, book=book, year=year)
    entry = RegisterEntry.objects.create(
        registry=registry,
        book=book,
        year=year,
        number=number,
        letter=letter,
        registered_at=now,
        registered_by=actor,
        action_text=action_text,
        remarks=remarks,
    )
    audit_record(
        actor=actor,
        action=f"register.{book}",
        obj=letter,
        summary=f"ลง{entry.get_book_display()} เลขที่ {number}/{year + 543}",
        data={"entry_id": entry.pk, "registry_id": registry.pk, "book": book, "year": year, "number": number},
    )
    return entry


def register_entries_create(
    *, actor: User, registry: Registry, book: str, letters: list[Letter], action_text: str = ""
) -> list[RegisterEntry]:
    """Register several letters at once (e.g. letters pulled from the hub): consecutive numbers taken
    in one statement per book, lines and audit records written in bulk, in the caller's transaction."""
    if not registry.active:
        raise ValidationError("หน่วยสารบรรณนี้ปิดใช้งานแล้ว", code="REG-001")
    now = timezone.now()
    year = timezone.localtime(now).year
    by_book: dict[str, list[Letter]] = {}
    for letter in letters:
        by_book.setdefault(book_for(letter, book), []).append(letter)
    entries: list[RegisterEntry] = []
    for resolved, group in by_book.items():
        numbers = numbers_take(registry=registry, book=resolved, year=year, count=len(group))
        entries += [
            RegisterEntry(registry=registry, book=resolved, year=year, number=n, letter=letter, registered_at=now,
                          registered_by=actor, action_text=action_text)
            for n, letter in zip(numbers, group, strict=True)
        ]
    RegisterEntry.objects.bulk_create(entries)
    audit_records_append([
        AuditEntry(
            actor=actor, action=f"register.{e.book}", obj=e.letter,
            summary=f"ลง{e.get_book_display()} เลขที่ {e.number}/{e.year + 543}",
            data={"entry_id": e.pk, "registry_id": registry.pk, "book": e.book, "year": e.year, "number": e.number},
        )
        for e in entries
    ])
    return entries


def register_entry_cancel(*, actor: User, entry: RegisterEntry, reason: str) -> RegisterEntry:
    if not reason.strip():
        raise ValidationError("กรุณาระบุเหตุที่ยกเลิก", code="REG-002")
    with transaction.atomic():
        entry = RegisterEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.cancelled:
            raise ConflictError("รายการนี้ถูกยกเลิกไปแล้ว", code="REG-003")
        entry.cancelled = True
        entry.cancelled_reason = reason.strip()[:500]
        entry.cancelled_at = timezone.now()
        entry.save(update_fields=["cancelled", "cancelled_reason", "cancelled_at"])
        audit_record(
            actor=actor,
            action="register.cancelled",
            obj=entry.letter,
            summary=f"ยกเลิกเลขทะเบียน {entry.number}/{entry.year + 543}: {entry.cancelled_reason}",
            data={"entry_id": entry.pk, "book": entry.book, "number": entry.number, "year": entry.year},
        )
        return entry
