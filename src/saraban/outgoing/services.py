"""Every state change of drafting and sending: each one transaction with its audit record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from govcommon.errors import ConflictError, PermissionDeniedError, ValidationError
from saraban.accounts.models import OrgUnit, Role, User
from saraban.audit.services import audit_record
from saraban.correspondence.enums import SUBKINDS_OF, LetterKind, Secrecy
from saraban.correspondence.models import Book, Letter, LetterFile, RegisterEntry, Registry
from saraban.correspondence.services import register_entry_create
from saraban.correspondence.storage import store_bytes
from saraban.outgoing import rendering, signing
from saraban.outgoing.models import Delivery, Draft, DraftRecipient, DraftStep
from saraban.records.access import letters_access_refresh
from saraban.records.services import letter_index

# Kinds whose layout has a recipient line (ถึง / คำขึ้นต้น …).
NEEDS_RECIPIENT = (LetterKind.EXTERNAL, LetterKind.INTERNAL, LetterKind.STAMPED)


class DraftFrozenError(ConflictError):
    code = "OUT-409"
    default_message = "หนังสือลงนามแล้ว แก้ไขไม่ได้ หากต้องการเปลี่ยนให้จัดทำเป็นหนังสือฉบับใหม่"


class WrongPasswordError(PermissionDeniedError):
    code = "OUT-401"
    default_message = "รหัสผ่านไม่ถูกต้อง ไม่ได้ลงนาม"


class TopSecretElectronicError(ValidationError):
    code = "OUT-403"
    default_message = ("หนังสือลับที่สุดส่งทางระบบอิเล็กทรอนิกส์ไม่ได้ ต้องส่งเป็นกระดาษโดยเจ้าหน้าที่นำส่ง "
                       "ใส่ซองทึบแสงสองชั้นตามระเบียบว่าด้วยการรักษาความลับของทางราชการ")


class SecretByEmailError(ValidationError):
    code = "OUT-404"
    default_message = ("หนังสือลับและลับมากส่งทางไปรษณีย์อิเล็กทรอนิกส์ไม่ได้ เพราะไม่มีการเข้ารหัส "
                       "ให้ส่งผ่านระบบแลกเปลี่ยน e-CMS (เข้ารหัสถึงผู้รับ) หรือเป็นกระดาษ")


def secrecy_channels_check(secrecy: int, recipients: Sequence[RecipientInput]) -> None:
    """ลับที่สุด never goes electronically; ลับ/ลับมาก go only through the hub, encrypted for the
    recipient, never by e-mail (ภาคผนวก 6 ข้อ 4.2.3, ข้อ 29)."""
    if secrecy >= Secrecy.TOP_SECRET and any(r.channel in Delivery.ELECTRONIC for r in recipients):
        raise TopSecretElectronicError()
    if secrecy >= Secrecy.CONFIDENTIAL and any(r.channel == Delivery.Channel.EMAIL for r in recipients):
        raise SecretByEmailError()


@dataclass(frozen=True)
class RecipientInput:
    name: str
    channel: str
    address: str = ""


@dataclass(frozen=True)
class DraftInput:
    """What the drafter types, parsed from the form at the edge."""

    kind: str
    subject: str
    body: str
    subkind: str = ""
    recipient_text: str = ""
    salutation: str = ""
    closing: str = ""
    speed: int = 0
    secrecy: int = 0
    references: str = ""
    enclosures: str = ""
    copies_to: str = ""
    series: str = Draft.Series.SEND
    extra: dict[str, str] = field(default_factory=dict)
    due_by: dt.datetime | None = None
    # None leaves the draft's recipient list as it is; a tuple replaces it.
    recipients: tuple[RecipientInput, ...] | None = None


def _validate(data: DraftInput) -> None:
    errors: dict[str, str] = {}
    if data.kind not in LetterKind.values:
        errors["kind"] = "ชนิดหนังสือไม่ถูกต้อง"
    elif SUBKINDS_OF[data.kind] and data.subkind not in SUBKINDS_OF[data.kind]:
        errors["subkind"] = "กรุณาเลือกประเภทของหนังสือ"
    if not data.subject.strip():
        errors["subject"] = "กรุณาระบุเรื่อง"
    if data.kind in NEEDS_RECIPIENT and not data.recipient_text.strip():
        errors["recipient_text"] = "กรุณาระบุผู้รับ (เรียน/ถึง)"
    if data.series not in Draft.Series.values:
        errors["series"] = "ชุดเลขไม่ถูกต้อง"
    if data.recipients is not None:
        try:
            _recipients_check(list(data.recipients), secrecy=data.secrecy)
        except TopSecretElectronicError:
            raise  # its own code and message: the drafter must change the channel, not fill a field
        except ValidationError as exc:
            errors["recipients"] = exc.message
    if errors:
        raise ValidationError("ข้อมูลร่างหนังสือไม่ครบถ้วน: " + " ".join(errors.values()), code="OUT-400",
                              fields=errors)


def _recipients_check(recipients: list[RecipientInput], *, secrecy: int) -> None:
    """Every recipient has a name and a known channel, electronic ones an address; a top-secret
    letter never goes electronically."""
    for r in recipients:
        if not r.name.strip():
            raise ValidationError("กรุณาระบุชื่อผู้รับ", code="OUT-424")
        if r.channel not in Delivery.Channel.values:
            raise ValidationError(f"ช่องทางส่งไม่ถูกต้อง: {r.name}", code="OUT-421")
        if r.channel in Delivery.ELECTRONIC and not r.address.strip():
            raise ValidationError(f"กรุณาระบุรหัสหน่วยงานหรือที่อยู่ไปรษณีย์อิเล็กทรอนิกส์ของ {r.name}",
                                  code="OUT-422")
    secrecy_channels_check(secrecy, recipients)


def _recipients_set(draft: Draft, recipients: tuple[RecipientInput, ...] | None) -> None:
    if recipients is None:
        return
    draft.recipients.all().delete()
    DraftRecipient.objects.bulk_create([
        DraftRecipient(draft=draft, order=i, name=r.name.strip()[:300], channel=r.channel,
                       address=r.address.strip()[:300])
        for i, r in enumerate(recipients)
    ])


def _apply(letter: Letter, draft: Draft, data: DraftInput) -> None:
    letter.kind, letter.subkind = data.kind, data.subkind
    letter.due_by = data.due_by
    letter.subject, letter.body = data.subject.strip(), data.body
    letter.recipient_text = data.recipient_text.strip()
    letter.speed, letter.secrecy = data.speed, data.secrecy
    letter.references, letter.enclosures, letter.copies_to = data.references, data.enclosures, data.copies_to
    draft.salutation, draft.closing = data.salutation, data.closing
    draft.series, draft.extra = data.series, dict(data.extra)


def _store(*, letter: Letter, role: str, name: str, data: bytes, actor: User) -> LetterFile:
    sha, size = store_bytes(data)
    return LetterFile.objects.create(letter=letter, role=role, name=name, mime_type="application/pdf",
                                     size=size, sha256=sha, created_by=actor)


def _signature(draft: Draft) -> rendering.Signature | None:
    if draft.signer is None:
        return None
    return rendering.Signature(name=f"{draft.signer.title}{draft.signer.get_full_name()}",
                               position=draft.signer.position)


def draft_pdf(draft: Draft, *, file_copy: bool = False) -> bytes:
    names = None
    if file_copy:
        def who(u: User | None) -> str:
            return u.get_full_name() if u else "-"
        names = {"drafter": who(draft.drafter), "typist": who(draft.typist or draft.drafter),
                 "checker": who(draft.checker)}
    return rendering.letter_pdf(letter=draft.letter, extra=draft.extra, salutation=draft.salutation,
                                closing=draft.closing, signature=_signature(draft), file_copy=names)


def _locked(draft: Draft) -> Draft:
    return Draft.objects.select_for_update(of=("self", "letter")).select_related("letter", "signer", "drafter").get(
        pk=draft.pk
    )


def _step(draft: Draft, actor: User, action: str, summary: str, comment: str = "") -> None:
    DraftStep.objects.create(draft=draft, actor=actor, action=action, comment=comment)
    audit_record(actor=actor, action=f"outgoing.{action}", obj=draft.letter, summary=summary,
                 data={"draft_id": draft.pk, "state": draft.state, "comment": comment[:200]})


def draft_create(*, actor: User, owner_unit: OrgUnit, data: DraftInput, typist: User | None = None) -> Draft:
    if not actor.can_send:
        raise PermissionDeniedError("ท่านไม่มีสิทธิ์จัดทำหนังสือส่ง")
    _validate(data)
    with transaction.atomic():
        letter = Letter(direction=Letter.Direction.OUTGOING, source=Letter.Source.DRAFTED,
                        owner_unit=owner_unit, created_by=actor, sender_text=owner_unit.name)
        draft = Draft(drafter=actor, typist=typist)
        _apply(letter, draft, data)
        letter.save()
        draft.letter = letter
        draft.save()
        _recipients_set(draft, data.recipients)
        _step(draft, actor, "created", f"ร่างหนังสือ: {letter.subject}")
        transaction.on_commit(lambda: letter_index(letter=letter))
        return draft


def draft_scan_create(*, actor: User, owner_unit: OrgUnit, data: DraftInput, pdf: bytes) -> Draft:
    """A paper letter attached as a scan instead of being drafted; it then goes the same way."""
    if not pdf.startswith(b"%PDF"):
        raise ValidationError("ไฟล์ต้องเป็น PDF", code="OUT-415")
    with transaction.atomic():
        draft = draft_create(actor=actor, owner_unit=owner_unit, data=data)
        draft.scanned = True
        draft.save(update_fields=["scanned"])
        _store(letter=draft.letter, role=LetterFile.Role.ORIGINAL, name="scan.pdf", data=pdf, actor=actor)
        return draft


def draft_update(*, actor: User, draft: Draft, data: DraftInput) -> Draft:
    _validate(data)
    with transaction.atomic():
        draft = _locked(draft)
        if draft.frozen:
            raise DraftFrozenError()
        if draft.state not in (Draft.State.DRAFT, Draft.State.RETURNED, Draft.State.CHECKING):
            raise ConflictError("แก้ไขได้เฉพาะร่างหรือหนังสือที่ส่งกลับแก้ไข", code="OUT-410")
        _apply(draft.letter, draft, data)
        draft.letter.save()
        draft.save()
        _recipients_set(draft, data.recipients)
        _step(draft, actor, "updated", "แก้ไขร่างหนังสือ")
        return draft


def draft_submit(*, actor: User, draft: Draft) -> Draft:
    with transaction.atomic():
        draft = _locked(draft)
        if draft.state not in (Draft.State.DRAFT, Draft.State.RETURNED):
            raise ConflictError("เสนอได้เฉพาะร่างหรือหนังสือที่แก้ไขแล้ว", code="OUT-411")
        draft.state = Draft.State.CHECKING
        draft.save(update_fields=["state", "updated_at"])
        _step(draft, actor, "submitted", "เสนอร่างหนังสือให้ตรวจ")
        return draft


def draft_return(*, actor: User, draft: Draft, comment: str) -> Draft:
    if not comment.strip():
        raise ValidationError("กรุณาระบุสิ่งที่ต้องแก้ไข", code="OUT-412")
    with transaction.atomic():
        draft = _locked(draft)
        if draft.state not in (Draft.State.CHECKING, Draft.State.SIGNING):
            raise ConflictError("ส่งกลับได้เฉพาะหนังสือที่รอตรวจหรือรอลงนาม", code="OUT-413")
        draft.state = Draft.State.RETURNED
        draft.save(update_fields=["state", "updated_at"])
        _step(draft, actor, "returned", f"ส่งกลับแก้ไข: {comment.strip()}", comment.strip())
        return draft


def draft_check(*, actor: User, draft: Draft, signer: User) -> Draft:
    """The checker passes the draft on to the signer (and is named on the file copy)."""
    with transaction.atomic():
        draft = _locked(draft)
        if draft.state != Draft.State.CHECKING:
            raise ConflictError("ตรวจได้เฉพาะหนังสือที่รอตรวจ", code="OUT-414")
        draft.state, draft.checker, draft.signer = Draft.State.SIGNING, actor, signer
        draft.save(update_fields=["state", "checker", "signer", "updated_at"])
        letters_access_refresh(letter_ids=[draft.letter_id])  # checker and signer now find it
        _step(draft, actor, "checked", f"ตรวจแล้ว เสนอ {signer.get_full_name()} ลงนาม")
        return draft


def draft_sign(*, actor: User, draft: Draft, password: str) -> Draft:
    """Typed-name signature confirmed by the signer's password; PAdES when the agency has a certificate."""
    if not actor.check_password(password):
        raise WrongPasswordError()
    with transaction.atomic():
        draft = _locked(draft)
        if draft.frozen:
            raise DraftFrozenError()
        if draft.state != Draft.State.SIGNING:
            raise ConflictError("ลงนามได้เฉพาะหนังสือที่รอลงนาม", code="OUT-415")
        if draft.signer_id not in (None, actor.pk) or not (actor.is_superuser or actor.has_role(Role.EXECUTIVE)):
            raise PermissionDeniedError("ท่านไม่ใช่ผู้ลงนามหนังสือฉบับนี้", code="OUT-416")
        draft.signer, draft.signed_at, draft.state = actor, timezone.now(), Draft.State.SIGNED
        draft.save(update_fields=["signer", "signed_at", "state", "updated_at"])
        letters_access_refresh(letter_ids=[draft.letter_id])
        if not draft.scanned:
            pdf = draft_pdf(draft)
            _store(letter=draft.letter, role=LetterFile.Role.RENDERED, name="letter.pdf", data=pdf, actor=actor)
            signed = signing.pdf_sign(pdf, reason="ลงนามหนังสือราชการ", name=actor.get_full_name())
            if signed is not None:
                _store(letter=draft.letter, role=LetterFile.Role.SIGNED, name="letter-signed.pdf", data=signed,
                       actor=actor)
        _step(draft, actor, "signed", "ลงนามหนังสือ")
        return draft


SERIES_BOOK = {Draft.Series.SEND: Book.SEND, Draft.Series.CIRCULAR: Book.CIRCULAR, Draft.Series.ORDER: Book.ORDER}


def reference_for(*, letter: Letter, entry: RegisterEntry) -> str:
    """ที่ of the letter: ดศ 0101/123, circulars ดศ 0101/ว 45, orders 12/2569 (DOMAIN.md §4.3)."""
    prefix = letter.owner_unit.reference_prefix if letter.owner_unit else ""
    if entry.book == Book.ORDER:
        return f"{entry.number}/{entry.year + 543}"
    if entry.book == Book.CIRCULAR:
        return f"{prefix}/ว {entry.number}"
    return f"{prefix}/{entry.number}"


def _action_text(recipients: list[RecipientInput], when: str) -> str:
    parts = [f"{r.name} ({Delivery.Channel(r.channel).label})" for r in recipients]
    return f"ส่ง {when}: " + ", ".join(parts)


def letter_dispatch(*, actor: User, draft: Draft, registry: Registry, recipients: list[RecipientInput]) -> Draft:
    """Number, register, issue the file copy and queue one delivery per recipient, all or nothing."""
    if not actor.can_send:
        raise PermissionDeniedError("ท่านไม่มีสิทธิ์ส่งหนังสือ")
    recipients = [r for r in recipients if r.name.strip()]
    if not recipients:
        raise ValidationError("กรุณาระบุผู้รับอย่างน้อยหนึ่งราย", code="OUT-420")
    _recipients_check(recipients, secrecy=Secrecy.NORMAL)  # secrecy is checked on the locked letter
    with transaction.atomic():
        draft = _locked(draft)
        letter = draft.letter
        if draft.state != Draft.State.SIGNED:
            raise ConflictError("ส่งได้เฉพาะหนังสือที่ลงนามแล้วและยังไม่ได้ส่ง", code="OUT-423")
        secrecy_channels_check(letter.secrecy, recipients)
        now = timezone.localtime()
        when = f"{now:%d/%m}/{now.year + 543} {now:%H.%M} น."
        entry = register_entry_create(actor=actor, registry=registry, book=SERIES_BOOK[Draft.Series(draft.series)],
                                      letter=letter, action_text=_action_text(recipients, when)[:500])
        letter.reference_no = reference_for(letter=letter, entry=entry)
        letter.letter_date = now.date()
        letter.recipient_text = letter.recipient_text or ", ".join(r.name for r in recipients)[:500]
        letter.save(update_fields=["reference_no", "letter_date", "recipient_text"])
        if not draft.scanned:
            issued = draft_pdf(draft)
            signed = signing.pdf_sign(issued, reason="หนังสือราชการที่ส่ง", name=actor.get_full_name())
            _store(letter=letter, role=LetterFile.Role.SIGNED if signed else LetterFile.Role.RENDERED,
                   name=f"{letter.reference_no.replace('/', '-')}.pdf", data=signed or issued, actor=actor)
            _store(letter=letter, role=LetterFile.Role.FILE_COPY, name="file-copy.pdf",
                   data=draft_pdf(draft, file_copy=True), actor=actor)
        book_no = 0
        for r in recipients:
            delivery = Delivery(letter=letter, recipient_name=r.name.strip()[:300], channel=r.channel,
                                address=r.address.strip()[:300])
            if r.channel in Delivery.ELECTRONIC:
                cover = rendering.cover_pdf(letter=letter, recipient=r.name, sender=actor)
                _store(letter=letter, role=LetterFile.Role.COVER, name=f"cover-{r.name[:40]}.pdf", data=cover,
                       actor=actor)
            else:
                book_no += 1
                delivery.delivery_book_no = book_no
                delivery.state = Delivery.State.SENT
            delivery.save()
        draft.state = Draft.State.DISPATCHED
        draft.save(update_fields=["state", "updated_at"])
        _step(draft, actor, "dispatched", f"ส่งหนังสือ ที่ {letter.reference_no} ถึง {len(recipients)} ราย")
        transaction.on_commit(lambda: letter_index(letter=letter))
        return draft


def delivery_record_outcome(*, delivery_id: int, state: str, receive_number: str = "", reason: str = "",
                            actor: User | None = None) -> Delivery:
    """What a channel learnt (the hub worker calls this): sent, failed, delivered, accepted with the
    recipient's receive number, or rejected with a reason."""
    if state not in Delivery.State.values or state == Delivery.State.QUEUED:
        raise ValidationError("สถานะการส่งไม่ถูกต้อง", code="OUT-430")
    if state == Delivery.State.REJECTED and not reason.strip():
        raise ValidationError("การปฏิเสธต้องมีเหตุผล", code="OUT-431")
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("letter").get(pk=delivery_id)
        delivery.state = state
        if receive_number:
            delivery.receive_number = receive_number.strip()[:100]
        if reason:
            delivery.reason = reason.strip()[:500]
        if state in Delivery.PROBLEM_STATES:
            delivery.handled_at, delivery.handled_by = None, None
        delivery.save()
        audit_record(actor=actor, action=f"outgoing.delivery.{state}", obj=delivery.letter,
                     summary=f"{delivery.recipient_name}: {delivery.get_state_display()} {receive_number} {reason}",
                     data={"delivery_id": delivery.pk, "receive_number": receive_number, "reason": reason})
        return delivery


def delivery_resolve(*, actor: User, delivery: Delivery, note: str) -> Delivery:
    """Someone dealt with a failed or rejected delivery: it leaves the problem inbox."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().select_related("letter").get(pk=delivery.pk)
        if delivery.state not in Delivery.PROBLEM_STATES or delivery.handled_at is not None:
            raise ConflictError("รายการนี้ไม่มีปัญหาที่ต้องจัดการ", code="OUT-432")
        delivery.handled_at, delivery.handled_by = timezone.now(), actor
        delivery.save(update_fields=["handled_at", "handled_by", "updated_at"])
        audit_record(actor=actor, action="outgoing.delivery.resolved", obj=delivery.letter,
                     summary=f"จัดการปัญหาการส่งถึง {delivery.recipient_name}: {note}",
                     data={"delivery_id": delivery.pk, "note": note[:200]})
        return delivery


def extra_fields(post: Any) -> dict[str, str]:
    keys = ("authority", "issue_no", "meeting_no", "venue", "attendees", "absentees", "observers",
            "start_time", "end_time")
    return {k: str(post.get(k, "")).strip() for k in keys if str(post.get(k, "")).strip()}
