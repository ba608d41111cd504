"""The hub channel end to end: the hub and two agencies as separate processes, each with its own
database and its own worker process; letters go from agency A (สป.ดศ.) to agency B (ปค.) and B's
answers come back to A.

Run: DJANGO_SETTINGS_MODULE=saraban.config.settings_test .venv/bin/pytest tests/e2e
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import World
from tests.e2e.world import Agency, B

pytestmark = pytest.mark.slow


def _send(world: World, subject: str, **kw: Any) -> dict[str, Any]:
    return world.a.op("send", subject=subject, to=B.org_id, to_name="กรมการปกครอง", **kw)


def _arrived(agency: Agency, subject: str, **kw: Any) -> dict[str, Any]:
    found = agency.wait_for("waiting", lambda r: any(x["subject"] == subject for x in r["letters"]), **kw)
    [letter] = [x for x in found["letters"] if x["subject"] == subject]
    return letter


def _delivery_state(world: World, delivery: int, state: str) -> dict[str, Any]:
    return world.a.wait_for("delivery", lambda r: r["state"] == state, id=delivery)


def test_it_delivers_a_letter_and_returns_the_receive_number(world: World) -> None:
    """GIVEN a clerk in A sends a letter to B by the hub
    WHEN B's worker pulls it and a clerk in B registers it
    THEN A's sent letter shows B's receive number, and B keeps the exact XML as evidence."""
    subject = f"ขอเชิญประชุมคณะทำงาน {uuid.uuid4().hex[:6]}"
    sent = _send(world, subject, body="agenda of the meeting")
    arrived = _arrived(world.b, subject, marker="agenda of the meeting")
    assert arrived["state"] == "waiting" and arrived["reference_no"] == sent["reference_no"]
    assert arrived["has_marker"] and arrived["secrecy"] == 0
    assert "evidence" in arrived["files"] and arrived["evidence_starts"].startswith("<?xml")
    _delivery_state(world, sent["delivery"], "delivered")  # B's ReceiveLetterNotifier came back

    accept_id = world.b.op("register", letter=arrived["letter"])["accept_id"]
    outcome = _delivery_state(world, sent["delivery"], "accepted")
    assert "/" in accept_id and outcome["receive_number"] == accept_id
    assert not outcome["is_problem"]


def test_it_returns_a_rejection_to_the_senders_problem_list(world: World) -> None:
    subject = f"ขอความอนุเคราะห์ข้อมูล {uuid.uuid4().hex[:6]}"
    sent = _send(world, subject)
    arrived = _arrived(world.b, subject)
    world.b.op("reject", letter=arrived["letter"], reason="ส่งผิดหน่วยงาน")
    outcome = _delivery_state(world, sent["delivery"], "rejected")
    assert "ส่งผิดหน่วยงาน" in outcome["reason"] and outcome["is_problem"]
    assert outcome["receive_number"] == ""


def test_it_keeps_a_letter_queued_while_the_hub_is_down_and_sends_it_once(world: World) -> None:
    subject = f"รายงานผลการดำเนินงาน {uuid.uuid4().hex[:6]}"
    world.hub.stop()
    try:
        sent = _send(world, subject)
        waiting = world.a.wait_for("delivery", lambda r: (r["attempts"] or 0) >= 1, id=sent["delivery"])
        assert waiting["state"] == "queued" and waiting["outbox_state"] == "pending" and not waiting["is_problem"]
    finally:
        world.hub.start()
    _arrived(world.b, subject)
    outcome = _delivery_state(world, sent["delivery"], "delivered")
    assert outcome["message_id"] == waiting["message_id"] and outcome["attempts"] >= 2
    assert world.hub.letters_with_subject(subject) == 1
    assert len([x for x in world.b.op("waiting")["letters"] if x["subject"] == subject]) == 1


def test_it_loses_and_duplicates_nothing_when_the_sending_worker_is_killed(world: World) -> None:
    """GIVEN A's worker dies after the hub took the letter and before A recorded it
    WHEN the worker is started again
    THEN it sends again with the same MessageID: the hub answers its first answer, B gets one letter."""
    assert world.a.stop_worker() == 0  # SIGTERM: a clean exit
    crashing = world.a.start_worker(SARABAN_EXCHANGE_TEST_HOOKS="1", SARABAN_EXCHANGE_CRASH="after_send")
    subject = f"ขอส่งสำเนาคำสั่ง {uuid.uuid4().hex[:6]}"
    sent = _send(world, subject)
    assert crashing.wait(timeout=30) == 70
    before = world.a.op("delivery", id=sent["delivery"])
    assert before["state"] == "queued" and before["attempts"] == 0
    assert world.hub.letters_with_subject(subject) == 1  # the hub has it; A does not know yet

    world.a.start_worker()
    _arrived(world.b, subject)
    after = _delivery_state(world, sent["delivery"], "delivered")
    assert after["message_id"] == before["message_id"]
    assert world.hub.letters_with_subject(subject) == 1
    assert len([x for x in world.b.op("waiting")["letters"] if x["subject"] == subject]) == 1


def test_it_stores_a_pulled_letter_once_when_the_receiving_worker_dies_before_dequeuing(world: World) -> None:
    assert world.b.stop_worker() == 0
    crashing = world.b.start_worker(SARABAN_EXCHANGE_TEST_HOOKS="1", SARABAN_EXCHANGE_CRASH="before_dequeue")
    subject = f"แจ้งกำหนดการตรวจราชการ {uuid.uuid4().hex[:6]}"
    sent = _send(world, subject)
    assert crashing.wait(timeout=30) == 70
    world.b.start_worker()
    _delivery_state(world, sent["delivery"], "delivered")
    assert len([x for x in world.b.op("waiting")["letters"] if x["subject"] == subject]) == 1


def test_it_carries_a_secret_letter_the_hub_cannot_read(world: World) -> None:
    subject = f"ข้อมูลการสืบสวนคดีพิเศษ {uuid.uuid4().hex[:6]}"
    marker = f"CONFIDENTIAL-BODY-{uuid.uuid4().hex}"
    sent = _send(world, subject, secrecy=1, body=marker)
    tried = world.a.wait_for("delivery", lambda r: (r["attempts"] or 0) >= 1, id=sent["delivery"])
    assert tried["outbox_state"] == "sent", tried
    world.b.wait_for("inbound", lambda r: any(i["encrypted"] or i["state"] == "quarantined" for i in r["items"]))
    assert not [i for i in world.b.op("inbound")["items"] if i["state"] == "quarantined"]
    arrived = _arrived(world.b, subject, marker=marker)
    assert arrived["secrecy"] == 1 and arrived["has_marker"]  # B opened it with its private key
    _delivery_state(world, sent["delivery"], "delivered")
    assert world.hub.letters_with_subject(subject) == 0
    kept = world.hub.texts()
    assert kept, "the hub keeps its letters somewhere"
    for needle in (subject.encode(), marker.encode(), marker.encode().hex().encode()):
        assert not any(needle in blob for blob in kept)
