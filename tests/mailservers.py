"""Real mail servers on loopback for the e-mail channel tests (import ``smtp_server_fixture`` and
``imap_server_fixture`` into a test module to use the fixtures ``smtp_server`` and ``imap_server``).

``smtp_server``: an aiosmtpd server keeping every message it receives (raw bytes and parsed).
``imap_server``: Debian's Dovecot (package dovecot-imapd) started as a foreground child process
with a generated configuration, a passwd-file user and a Maildir, all under a temporary directory:
no system-wide state is read or written. Run as root, Dovecot's login and internal processes use
the ``dovenull``/``dovecot`` accounts the Debian package creates (its login process refuses root);
run as any other user, every process runs as that user.
"""

from __future__ import annotations

import email
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@dataclass
class SmtpServer:
    """What the SMTP server received; ``replies`` queues answers (e.g. "451 …") for the next messages."""

    port: int
    raw: list[bytes] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(r, policy=policy.default) for r in self.raw]  # type: ignore[misc]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's name
        if self.replies:
            return self.replies.pop(0)
        with self.arrived:
            self.raw.append(bytes(envelope.content))
            self.recipients.append(list(envelope.rcpt_tos))
            self.arrived.notify_all()
        return "250 OK"


@pytest.fixture(name="smtp_server")
def smtp_server_fixture(settings: Any) -> Iterator[SmtpServer]:
    """A real SMTP server; the mail channel's SMTP settings point at it."""
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname=LOOPBACK, port=server.port)
    controller.start()
    settings.SARABAN_SMTP_HOST, settings.SARABAN_SMTP_PORT = LOOPBACK, server.port
    settings.SARABAN_SMTP_USER, settings.SARABAN_SMTP_PASSWORD = "", ""
    settings.SARABAN_SMTP_STARTTLS = settings.SARABAN_SMTP_SSL = False
    try:
        yield server
    finally:
        controller.stop()


@dataclass
class ImapServer:
    host: str
    port: int
    user: str
    password: str
    root: Path

    def _client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, mailbox: str = "INBOX") -> None:
        """Put a message in the mailbox as a mail server delivering it would (IMAP APPEND)."""
        client = self._client()
        try:
            status, data = client.append(mailbox, None, None, raw)
            assert status == "OK", data
        finally:
            client.logout()

    def flags(self, mailbox: str = "INBOX") -> list[str]:
        """The flags of every message of the mailbox, in order."""
        client = self._client()
        try:
            client.select(mailbox)
            status, data = client.uid("FETCH", "1:*", "(FLAGS)")
            assert status == "OK", data
            return [item.decode() for item in data if isinstance(item, bytes)]
        finally:
            client.logout()


def _dovecot_config(root: Path, port: int, user: str, uid: int, gid: int, internal: str, login: str) -> str:
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = {LOOPBACK}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal}
default_login_user = {login}
first_valid_uid = {uid}
first_valid_gid = {gid}
mail_location = maildir:{root}/home/%n/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%n
}}
service imap-login {{
  inet_listener imap {{
    address = {LOOPBACK}
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""


def _wait_for_greeting(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with socket.create_connection((LOOPBACK, port), timeout=1) as s:
                if s.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    text = "".join(p.read_text(errors="replace") for p in (log, log.with_name("stderr.txt")) if p.exists())
    raise RuntimeError(f"Dovecot did not start on port {port}:\n{text}")


@pytest.fixture(name="imap_server")
def imap_server_fixture(settings: Any) -> Iterator[ImapServer]:
    """A real IMAP server (Dovecot) with one mailbox user; the channel's IMAP settings point at it."""
    binary = shutil.which("dovecot") or "/usr/sbin/dovecot"
    if not Path(binary).exists():
        pytest.fail("Dovecot is not installed: run ./scripts/setup (Debian package dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="saraban-imap-"))
    user, password = "saraban@a.example.go.th", "mailbox-secret"
    if os.geteuid() == 0:
        account = pwd.getpwnam("dovecot")
        uid, gid, internal, login = account.pw_uid, account.pw_gid, "dovecot", "dovenull"
    else:
        uid, gid = os.getuid(), os.getgid()
        internal = login = pwd.getpwuid(uid).pw_name
    (root / "home" / user.split("@")[0] / "Maildir").mkdir(parents=True)
    (root / "passwd").write_text(f"{user}:{{PLAIN}}{password}::::::\n", encoding="utf-8")
    port = free_port()
    (root / "dovecot.conf").write_text(_dovecot_config(root, port, user, uid, gid, internal, login), encoding="utf-8")
    if os.geteuid() == 0:
        root.chmod(0o755)  # the mail user must reach its home under the temporary directory
        for path in [root / "home", *(root / "home").rglob("*")]:
            os.chown(path, uid, gid)
    with (root / "stderr.txt").open("wb") as stderr:
        proc = subprocess.Popen([binary, "-F", "-c", str(root / "dovecot.conf")],
                                stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        _wait_for_greeting(port, proc, root / "dovecot.log")
        settings.SARABAN_IMAP_HOST, settings.SARABAN_IMAP_PORT = LOOPBACK, port
        settings.SARABAN_IMAP_USER, settings.SARABAN_IMAP_PASSWORD = user, password
        settings.SARABAN_IMAP_MAILBOX, settings.SARABAN_IMAP_DONE_MAILBOX = "INBOX", ""
        settings.SARABAN_IMAP_SSL = settings.SARABAN_IMAP_STARTTLS = False
        yield ImapServer(host=LOOPBACK, port=port, user=user, password=password, root=root)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)
