"""Settings of the official e-mail channel, read when used so that tests and operators can change them.

Each value comes from Django settings when the project defines it there, else from the environment
(``govcommon.env``: secrets may also come from ``NAME_FILE``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from govcommon.env import env_bool, env_int, env_str


def _str(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    return str(value) if value is not None else env_str(name, default)


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else env_int(name, default)


def _bool(name: str, default: bool = False) -> bool:
    value = getattr(settings, name, None)
    return bool(value) if value is not None else env_bool(name, default)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str
    password: str
    starttls: bool
    ssl: bool
    timeout: int


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    password: str
    mailbox: str
    done_mailbox: str
    ssl: bool
    starttls: bool
    timeout: int

    @property
    def configured(self) -> bool:
        return bool(self.host and self.user)


def smtp_settings() -> SmtpSettings:
    return SmtpSettings(
        host=_str("SARABAN_SMTP_HOST", "127.0.0.1"),
        port=_int("SARABAN_SMTP_PORT", 25),
        user=_str("SARABAN_SMTP_USER"),
        password=_str("SARABAN_SMTP_PASSWORD"),
        starttls=_bool("SARABAN_SMTP_STARTTLS"),
        ssl=_bool("SARABAN_SMTP_SSL"),
        timeout=_int("SARABAN_MAIL_TIMEOUT", 30),
    )


def imap_settings() -> ImapSettings:
    return ImapSettings(
        host=_str("SARABAN_IMAP_HOST"),
        port=_int("SARABAN_IMAP_PORT", 993 if _bool("SARABAN_IMAP_SSL") else 143),
        user=_str("SARABAN_IMAP_USER"),
        password=_str("SARABAN_IMAP_PASSWORD"),
        mailbox=_str("SARABAN_IMAP_MAILBOX", "INBOX"),
        done_mailbox=_str("SARABAN_IMAP_DONE_MAILBOX"),
        ssl=_bool("SARABAN_IMAP_SSL"),
        starttls=_bool("SARABAN_IMAP_STARTTLS"),
        timeout=_int("SARABAN_MAIL_TIMEOUT", 30),
    )


def from_address() -> str:
    """The agency's official central address (AgencyProfile.central_email), else DEFAULT_FROM_EMAIL."""
    from saraban.accounts.models import AgencyProfile

    profile = AgencyProfile.objects.filter(pk=1).only("central_email").first()
    if profile is not None and profile.central_email:
        return profile.central_email
    return _str("SARABAN_MAIL_FROM") or str(settings.DEFAULT_FROM_EMAIL)


MAX_ATTEMPTS = 6  # then the line is failed and shows up among the problems
BACKOFF_SECONDS = (60, 300, 900, 3600, 3 * 3600)  # wait after the 1st, 2nd, … failed attempt
LEASE_SECONDS = 300  # a worker that died while sending frees its claim after this
