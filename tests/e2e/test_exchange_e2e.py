"""The hub channel end to end: the hub and two agencies as separate processes, each with its own
database and its own worker process; letters go from agency A (สป.ดศ.) to agency B (ปค.) and B's
answers come back to A.

Run: DJANGO_SETTINGS_MODULE=saraban.config.settings_test .venv/bin/pytest tests/e2e
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.conftest import B, Agency, World

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
