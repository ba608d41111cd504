"""The network edge: SMTP sending and the IMAP mailbox. Nothing here touches the database."""

from __future__ import annotations

import imaplib
import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage

from saraban.mail.conf import ImapSettings, SmtpSettings

DONE_KEYWORD = "SarabanImported"  # IMAP keyword set on a message once its import is committed


class MailTransportError(Exception):
    """A network or protocol error; ``permanent`` when trying again cannot help (5xx, refused)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


def smtp_send(message: EmailMessage, config: SmtpSettings) -> None:
    """Hand one message to the SMTP server; raise MailTransportError on any failure."""
    try:
        client: smtplib.SMTP
        if config.ssl:
            client = smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        with client:
            if config.starttls and not config.ssl:
                client.starttls(context=ssl.create_default_context())
            if config.user:
                client.login(config.user, config.password)
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailTransportError(f"เซิร์ฟเวอร์ปฏิเสธผู้รับ: {exc.recipients}", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        raise MailTransportError(f"SMTP {exc.smtp_code}: {text}", permanent=500 <= exc.smtp_code < 600) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailTransportError(f"ติดต่อเซิร์ฟเวอร์ SMTP ไม่ได้: {exc}") from exc


class Mailbox:
    """The agency's central mailbox on the IMAP server, with the messages not yet imported."""

    def __init__(self, client: imaplib.IMAP4, config: ImapSettings) -> None:
        self.client = client
        self.config = config

    def _ok(self, result: tuple[str, list[object]], what: str) -> list[object]:
        status, data = result
        if status != "OK":
            raise MailTransportError(f"IMAP {what}: {data!r}")
        return data

    def pending_uids(self) -> list[str]:
        data = self._ok(self.client.uid("SEARCH", "UNKEYWORD", DONE_KEYWORD), "SEARCH")
        raw = data[0] if data else b""
        return raw.decode().split() if isinstance(raw, bytes) else []

    def fetch(self, uid: str) -> bytes | None:
        """The message's raw bytes, without marking it seen (BODY.PEEK)."""
        data = self._ok(self.client.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
                return item[1]
        return None

    def mark_done(self, uid: str) -> None:
        """After the local commit only: flag the message, and move it when a done mailbox is set."""
        self._ok(self.client.uid("STORE", uid, "+FLAGS", f"(\\Seen {DONE_KEYWORD})"), "STORE")
        if self.config.done_mailbox:
            self._ok(self.client.uid("MOVE", uid, _quoted(self.config.done_mailbox)), "MOVE")


def _quoted(name: str) -> str:
    return '"' + re.sub(r'(["\\])', r"\\\1", name) + '"'


@contextmanager
def mailbox_open(config: ImapSettings) -> Iterator[Mailbox]:
    try:
        client: imaplib.IMAP4
        if config.ssl:
            client = imaplib.IMAP4_SSL(config.host, config.port, ssl_context=ssl.create_default_context(),
                                       timeout=config.timeout)
        else:
            client = imaplib.IMAP4(config.host, config.port, timeout=config.timeout)
            if config.starttls:
                client.starttls(ssl_context=ssl.create_default_context())
        client.login(config.user, config.password)
        status, data = client.select(_quoted(config.mailbox))
        if status != "OK":
            raise MailTransportError(f"เปิดกล่องจดหมาย {config.mailbox} ไม่ได้: {data!r}")
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailTransportError(f"ติดต่อเซิร์ฟเวอร์ IMAP ไม่ได้: {exc}") from exc
    try:
        yield Mailbox(client, config)
    except (imaplib.IMAP4.error, OSError) as exc:
        raise MailTransportError(f"IMAP: {exc}") from exc
    finally:
        with suppress(imaplib.IMAP4.error, OSError):
            client.logout()
