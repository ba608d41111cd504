"""Receiving letters: arrival, registration with a receive number, the stamped copy, the receipt
result back to the sender, and distribution inside the agency.

Every function is one transaction that writes its audit record. The electronic channels (hub,
official e-mail) call ``incoming_letter_create`` and leave the letter waiting for a clerk; paper
letters are created and registered in one step by ``paper_letter_receive``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from govcommon import thaidate
from govcommon.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from saraban.accounts.models import AgencyProfile, OrgUnit, Role, User
from saraban.audit.services import AuditEntry, audit_record, audit_records_append
from saraban.correspondence import storage
from saraban.correspondence.enums import SUBKINDS_OF, LetterKind, Secrecy, Speed
from saraban.correspondence.models import Book, Letter, LetterFile, RegisterEntry, Registry
from saraban.correspondence.selectors import registries_for
from saraban.correspondence.services import register_entries_create, register_entry_create
from saraban.receiving.models import Endorsement, Holding, InboxCheck, ReceiptResult, Reception, StampSetting
from saraban.receiving.scans import PDF_MIME, IncomingFile
from saraban.receiving.stamp import StampText, stamp_pdf
from saraban.records.access import letters_access_refresh

RECEIPT_CHANNELS = {Letter.Source.HUB: ReceiptResult.Channel.HUB, Letter.Source.EMAIL: ReceiptResult.Channel.EMAIL}


@dataclass(frozen=True)
class IncomingMetadata:
    """What a clerk keys in, or what the hub / e-mail parser extracted (DOMAIN.md §1, §2)."""

    subject: str
    reference_no: str = ""
    letter_date: dt.date | None = None
    sender_text: str = ""
    recipient_text: str = ""
    kind: str = LetterKind.EXTERNAL
    subkind: str = ""
    speed: int = Speed.NORMAL
    due_by: dt.datetime | None = None
    secrecy: int = Secrecy.NORMAL
    references: str = ""
    enclosures: str = ""
    copies_to: str = ""

    def checked(self) -> IncomingMetadata:
        if not self.subject.strip():
            raise ValidationError("กรุณาระบุเรื่อง", code="RCV-001")
        if self.kind not in LetterKind.values:
            raise ValidationError("ชนิดหนังสือไม่ถูกต้อง", code="RCV-002")
        if self.subkind and self.subkind not in SUBKINDS_OF[self.kind]:
            raise ValidationError("ประเภทย่อยไม่ตรงกับชนิดหนังสือ", code="RCV-003")
        if self.speed not in Speed.values or self.secrecy not in Secrecy.values:
            raise ValidationError("ชั้นความเร็วหรือชั้นความลับไม่ถูกต้อง", code="RCV-004")
        return self


@dataclass(frozen=True)
class IncomingFiles:
    """The letter itself as one PDF, its attachments, and the raw message as it arrived."""

    document: IncomingFile | None = None
    attachments: Sequence[IncomingFile] = field(default_factory=tuple)
    evidence: bytes | None = None
    evidence_name: str = "evidence.bin"


def _file_add(*, letter: Letter, role: str, name: str, data: bytes, mime_type: str, pages: int | None,
              actor: User | None) -> LetterFile:
    sha, size = storage.store_bytes(data)
    return LetterFile.objects.create(letter=letter, role=role, name=name[:255], mime_type=mime_type, size=size,
                                     sha256=sha, pages=pages, created_by=actor)


def incoming_letter_create(
    *,
    actor: User | None,
    registry: Registry,
    source: str,
    metadata: IncomingMetadata,
    files: IncomingFiles,
    channel_ref: str = "",
    reply_to: str = "",
) -> Letter:
    """A letter arrives (hub, e-mail or paper) and waits at ``registry`` for a clerk to register it."""
    meta = metadata.checked()
    if source not in Letter.Source.values or source == Letter.Source.DRAFTED:
        raise ValidationError("ช่องทางรับหนังสือไม่ถูกต้อง", code="RCV-005")
    with transaction.atomic():
        now = timezone.now()
        letter = Letter.objects.create(
            direction=Letter.Direction.INCOMING, source=source, kind=meta.kind, subkind=meta.subkind,
            reference_no=meta.reference_no.strip(), letter_date=meta.letter_date, subject=meta.subject.strip(),
            sender_text=meta.sender_text.strip(), recipient_text=meta.recipient_text.strip(), speed=meta.speed,
            due_by=meta.due_by, secrecy=meta.secrecy, references=meta.references, enclosures=meta.enclosures,
            copies_to=meta.copies_to, created_by=actor, received_at=now,
        )
        Reception.objects.create(letter=letter, registry=registry, channel_ref=channel_ref[:255],
                                 reply_to=reply_to[:255])
        if files.document is not None:
            doc = files.document
            _file_add(letter=letter, role=LetterFile.Role.ORIGINAL, name=doc.name, data=doc.data,
                      mime_type=doc.mime_type, pages=doc.pages, actor=actor)
        for att in files.attachments:
            _file_add(letter=letter, role=LetterFile.Role.ATTACHMENT, name=att.name, data=att.data,
                      mime_type=att.mime_type, pages=att.pages, actor=actor)
        if files.evidence is not None:
            _file_add(letter=letter, role=LetterFile.Role.EVIDENCE, name=files.evidence_name, data=files.evidence,
                      mime_type="application/octet-stream", pages=None, actor=actor)
        audit_record(
            actor=actor, action="receiving.arrived", obj=letter,
            summary=f"หนังสือเข้า ({letter.get_source_display()}) รอลงรับที่ {registry.name}: {letter.subject}",
            data={"registry_id": registry.pk, "source": source, "channel_ref": channel_ref},
        )
    return letter


def _registry_kept_by(actor: User, registry: Registry) -> None:
    if not registries_for(actor).filter(pk=registry.pk).exists():
        raise PermissionDeniedError("ท่านไม่ได้ดูแลทะเบียนของหน่วยสารบรรณนี้", code="RCV-403")


def incoming_letter_register(*, actor: User, letter: Letter, remarks: str = "", stamp: bool = True) -> RegisterEntry:
    """Give a waiting letter its receive number (the secret register for secret letters), answer the
    sender with the number, then draw the receive stamp on a copy of the letter.

    The stamp is rendered after the number's transaction commits, so the counter is held only for
    the few statements that take the number; a failed stamp can be redone with ``letter_stamp_create``.
    """
    with transaction.atomic():
        reception = Reception.objects.select_for_update().select_related("registry").get(letter=letter)
        if reception.state != Reception.State.WAITING:
            raise ConflictError("หนังสือนี้ลงรับหรือปฏิเสธไปแล้ว", code="RCV-409")
        entry = register_entry_create(actor=actor, registry=reception.registry, book=Book.RECEIVE,
                                      letter=letter, remarks=remarks)
        reception.state = Reception.State.REGISTERED
        reception.entry = entry
        reception.save(update_fields=["state", "entry"])
        if letter.source in RECEIPT_CHANNELS:
            receipt_result_send(actor=actor, letter=letter, outcome=ReceiptResult.Outcome.ACCEPTED, entry=entry)
    if stamp:
        letter_stamp_create(actor=actor, letter=letter)
    return entry


def incoming_letters_register(*, actor: User, registry: Registry, letters: Sequence[Letter]) -> list[RegisterEntry]:
    """Register many waiting letters of one registry in one transaction (letters pulled from the hub
    or the official mailbox, registered automatically or by a clerk's "register all"): numbers,
    register lines, receipt results and audit records are written in bulk. Stamps are drawn after."""
    with transaction.atomic():
        ids = [letter.pk for letter in letters]
        receptions = {
            r.letter_id: r
            for r in Reception.objects.select_for_update().filter(letter_id__in=ids, registry=registry)
        }
        if len(receptions) != len(ids) or any(r.state != Reception.State.WAITING for r in receptions.values()):
            raise ConflictError("มีหนังสือที่ลงรับหรือปฏิเสธไปแล้ว หรือไม่ได้รออยู่ที่หน่วยสารบรรณนี้", code="RCV-409")
        entries = register_entries_create(actor=actor, registry=registry, book=Book.RECEIVE, letters=list(letters))
        results: list[ReceiptResult] = []
        for entry in entries:
            reception = receptions[entry.letter_id]
            reception.state = Reception.State.REGISTERED
            reception.entry = entry
            channel = RECEIPT_CHANNELS.get(Letter.Source(entry.letter.source))
            if channel is not None:
                results.append(ReceiptResult(
                    letter=entry.letter, channel=channel, outcome=ReceiptResult.Outcome.ACCEPTED,
                    address=reception.reply_to, channel_ref=reception.channel_ref, receive_number=entry.number,
                    receive_year=entry.year, registered_at=entry.registered_at,
                ))
        Reception.objects.bulk_update(list(receptions.values()), ["state", "entry"])
        ReceiptResult.objects.bulk_create(results)
        audit_records_append([
            AuditEntry(actor=actor, action="receiving.receipt_queued", obj=r.letter,
                       summary=f"แจ้งผลการรับกลับผู้ส่ง ({r.get_channel_display()}): {r.get_outcome_display()}",
                       data={"receipt_id": r.pk, "outcome": r.outcome, "number": r.receive_number})
            for r in results
        ])
    return entries


def paper_letter_receive(
    *, actor: User, registry: Registry, metadata: IncomingMetadata, files: IncomingFiles, stamp: bool = True
) -> RegisterEntry:
    """A clerk registers a paper letter scanned to PDF or images: arrival and number in one step."""
    _registry_kept_by(actor, registry)
    if files.document is None or files.document.mime_type != PDF_MIME:
        raise ValidationError("กรุณาแนบไฟล์หนังสือ", code="RCV-006")
    with transaction.atomic():
        letter = incoming_letter_create(actor=actor, registry=registry, source=Letter.Source.PAPER,
                                        metadata=metadata, files=files)
        entry = incoming_letter_register(actor=actor, letter=letter, stamp=False)
    if stamp:
        letter_stamp_create(actor=actor, letter=letter)
    return entry


def incoming_letter_reject(*, actor: User, letter: Letter, reason: str) -> Reception:
    """Refuse a waiting letter (wrong addressee, defective); the sender is told why."""
    if not reason.strip():
        raise ValidationError("กรุณาระบุเหตุที่ปฏิเสธ", code="RCV-007")
    with transaction.atomic():
        reception = Reception.objects.select_for_update().get(letter=letter)
        if reception.state != Reception.State.WAITING:
            raise ConflictError("หนังสือนี้ลงรับหรือปฏิเสธไปแล้ว", code="RCV-409")
        reception.state = Reception.State.REJECTED
        reception.reject_reason = reason.strip()[:500]
        reception.save(update_fields=["state", "reject_reason"])
        audit_record(actor=actor, action="receiving.rejected", obj=letter,
                     summary=f"ปฏิเสธการรับ: {reception.reject_reason}", data={"reason": reception.reject_reason})
        if letter.source in RECEIPT_CHANNELS:
            receipt_result_send(actor=actor, letter=letter, outcome=ReceiptResult.Outcome.REJECTED,
                                reason=reception.reject_reason)
    return reception


def receipt_result_send(
    *, actor: User | None, letter: Letter, outcome: str, entry: RegisterEntry | None = None, reason: str = ""
) -> ReceiptResult:
    """Queue the receipt result (accepted with the receive number, or rejected with a reason) in the
    outbox of the channel the letter came by; the hub and e-mail workers deliver and mark it."""
    channel = RECEIPT_CHANNELS.get(Letter.Source(letter.source))
    if channel is None:
        raise ValidationError("หนังสือกระดาษไม่มีช่องทางแจ้งผลการรับกลับ", code="RCV-008")
    if outcome == ReceiptResult.Outcome.ACCEPTED and entry is None:
        raise ValidationError("การตอบรับต้องมีเลขรับ", code="RCV-009")
    with transaction.atomic():
        reception = Reception.objects.filter(letter=letter).first()
        result = ReceiptResult.objects.create(
            letter=letter, channel=channel, outcome=outcome,
            address=reception.reply_to if reception else "", channel_ref=reception.channel_ref if reception else "",
            receive_number=entry.number if entry else None, receive_year=entry.year if entry else None,
            registered_at=entry.registered_at if entry else None, reason=reason[:500],
        )
        audit_record(actor=actor, action="receiving.receipt_queued", obj=letter,
                     summary=f"แจ้งผลการรับกลับผู้ส่ง ({result.get_channel_display()}): {result.get_outcome_display()}",
                     data={"receipt_id": result.pk, "outcome": outcome, "number": result.receive_number})
    return result


def receipt_result_record_outcome(*, receipt_id: int, sent: bool, attempts: int, error: str = "",
                                  final: bool = False) -> None:
    """A channel worker reports how delivering a receipt result went: sent, failed for good
    (``final``), or failed and waiting for another attempt. Called inside the worker's transaction,
    which writes the audit record of the attempt."""
    if sent:
        ReceiptResult.objects.filter(pk=receipt_id).update(
            state=ReceiptResult.State.SENT, sent_at=timezone.now(), attempts=attempts, last_error="")
    else:
        ReceiptResult.objects.filter(pk=receipt_id).update(
            state=ReceiptResult.State.FAILED if final else ReceiptResult.State.PENDING,
            attempts=attempts, last_error=error[:500])


def _stamp_position(reception: Reception) -> tuple[int, int]:
    setting = StampSetting.objects.filter(registry_id=reception.registry_id).first()
    right = reception.stamp_right_mm if reception.stamp_right_mm is not None else (setting.right_mm if setting else 10)
    top = reception.stamp_top_mm if reception.stamp_top_mm is not None else (setting.top_mm if setting else 10)
    return right, top


def letter_stamp_create(
    *, actor: User | None, letter: Letter, right_mm: int | None = None, top_mm: int | None = None
) -> LetterFile | None:
    """Draw the receive stamp on a copy of the letter's PDF; ``right_mm``/``top_mm`` move it for this
    letter. Returns None when the letter has no PDF (a hub letter with only metadata)."""
    reception = Reception.objects.select_related("registry", "entry").get(letter=letter)
    entry = reception.entry
    if entry is None:
        raise ConflictError("หนังสือยังไม่ได้ลงรับ จึงประทับตรารับไม่ได้", code="RCV-010")
    original = letter.files.filter(role=LetterFile.Role.ORIGINAL, mime_type=PDF_MIME).first()
    if original is None:
        return None
    if right_mm is not None or top_mm is not None:
        reception.stamp_right_mm = right_mm if right_mm is not None else reception.stamp_right_mm
        reception.stamp_top_mm = top_mm if top_mm is not None else reception.stamp_top_mm
    right, top = _stamp_position(reception)
    profile = AgencyProfile.objects.select_related("root_unit").filter(pk=1).first()
    agency = profile.root_unit.name if profile else reception.registry.unit.name
    text = StampText(agency=agency, number=entry.number, year=entry.year,
                     received_at=timezone.localtime(entry.registered_at),
                     thai_digits=bool(profile and profile.use_thai_digits))
    stamped = stamp_pdf(storage.letter_file_bytes(original), text, right_mm=right, top_mm=top)
    with transaction.atomic():
        reception.save(update_fields=["stamp_right_mm", "stamp_top_mm"])
        file = _file_add(letter=letter, role=LetterFile.Role.STAMPED, name=f"stamped-{original.name}",
                         data=stamped, mime_type=PDF_MIME, pages=original.pages, actor=actor)
        audit_record(actor=actor, action="receiving.stamped", obj=letter,
                     summary=f"ประทับตรารับ เลขรับ {entry.number}/{entry.year + thaidate.BE_OFFSET}",
                     data={"file_id": file.pk, "sha256": file.sha256, "original_sha256": original.sha256,
                           "right_mm": right, "top_mm": top})
    return file


# --- distribution inside the agency -------------------------------------------------------------


def holding_is_held_by(holding: Holding, user: User) -> bool:
    """The holder itself, an executive's secretary (shared basket), or a member of the holding unit."""
    if holding.user_id is not None:
        return holding.user_id == user.pk or user.assists.filter(pk=holding.user_id).exists()
    return user.memberships.filter(unit_id=holding.unit_id).exists()


def _can_distribute_from_registry(actor: User, letter: Letter) -> bool:
    registry_ids = registries_for(actor).values_list("pk", flat=True)
    return RegisterEntry.objects.filter(letter=letter, registry_id__in=registry_ids, cancelled=False).exists()


def _open_holding(holding: Holding, actor: User) -> Holding:
    locked = Holding.objects.select_for_update().get(pk=holding.pk)
    if not holding_is_held_by(locked, actor):
        raise NotFoundError("ไม่พบหนังสือในกล่องของท่าน", code="RCV-404")
    if not locked.is_open:
        raise ConflictError("เรื่องนี้ส่งต่อหรือปิดไปแล้ว", code="RCV-411")
    return locked


def letter_forward(
    *,
    actor: User,
    letter: Letter,
    from_holding: Holding | None = None,
    units: Sequence[OrgUnit] = (),
    users: Sequence[User] = (),
    instruction: str = "",
) -> list[Holding]:
    """Send the letter on to units and persons. From the registry (no ``from_holding``) the clerk of a
    registry that registered it sends it; otherwise the holder passes it on and its holding ends."""
    if not units and not users:
        raise ValidationError("กรุณาเลือกหน่วยงานหรือผู้รับอย่างน้อยหนึ่งราย", code="RCV-012")
    for person in users:
        if person.clearance < letter.secrecy or not person.can_open:
            raise ValidationError(f"{person.display_name} ไม่มีสิทธิ์เปิดหนังสือชั้นความลับนี้", code="RCV-013")
    with transaction.atomic():
        now = timezone.now()
        parent: Holding | None = None
        if from_holding is not None:
            parent = _open_holding(from_holding, actor)
            if parent.letter_id != letter.pk:
                raise ValidationError("รายการไม่ตรงกับหนังสือ", code="RCV-014")
            parent.state, parent.state_at = Holding.State.FORWARDED, now
            parent.save(update_fields=["state", "state_at"])
        elif not _can_distribute_from_registry(actor, letter):
            raise PermissionDeniedError("ท่านไม่ได้เป็นผู้ถือหนังสือนี้", code="RCV-403")
        made = [
            Holding(letter=letter, unit=unit, parent=parent, sent_by=actor, sent_at=now, state_at=now,
                    instruction=instruction.strip())
            for unit in units
        ] + [
            Holding(letter=letter, user=person, parent=parent, sent_by=actor, sent_at=now, state_at=now,
                    instruction=instruction.strip())
            for person in users
        ]
        Holding.objects.bulk_create(made)
        letters_access_refresh(letter_ids=[letter.pk])  # the new holders find it in search
        names = [u.short_name or u.name for u in units] + [p.display_name for p in users]
        when = thaidate.format_date(timezone.localtime(now), style="short")
        if parent is None:
            # The register's การปฏิบัติ column says where the letter went and when (DOMAIN.md §3.1.4).
            for entry in RegisterEntry.objects.select_for_update().filter(letter=letter, cancelled=False,
                                                                         book__in=(Book.RECEIVE, Book.SECRET_RECEIVE)):
                if registries_for(actor).filter(pk=entry.registry_id).exists():
                    action = f"ส่ง {', '.join(names)} {when}"
                    entry.action_text = (f"{entry.action_text}; {action}" if entry.action_text else action)[:500]
                    entry.save(update_fields=["action_text"])
        if instruction.strip() and (actor.has_role(Role.EXECUTIVE) or actor.assists.exists()):
            Endorsement.objects.create(letter=letter, holding=parent, author=actor, kind=Endorsement.Kind.ORDER,
                                       text=instruction.strip(), created_at=now)
        audit_record(
            actor=actor, action="receiving.forwarded", obj=letter,
            summary=f"ส่งต่อถึง {', '.join(names)}" + (f": {instruction.strip()}" if instruction.strip() else ""),
            data={"to": names, "holding_ids": [h.pk for h in made], "from_holding": parent.pk if parent else None,
                  "instruction": instruction.strip()},
        )
    return made


def letter_endorse(*, actor: User, letter: Letter, holding: Holding, text: str,
                   kind: str = Endorsement.Kind.ORDER) -> Endorsement:
    """An executive (or the secretary recording it for them) writes an order or comment (เกษียน)."""
    if not text.strip():
        raise ValidationError("กรุณาเขียนข้อความสั่งการหรือความเห็น", code="RCV-015")
    if kind not in Endorsement.Kind.values:
        raise ValidationError("ประเภทการเกษียนไม่ถูกต้อง", code="RCV-016")
    with transaction.atomic():
        locked = _open_holding(holding, actor)
        now = timezone.now()
        note = Endorsement.objects.create(letter=letter, holding=locked, author=actor, kind=kind, text=text.strip(),
                                          created_at=now)
        if locked.state == Holding.State.NEW:
            locked.state, locked.state_at = Holding.State.ACKNOWLEDGED, now
            locked.save(update_fields=["state", "state_at"])
        audit_record(actor=actor, action="receiving.endorsed", obj=letter,
                     summary=f"{note.get_kind_display()}: {note.text}",
                     data={"endorsement_id": note.pk, "holding_id": locked.pk, "kind": kind})
    return note


_NEXT_STATES: dict[str, tuple[str, ...]] = {
    Holding.State.ACKNOWLEDGED: (Holding.State.NEW,),
    Holding.State.ACTING: (Holding.State.NEW, Holding.State.ACKNOWLEDGED),
    Holding.State.CLOSED: (Holding.State.NEW, Holding.State.ACKNOWLEDGED, Holding.State.ACTING),
}
_STATE_ACTIONS: dict[str, tuple[str, str]] = {
    Holding.State.ACKNOWLEDGED: ("receiving.acknowledged", "รับทราบ"),
    Holding.State.ACTING: ("receiving.acting", "ดำเนินการ"),
    Holding.State.CLOSED: ("receiving.closed", "ปิดเรื่อง"),
}


def holding_state_set(*, actor: User, holding: Holding, state: str, note: str = "") -> Holding:
    """The holder acknowledges, starts acting on, or closes the letter."""
    if state not in _NEXT_STATES:
        raise ValidationError("สถานะไม่ถูกต้อง", code="RCV-017")
    with transaction.atomic():
        locked = _open_holding(holding, actor)
        if locked.state not in _NEXT_STATES[state]:
            raise ConflictError("สถานะปัจจุบันไม่อนุญาตให้ดำเนินการนี้", code="RCV-410")
        locked.state, locked.state_at = state, timezone.now()
        locked.save(update_fields=["state", "state_at"])
        action, label = _STATE_ACTIONS[state]
        audit_record(actor=actor, action=action, obj=locked.letter,
                     summary=f"{label} ({locked.holder_name})" + (f": {note.strip()}" if note.strip() else ""),
                     data={"holding_id": locked.pk, "note": note.strip()})
    return locked


def letter_unit_register(*, actor: User, holding: Holding, registry: Registry) -> RegisterEntry:
    """A unit registers the letter it was sent in its own receive register, with its own number."""
    _registry_kept_by(actor, registry)
    with transaction.atomic():
        locked = _open_holding(holding, actor)
        if locked.unit_id is None or locked.unit_id != registry.unit_id:
            raise ValidationError("ลงรับได้เฉพาะหนังสือที่ส่งถึงหน่วยงานของทะเบียนนี้", code="RCV-018")
        if locked.entry_id is not None:
            raise ConflictError("หน่วยงานลงรับหนังสือนี้แล้ว", code="RCV-019")
        entry = register_entry_create(actor=actor, registry=registry, book=Book.RECEIVE, letter=locked.letter)
        locked.entry = entry
        if locked.state == Holding.State.NEW:
            locked.state, locked.state_at = Holding.State.ACKNOWLEDGED, entry.registered_at
        locked.save(update_fields=["entry", "state", "state_at"])
        letters_access_refresh(letter_ids=[locked.letter_id])
    return entry


def inbox_check_record(*, actor: User, registry: Registry) -> InboxCheck:
    """Record that the registry's inbox was checked now (morning and afternoon checks)."""
    _registry_kept_by(actor, registry)
    with transaction.atomic():
        check = InboxCheck.objects.create(registry=registry, user=actor, checked_at=timezone.now())
        audit_record(actor=actor, action="receiving.inbox_checked", obj=registry,
                     summary=f"ตรวจกล่องหนังสือ {registry.name}", data={"check_id": check.pk})
    return check
