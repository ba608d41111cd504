"""Test settings: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import tempfile
from pathlib import Path

import dj_database_url

from govcommon.env import env_str
from saraban.config.settings import *  # noqa: F403
from saraban.config.settings import DATABASES

_url = env_str("TEST_DATABASE_URL")
if _url:
    DATABASES["default"] = dj_database_url.parse(_url)
    DATABASES["default"]["NAME"] = "saraban"
    DATABASES["default"]["TEST"] = {"NAME": "test_saraban"}
else:
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(Path(tempfile.gettempdir()) / "saraban-test.sqlite3"),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30},
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / "saraban-test-db.sqlite3")},
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="saraban-test-files-"))
SARABAN_IDLE_TIMEOUT_SECONDS = 1800
