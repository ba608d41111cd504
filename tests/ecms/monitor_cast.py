"""Helpers of the Monitor, Test Tool and statistics tests: letters through the hub, SMTP on loopback."""

from __future__ import annotations

import email
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller
from django.test import Client

from tests.ecms.helpers import DOPA, SOC, Agency, call, make_letter
from thegif import messages as m


class Collector:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.arrived = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.content))
        self.arrived.set()
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[Collector, int]]:
    collector = Collector()
    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield collector, port
    finally:
        controller.stop()


def text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    return ""


def password_in(message: Message) -> str:
    found = re.search(r"รหัสผ่านชั่วคราว: (\S+)", text_of(message))
    assert found, text_of(message)
    return found.group(1)


def letter_accepted(
    client: Client, sender: Agency = SOC, receiver: Agency = DOPA, *, doc_id: str, subject: str, accept_id: str
) -> str:
    """Sender sends, receiver pulls, stores, deletes from its queue and accepts with its receive number."""
    letter = make_letter(sender, receiver, doc_id=doc_id, subject=subject)
    sent = call(client, sender, m.OutboundRequest(item=letter))
    assert isinstance(sent, m.OutboundResponse)
    pulled = call(client, receiver, m.InboundRequest())
    assert isinstance(pulled, m.InboundResponse) and pulled.item is not None
    call(client, receiver, m.DeleteRequest(process_id=pulled.item.process_id))
    call(
        client,
        receiver,
        m.OutboundRequest(
            item=m.Notifier(
                kind=m.ItemType.ACCEPT,
                letter_id=sent.letter_id,
                correspondence_date=letter.correspondence_date,
                subject=subject,
                accept_id=accept_id,
            )
        ),
    )
    return sent.letter_id
