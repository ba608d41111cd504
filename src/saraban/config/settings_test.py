"""Test settings: SQLite by default, PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url

from govcommon.env import env_str
from saraban.config.settings import *  # noqa: F403
from saraban.config.settings import DATABASES

# One test database per run, so that several runs on one machine never share a database.
_RUN = env_str("TEST_DB_SUFFIX") or str(os.getpid())
_url = env_str("TEST_DATABASE_URL")
if _url:
    DATABASES["default"] = dj_database_url.parse(_url)
    DATABASES["default"]["NAME"] = "saraban"
    DATABASES["default"]["TEST"] = {"NAME": f"test_saraban_{_RUN}"}
else:
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(Path(tempfile.gettempdir()) / f"saraban-test-{_RUN}.sqlite3"),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30},
        "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"saraban-test-db-{_RUN}.sqlite3")},
    }
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="saraban-test-files-"))
SARABAN_MASTER_KEY = ""
SARABAN_MASTER_KEY_FILE = str(Path(tempfile.mkdtemp(prefix="saraban-test-keys-")) / "master.key")
SARABAN_IDLE_TIMEOUT_SECONDS = 1800
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
