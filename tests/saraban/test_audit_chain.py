from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from saraban.audit.models import AuditRecord
from saraban.audit.services import audit_chain_verify, audit_record
from tests.saraban.conftest import Cast

pytestmark = pytest.mark.django_db


def _disable_triggers() -> None:
    """What a person with direct database access could do before tampering."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE audit_auditrecord DISABLE TRIGGER audit_no_change")
        else:
            cur.execute("DROP TRIGGER audit_no_update")
            cur.execute("DROP TRIGGER audit_no_delete")


def test_it_chains_every_record_to_the_previous_one(cast: Cast) -> None:
    records = list(AuditRecord.objects.order_by("seq"))
    assert len(records) >= 8
    for prev, rec in itertools.pairwise(records):
        assert rec.prev_hash == prev.hash
        assert rec.seq == prev.seq + 1
    assert audit_chain_verify() == []
    call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_record_outside_a_transaction(cast: Cast) -> None:
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x.y")


def test_it_refuses_updates_and_deletes_at_the_database(cast: Cast) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(seq=1).update(summary="แก้ไข")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditRecord.objects.filter(seq=1).delete()
    with pytest.raises(RuntimeError):
        AuditRecord.objects.get(seq=1).save()


def test_it_detects_a_row_altered_directly_in_the_database(cast: Cast) -> None:
    _disable_triggers()
    victim = AuditRecord.objects.filter(action="user.created").first()
    assert victim is not None
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditrecord SET summary = %s WHERE seq = %s", ["สร้างผู้ใช้ hacker", victim.seq])
    problems = audit_chain_verify()
    assert [p.seq for p in problems] == [victim.seq]
    with pytest.raises(CommandError, match="เสียหาย"):
        call_command("verify_audit")


def test_it_detects_a_deleted_row(cast: Cast) -> None:
    _disable_triggers()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE seq = 3")
    problems = audit_chain_verify()
    assert problems and problems[0].seq == 4


def test_it_detects_the_last_row_removed(cast: Cast) -> None:
    _disable_triggers()
    last = AuditRecord.objects.order_by("-seq").first()
    assert last is not None
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditrecord WHERE seq = %s", [last.seq])
    assert audit_chain_verify()
