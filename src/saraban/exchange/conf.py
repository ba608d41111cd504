"""Settings of the hub channel, read when used so that tests and operators can change them.

Each value comes from Django settings when the project defines it there, else from the environment
(``govcommon.env``: the password may also come from ``SARABAN_HUB_PASSWORD_FILE``).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from govcommon.env import env_bool, env_int, env_str


def _str(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    return str(value) if value is not None else env_str(name, default)


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    return int(value) if value is not None else env_int(name, default)


def hub_url() -> str:
    return _str("SARABAN_HUB_URL")


def hub_username() -> str:
    return _str("SARABAN_HUB_USERNAME")


def hub_password() -> str:
    return _str("SARABAN_HUB_PASSWORD")


def configured() -> bool:
    return bool(hub_url() and hub_username() and hub_password())


def timeout_seconds() -> int:
    return _int("SARABAN_HUB_TIMEOUT", 60)


def retry_base_seconds() -> int:
    """First wait after a failed attempt; each later wait doubles, up to ``retry_max_seconds``."""
    return _int("SARABAN_HUB_RETRY_BASE_SECONDS", 30)


def retry_max_seconds() -> int:
    return _int("SARABAN_HUB_RETRY_MAX_SECONDS", 3600)


def give_up_hours() -> int:
    """A letter the hub could not take for this long goes to the sender's problem list."""
    return _int("SARABAN_HUB_GIVE_UP_HOURS", 72)


def lease_seconds() -> int:
    """How long a claimed outbox line is reserved for one worker (a killed worker's line comes back)."""
    return _int("SARABAN_HUB_LEASE_SECONDS", 300)


def undelivered_hours() -> int:
    """A sent letter not pulled by its recipient for this long is reported as a problem."""
    return _int("SARABAN_HUB_UNDELIVERED_HOURS", 72)


def pull_interval_seconds() -> int:
    return _int("SARABAN_HUB_PULL_SECONDS", 300)


def status_interval_seconds() -> int:
    return _int("SARABAN_HUB_STATUS_SECONDS", 3600)


def directory_interval_seconds() -> int:
    return _int("SARABAN_HUB_DIRECTORY_SECONDS", 24 * 3600)


def private_key_path() -> Path:
    """The agency's private key (PEM). Never in the database."""
    default = Path(settings.VAR_DIR) / "exchange" / "agency_key.pem"
    return Path(_str("SARABAN_EXCHANGE_KEY_FILE", str(default)))


def private_key_pem() -> str:
    """The private key given in the environment (``SARABAN_EXCHANGE_PRIVATE_KEY`` or its ``_FILE``)."""
    return _str("SARABAN_EXCHANGE_PRIVATE_KEY")


def test_hooks() -> bool:
    """Crash points for end-to-end tests (``SARABAN_EXCHANGE_CRASH``); never set in production."""
    return env_bool("SARABAN_EXCHANGE_TEST_HOOKS", False)
