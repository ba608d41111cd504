"""Reads of the hub that answer agency systems' queries."""

from __future__ import annotations

from django.utils import timezone

from ecms.hub.models import Letter, Organization, QueueItem
from ecms.hub.services import Caller, ItemRow, new_id, process_time, queue_item_content, waiting_items
from thegif import messages as m
from thegif.errors import LetterNotFoundError, LetterStateError


def _entry(org: Organization) -> m.OrganizationEntry:
    key = None
    if org.public_key_der:
        key = m.PublicKey(algorithm=org.public_key_algorithm, der=bytes(org.public_key_der))
    return m.OrganizationEntry(
        id=org.org_id,
        name=org.name,
        short_name=org.short_name or None,
        ministry_id=org.ministry.org_id if org.ministry else None,
        public_key=key,
    )


def ministry_list() -> m.MinistryListResponse:
    orgs = Organization.objects.filter(kind=Organization.Kind.MINISTRY, active=True).order_by("org_id")
    return m.MinistryListResponse(
        process_id=new_id(), process_time=process_time(), organizations=[_entry(o) for o in orgs]
    )


def organization_list(*, ministry_id: str | None) -> m.OrganizationListResponse:
    orgs = Organization.objects.select_related("ministry").filter(kind=Organization.Kind.DEPARTMENT, active=True)
    if ministry_id:
        orgs = orgs.filter(ministry__org_id=ministry_id)
    return m.OrganizationListResponse(
        process_id=new_id(), process_time=process_time(), organizations=[_entry(o) for o in orgs.order_by("org_id")]
    )


def code_list(request: m.SecretCodesRequest | m.SpeedCodesRequest | m.MimeCodesRequest) -> m.SecretCodesResponse:
    table, cls = {
        m.SecretCodesRequest: (m.SECRET_CODES, m.SecretCodesResponse),
        m.SpeedCodesRequest: (m.SPEED_CODES, m.SpeedCodesResponse),
        m.MimeCodesRequest: (m.MIME_CODES, m.MimeCodesResponse),
    }[type(request)]
    codes = [m.CodeEntry(code=code, name=name) for code, name in table.items()]
    return cls(process_id=new_id(), process_time=process_time(), codes=codes)


def outbound_status(*, caller: Caller, letter_id: str | None, limit: int = 200) -> m.OutboundStatusResponse:
    letters = Letter.objects.select_related("receiver").filter(sender_id=caller.organization_id)
    if letter_id:
        letters = letters.filter(letter_id=letter_id)
    statuses = [
        m.LetterStatusEntry(
            letter_id=row.letter_id,
            id=row.doc_id,
            correspondence_date=row.correspondence_date,
            subject=row.subject,
            accept_department=row.receiver.org_id,
            status=m.LetterStatus(row.status),
            status_time=process_time(row.status_changed_at),
            accept_id=row.accept_id or None,
            description=row.status_reason or None,
        )
        for row in letters.order_by("-id")[:limit]
    ]
    return m.OutboundStatusResponse(process_id=new_id(), process_time=process_time(), statuses=statuses)


def queue_item_fetch(*, caller: Caller, request: m.InboundSpecialRequest) -> m.InboundSpecialResponse:
    """One specific letter or notifier again (CorrespondenceLetterInboundSpecialRequest)."""
    item = (
        QueueItem.objects.select_related("letter", "letter__sender", "letter__receiver")
        .filter(
            owner_id=caller.organization_id,
            item_type=request.item_type.value,
            letter__letter_id=request.letter_id,
            letter__correspondence_date=request.correspondence_date,
            letter__sender__org_id=request.sender_department,
            letter__receiver__org_id=request.accept_department,
        )
        .order_by("-id")
        .first()
    )
    if item is None:
        raise LetterNotFoundError()
    if item.item_type == m.ItemType.GOVERNMENT_DOCUMENT and item.letter.status == m.LetterStatus.DELETED:
        raise LetterStateError("ผู้ส่งลบหนังสือนี้แล้ว")
    return m.InboundSpecialResponse(
        process_time=process_time(timezone.now()),
        queue_length=waiting_items(caller.organization_id),
        item=queue_item_content(ItemRow.of(item)),
    )
