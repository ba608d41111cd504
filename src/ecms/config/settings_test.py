"""Test settings: PostgreSQL when ``TEST_DATABASE_URL`` is set (database name ``ecms``), else SQLite."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url

os.environ.setdefault("ECMS_SECRET_KEY", "ecms-test-secret-key-not-for-production")
os.environ.setdefault("ECMS_ENVIRONMENT", "develop")

from ecms.config.settings import *  # noqa: F403

_test_url = os.environ.get("TEST_DATABASE_URL", "")
if _test_url:
    DATABASES = {"default": dj_database_url.parse(_test_url)}
    DATABASES["default"]["NAME"] = "ecms"
    DATABASES["default"]["OPTIONS"] = db_options(DATABASES["default"])  # noqa: F405
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("ECMS_TEST_SQLITE", ":memory:"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 30},
        }
    }

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ECMS_STORAGE_DIR = Path(tempfile.mkdtemp(prefix="ecms-test-files-"))
ECMS_PUBLIC_URL = ""
ECMS_ALLOWED_AGENCIES = []
# Tests send many wrong credentials on purpose; the throttling tests set their own limits.
ECMS_AUTH_FAILURES_PER_15_MINUTES = 10**6
ECMS_SOAP_RATE_PER_MINUTE = 10**6
