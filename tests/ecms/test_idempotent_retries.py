"""Retries are recognised without looking the key up first (hub.services._commit_idempotent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from ecms.hub.models import IdempotencyRecord, Letter, LetterEvent, QueueItem
from tests.ecms.helpers import DGA, DOPA, SOC, call, envelope, make_letter, post
from thegif import messages as m
from thegif.errors import IdempotencyConflictError, QueueItemNotFoundError


def test_it_answers_a_retried_delete_with_the_stored_bytes(hub: Path, client: Client) -> None:
    call(client, SOC, m.OutboundRequest(item=make_letter()))
    pulled = call(client, DOPA, m.InboundRequest())
    assert isinstance(pulled, m.InboundResponse) and pulled.item is not None
    body = envelope(m.DeleteRequest(pulled.item.process_id), message_id="urn:uuid:delete-1")
    first, second = post(client, DOPA, body), post(client, DOPA, body)
    assert first == second and first[0] == 200
    assert LetterEvent.objects.filter(kind="dequeued").count() == 1
    assert IdempotencyRecord.objects.filter(message_id="urn:uuid:delete-1").count() == 1


def test_it_refuses_a_reused_key_even_when_the_other_request_is_wrong(hub: Path, client: Client) -> None:
    """GIVEN a key that answered a send WHEN the same key comes with a request that would fail on its
    own (a sender that is not the caller's agency) THEN the answer is the key conflict, not the other
    request's own error, and nothing is stored."""
    call(client, SOC, m.OutboundRequest(item=make_letter()), message_id="urn:uuid:reused")
    with pytest.raises(IdempotencyConflictError):
        call(client, SOC, m.OutboundRequest(item=make_letter(DGA, DOPA)), message_id="urn:uuid:reused")
    with pytest.raises(IdempotencyConflictError):
        call(client, SOC, m.DeleteRequest("no-such-item"), message_id="urn:uuid:reused")
    assert Letter.objects.count() == 1 and QueueItem.objects.count() == 1


def test_it_still_refuses_a_new_request_that_fails(hub: Path, client: Client) -> None:
    with pytest.raises(QueueItemNotFoundError):
        call(client, DOPA, m.DeleteRequest("no-such-item"), message_id="urn:uuid:fresh")
    assert IdempotencyRecord.objects.count() == 0
