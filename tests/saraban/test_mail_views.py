"""The clerk's page of the official e-mail channel: messages kept aside, raw .eml, mailbox check."""

from __future__ import annotations

from typing import Any

from django.test import Client

from saraban.correspondence.models import Registry
from saraban.mail.models import InboundMail
from saraban.mail.services import central_registry, inbound_mail_import
from saraban.receiving.models import InboxCheck
from tests.mailservers import ImapServer, imap_server_fixture  # noqa: F401
from tests.saraban.conftest import Cast

RAW = (b"From: somchai@example.go.th\r\nTo: saraban@a.example.go.th\r\nSubject: no attachment\r\n"
       b"Message-ID: <q1@example.go.th>\r\n\r\nplease see the letter\r\n")


def _kept(cast: Cast) -> InboundMail:
    return inbound_mail_import(raw=RAW, registry=cast.central)


def test_it_lists_kept_messages_with_their_reason_for_the_central_clerk(cast: Cast, client_for: Any) -> None:
    kept = _kept(cast)
    response = client_for(cast.clerk).get("/mail/")
    assert response.status_code == 200
    page = response.content.decode()
    assert kept.reason in page and "somchai@example.go.th" in page
    raw = client_for(cast.clerk).get(f"/mail/inbound/{kept.pk}/eml/")
    assert raw.status_code == 200 and raw.content == RAW and raw["Content-Type"] == "message/rfc822"


def test_it_keeps_the_page_from_users_outside_the_central_registry(cast: Cast, client_for: Any) -> None:
    kept = _kept(cast)
    assert client_for(cast.officer).get("/mail/").status_code == 403
    assert client_for(cast.unitclerk).get(f"/mail/inbound/{kept.pk}/eml/").status_code == 403
    assert Client().get("/mail/").status_code == 302
    assert client_for(cast.clerk).get(f"/mail/inbound/{kept.pk}/handle/").status_code == 405


def test_it_records_how_a_kept_message_was_handled_and_needs_a_note(cast: Cast, client_for: Any) -> None:
    kept = _kept(cast)
    client = client_for(cast.clerk)
    client.post(f"/mail/inbound/{kept.pk}/handle/", {"note": "  "})
    kept.refresh_from_db()
    assert kept.state == InboundMail.State.QUARANTINED  # bad input changes nothing
    client.post(f"/mail/inbound/{kept.pk}/handle/", {"note": "โทรแจ้งผู้ส่งให้ส่งใหม่พร้อมไฟล์ PDF"})
    kept.refresh_from_db()
    assert kept.state == InboundMail.State.HANDLED and kept.handled_by == cast.clerk
    assert "ไม่มีข้อความที่กันไว้" in client.get("/mail/").content.decode()


def test_it_checks_the_mailbox_and_records_the_inbox_check(cast: Cast, client_for: Any,
                                                           imap_server: ImapServer) -> None:
    imap_server.append(RAW)
    response = client_for(cast.clerk).post("/mail/check/", follow=True)
    assert response.status_code == 200
    assert "กันไว้ตรวจสอบ 1 ฉบับ" in response.content.decode()
    check = InboxCheck.objects.get()
    assert check.user == cast.clerk and check.registry == central_registry()
    assert InboundMail.objects.get().state == InboundMail.State.QUARANTINED


def test_it_reports_an_unreachable_mailbox_without_recording_a_check(cast: Cast, client_for: Any,
                                                                     settings: Any) -> None:
    settings.SARABAN_IMAP_HOST, settings.SARABAN_IMAP_PORT = "127.0.0.1", 1
    settings.SARABAN_IMAP_USER, settings.SARABAN_IMAP_PASSWORD = "x", "y"
    response = client_for(cast.clerk).post("/mail/check/", follow=True)
    assert "IMAP" in response.content.decode() and not InboxCheck.objects.exists()
    assert Registry.objects.filter(is_central=True).exists()
