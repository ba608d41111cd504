"""Settings of one agency's e-Saraban system.

Everything comes from the environment with embedded defaults (SQLite and local files under
``var/<instance>``), so that one machine can run several demo agencies side by side.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext

from govcommon.env import env_bool, env_int, env_list, env_str, secret_key

# Lets generic Django classes be subscripted at run time (UserAdmin[User]) for type checking.
django_stubs_ext.monkeypatch()

SRC_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = SRC_DIR.parent
INSTANCE = env_str("SARABAN_INSTANCE", "default")
VAR_DIR = Path(env_str("SARABAN_VAR_DIR", str(REPO_DIR / "var" / "saraban" / INSTANCE)))

SECRET_KEY = secret_key("SARABAN_SECRET_KEY", VAR_DIR)
DEBUG = env_bool("SARABAN_DEBUG", False)
ALLOWED_HOSTS = env_list("SARABAN_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

# The organisation code (in this agency's own org tree) that this installation serves.
SARABAN_AGENCY_CODE = env_str("SARABAN_AGENCY_CODE", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "saraban.web",
    "saraban.audit",
    "saraban.accounts",
    "saraban.correspondence",
    "saraban.receiving",
    "saraban.outgoing",
    "saraban.records",
    "saraban.exchange",
    "saraban.mail",
    "saraban.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "saraban.web.middleware.ThaiFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "saraban.accounts.middleware.IdleTimeoutMiddleware",
    "saraban.web.security.SecurityHeadersMiddleware",
    "saraban.web.security.TwoFactorSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "saraban.web.middleware.AgencyDisplayMiddleware",
    "saraban.web.middleware.AppErrorMiddleware",
]

ROOT_URLCONF = "saraban.config.urls"
WSGI_APPLICATION = "saraban.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "saraban" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "saraban.web.context_processors.agency",
            ],
            "builtins": ["saraban.web.templatetags.thai"],
        },
    }
]

_default_db = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("SARABAN_DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside one writer; IMMEDIATE takes the write lock at BEGIN so that
    # number allocation and the audit chain are serialised without deadlock retries.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A cache all server processes of this installation share (sign-in throttling counts across them).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts-login"
LOGIN_REDIRECT_URL = "web-home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "saraban.accounts.validators.CharacterClassValidator"},
]
# Lockout after repeated failures (per account).
SARABAN_LOGIN_MAX_FAILURES = env_int("SARABAN_LOGIN_MAX_FAILURES", 5)
SARABAN_LOGIN_LOCK_MINUTES = env_int("SARABAN_LOGIN_LOCK_MINUTES", 15)
# Throttling of failed sign-ins (passwords and second-factor codes) per address and per username.
SARABAN_LOGIN_RATE_PER_IP = env_int("SARABAN_LOGIN_RATE_PER_IP", 20)
SARABAN_LOGIN_RATE_PER_USER = env_int("SARABAN_LOGIN_RATE_PER_USER", 10)
SARABAN_LOGIN_RATE_WINDOW_SECONDS = env_int("SARABAN_LOGIN_RATE_WINDOW_SECONDS", 15 * 60)
SARABAN_LOGIN_RATE_BUCKETS = 5
SARABAN_TRUSTED_PROXY_HEADER = env_str("SARABAN_TRUSTED_PROXY_HEADER", "")
# Sessions: absolute limit of one working day, idle limit of 30 minutes.
SESSION_COOKIE_AGE = env_int("SARABAN_SESSION_SECONDS", 8 * 3600)
SARABAN_IDLE_TIMEOUT_SECONDS = env_int("SARABAN_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SARABAN_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # Served over HTTPS only: browsers remember it (HSTS) and the cookies cannot be set by a subdomain.
    SECURE_HSTS_SECONDS = env_int("SARABAN_HSTS_SECONDS", 365 * 24 * 3600)
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LANGUAGE_CODE = "th"
LANGUAGES = [("th", "ไทย"), ("en", "English")]
LOCALE_PATHS = [SRC_DIR / "saraban" / "locale"]
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [
    SRC_DIR / "saraban" / "static",
    ("vendor/sarabun", REPO_DIR / "node_modules" / "@fontsource" / "sarabun"),
    ("vendor/bootstrap", REPO_DIR / "node_modules" / "bootstrap" / "dist"),
]
# Static files are served from the finders (node_modules + app static) without a collect step.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = Path(env_str("SARABAN_MEDIA_ROOT", str(VAR_DIR / "files")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
# Secret letters at rest (correspondence/sealing.py): the master key never enters the database.
SARABAN_MASTER_KEY = env_str("SARABAN_MASTER_KEY", "")
SARABAN_MASTER_KEY_FILE = env_str("SARABAN_MASTER_KEY_FILE", str(VAR_DIR / "master.key"))
SARABAN_MASTER_KEY_AUTOCREATE = env_bool("SARABAN_MASTER_KEY_AUTOCREATE", True)
# A cleared user's search keeps the secret letters' search text it opened in memory (records.openedtexts):
# for this many seconds, at most this many characters per process (0 keeps none).
SARABAN_SEARCH_OPENED_TTL = env_int("SARABAN_SEARCH_OPENED_TTL", 900)
SARABAN_SEARCH_OPENED_CHARS = env_int("SARABAN_SEARCH_OPENED_CHARS", 8_000_000)
SARABAN_MAX_UPLOAD_BYTES = env_int("SARABAN_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)

# Letters: the crest image (a neutral placeholder when empty) and the agency's signing certificate
# (PKCS#12) for PAdES signatures; without a certificate letters carry the typed-name signature only.
SARABAN_CREST_IMAGE = env_str("SARABAN_CREST_IMAGE", "")
SARABAN_SIGNING_P12 = env_str("SARABAN_SIGNING_P12", "")
SARABAN_SIGNING_P12_PASSWORD = env_str("SARABAN_SIGNING_P12_PASSWORD", "")

EMAIL_HOST = env_str("SARABAN_EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = env_int("SARABAN_EMAIL_PORT", 2525)
DEFAULT_FROM_EMAIL = env_str("SARABAN_FROM_EMAIL", "saraban@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SARABAN_LOG_LEVEL", "WARNING")},
}
