"""Settings of the exchange hub.

One code base, three environments chosen with ``ECMS_ENVIRONMENT`` (develop | testing | production),
as the real e-CMS 2.0 has: each has its own database, storage, allowed agencies, size limit and the
banner shown on its pages. Everything comes from the environment with embedded defaults (SQLite and
files under ``var/ecms/<environment>``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url

from govcommon.env import env_bool, env_int, env_list, env_str, secret_key

SRC_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = SRC_DIR.parent

ENVIRONMENTS = {
    # environment: (banner text, banner colour)
    "develop": ("ระบบกลางสำหรับพัฒนา (develop) – ข้อมูลทดลอง", "#0b5ed7"),
    "testing": ("ระบบกลางสำหรับทดสอบการเชื่อมโยง (testing)", "#b35c00"),
    "production": ("ระบบแลกเปลี่ยนหนังสือราชการกลาง (e-CMS 2.0)", "#146c43"),
}
ECMS_ENVIRONMENT = env_str("ECMS_ENVIRONMENT", "develop")
if ECMS_ENVIRONMENT not in ENVIRONMENTS:
    raise RuntimeError(f"ECMS_ENVIRONMENT must be one of {sorted(ENVIRONMENTS)}, not {ECMS_ENVIRONMENT!r}")
ECMS_BANNER_TEXT = env_str("ECMS_BANNER_TEXT", ENVIRONMENTS[ECMS_ENVIRONMENT][0])
ECMS_BANNER_COLOUR = env_str("ECMS_BANNER_COLOUR", ENVIRONMENTS[ECMS_ENVIRONMENT][1])

VAR_DIR = Path(env_str("ECMS_VAR_DIR", str(REPO_DIR / "var" / "ecms" / ECMS_ENVIRONMENT)))
SECRET_KEY = secret_key("ECMS_SECRET_KEY", VAR_DIR)
DEBUG = env_bool("ECMS_DEBUG", False)
ALLOWED_HOSTS = env_list("ECMS_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

# Service address written into the WSDL; empty: taken from the request.
ECMS_PUBLIC_URL = env_str("ECMS_PUBLIC_URL", "")
# e-CMS organisation IDs that may use this hub (empty: every agency in the directory).
ECMS_ALLOWED_AGENCIES = env_list("ECMS_ALLOWED_AGENCIES", [])
# Largest request accepted, files included (the base64 text counts).
ECMS_MAX_MESSAGE_BYTES = env_int("ECMS_MAX_MESSAGE_BYTES", 50 * 1024 * 1024)
# Requests a minute from one address, and failed sign-ins from one address in 15 minutes, before
# the hub answers ECMS-RATE-001 (HTTP 429). One busy agency system sends a few requests a second.
ECMS_SOAP_RATE_PER_MINUTE = env_int("ECMS_SOAP_RATE_PER_MINUTE", 20000)
ECMS_AUTH_FAILURES_PER_15_MINUTES = env_int("ECMS_AUTH_FAILURES_PER_15_MINUTES", 20)
ECMS_MAX_XML_DEPTH = env_int("ECMS_MAX_XML_DEPTH", 64)
# Letters' files, content-addressed by SHA-256 (tmp/ holds uploads being received).
ECMS_STORAGE_DIR = Path(env_str("ECMS_STORAGE_DIR", str(VAR_DIR / "files")))
# How long a verified agency password is remembered in a worker (hashing is slow on purpose).
ECMS_AUTH_CACHE_SECONDS = env_int("ECMS_AUTH_CACHE_SECONDS", 300)
# Test hooks (crash after commit, see hub.views); refused in production by a system check.
ECMS_TEST_HOOKS = env_bool("ECMS_TEST_HOOKS", False)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ecms.hub",
    "ecms.monitor",
    "ecms.testtool",
    "ecms.stats",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # POSTs to the SOAP endpoint leave here for their view (it needs nothing of what follows)
    "ecms.hub.middleware.SoapServiceMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "ecms.monitor.middleware.PasswordChangeRequiredMiddleware",
]

ROOT_URLCONF = "ecms.config.urls"
WSGI_APPLICATION = "ecms.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ecms.monitor.context.environment",
            ]
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
if not env_str("ECMS_DATABASE_URL"):
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(env_str("ECMS_DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so that
    # state changes are serialised without deadlock retries.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# The hub's hot-path statements (hub.services._sql) are prepared after a few runs on a connection.
# Turn off behind a pooler that cannot keep prepared statements (PgBouncer in transaction mode
# before 1.21, or without max_prepared_statements).
ECMS_DB_PREPARED = env_bool("ECMS_DB_PREPARED", True)


def db_options(database: Mapping[str, Any]) -> dict[str, Any]:
    """PostgreSQL connection options for ``DATABASES``: the prepare threshold of ECMS_DB_PREPARED."""
    if database["ENGINE"] == "django.db.backends.postgresql" and ECMS_DB_PREPARED:
        return {**database.get("OPTIONS", {}), "prepare_threshold": 5}
    return dict(database.get("OPTIONS", {}))


DATABASES["default"]["OPTIONS"] = db_options(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

LANGUAGE_CODE = "th"
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    ("vendor/sarabun", REPO_DIR / "node_modules" / "@fontsource" / "sarabun"),
    ("vendor/bootstrap", REPO_DIR / "node_modules" / "bootstrap" / "dist"),
]
WHITENOISE_USE_FINDERS = True

# Monitor web site: officers sign in with their e-mail; generated passwords go out by SMTP.
LOGIN_URL = "monitor-login"
LOGIN_REDIRECT_URL = "monitor-letter-list"
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env_str("ECMS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ECMS_EMAIL_PORT", 25)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("ECMS_EMAIL_FROM", "ecms-monitor@localhost")
# A letter is "waiting too long" when not pulled / not acknowledged after these many hours.
ECMS_MONITOR_PULL_HOURS = env_int("ECMS_MONITOR_PULL_HOURS", 24)
ECMS_MONITOR_ACK_HOURS = env_int("ECMS_MONITOR_ACK_HOURS", 72)
# Address of the Monitor site written into e-mails.
ECMS_MONITOR_URL = env_str("ECMS_MONITOR_URL", "http://localhost:8000/monitor/")

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ECMS_LOG_LEVEL", "WARNING")},
}
