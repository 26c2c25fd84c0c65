"""One settings module: every knob comes from the environment (KEFU_*), with embedded defaults.

The embedded default needs no service at all (SQLite in WAL mode under ``var/``, in-memory channel
layer, local-memory cache); ``KEFU_DATABASE_URL`` / ``KEFU_REDIS_URL`` switch to PostgreSQL / Redis.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("KEFU_VAR_DIR", Path.cwd() / "var")).resolve()


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """An explicit key wins; otherwise one is generated once and kept under var/ so sessions survive restarts."""
    if key := os.environ.get("KEFU_SECRET_KEY"):
        return key
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = _env_bool("KEFU_DEBUG", False)
SECRET_KEY = _secret_key()
# Keyed separately so that rotating the session secret does not invalidate the audit chain.
AUDIT_KEY = os.environ.get("KEFU_AUDIT_KEY", "") or f"audit:{SECRET_KEY}"
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("KEFU_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("KEFU_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
    "kefu.core",
    "kefu.org",
    "kefu.policy",
    "kefu.channel",
    "kefu.compliance",
    "kefu.complaints",
    "kefu.performance",
    "kefu.staffing",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kefu.core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kefu.urls"
WSGI_APPLICATION = "kefu.wsgi.application"
ASGI_APPLICATION = "kefu.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kefu.core.context_processors.navigation",
                "kefu.core.context_processors.plotly",
            ],
        },
    },
]


def _database() -> dict[str, object]:
    url = os.environ.get("KEFU_DATABASE_URL", "")
    if url:
        # Under ASGI every request may run on its own thread; persistent connections would pile up
        # until PostgreSQL refuses more, so each request opens and closes its own (use a pooler at scale).
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=0))
        config.setdefault("TEST", {"NAME": os.environ.get("KEFU_TEST_DATABASE_NAME") or None})
        return config
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "kefu.core.sqlite",  # Django's, with in-process writers queued fairly (core/sqlite/base.py)
        "NAME": os.environ.get("KEFU_SQLITE_PATH", str(VAR_DIR / "kefu.sqlite3")),
        "OPTIONS": {
            # WAL lets readers run beside the writer; IMMEDIATE makes writers queue for the lock at
            # BEGIN (waiting up to `timeout`) instead of failing mid-transaction with "database is locked".
            "init_command": "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA busy_timeout=20000",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Tests use an in-memory database (Django's default for SQLite), named so that pytest-django's
        # parallel workers also know it is in memory despite the custom engine.
        "TEST": {"NAME": ":memory:"},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def redis_channel_layer(url: str, *, prefix: str) -> dict[str, Any]:
    """channels-redis on `url`. It waits for messages with BZPOPMIN for 5 s, and redis-py ≥ 8 gives up
    reading a socket after 5 s by default: the two race and an idle consumer dies with "Timeout reading
    from …". The read may therefore last as long as the server's wait plus a margin."""
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": url, "socket_timeout": 30}], "prefix": prefix},
    }


REDIS_URL = os.environ.get("KEFU_REDIS_URL", "")
if REDIS_URL:
    # Parallel test workers (pytest-xdist sets PYTEST_XDIST_WORKER) share one Redis: each keeps to its own
    # keys, or one worker's login throttle or chat groups would leak into another's tests.
    _key_space = "kefu" + os.environ.get("PYTEST_XDIST_WORKER", "")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": _key_space,
        }
    }
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL, prefix=_key_space)}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kefu"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed logins per username+address before a cool-down, and how long the cool-down lasts.
LOGIN_MAX_FAILURES = int(os.environ.get("KEFU_LOGIN_MAX_FAILURES", "5"))
LOGIN_LOCKOUT_SECONDS = int(os.environ.get("KEFU_LOGIN_LOCKOUT_SECONDS", "900"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _env_bool("KEFU_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LANGUAGE_CODE = os.environ.get("KEFU_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("KEFU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served by WhiteNoise straight from the app folders, so `make run` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# Alerts and reminders go out by e-mail as well as in the app; the console backend prints them until
# an SMTP server is configured (KEFU_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend, EMAIL_*).
EMAIL_BACKEND = os.environ.get("KEFU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("KEFU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KEFU_EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("KEFU_EMAIL_FROM", "kefu@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KEFU_LOG_LEVEL", "INFO")},
}

# --- channel (issue 4) ---
# Largest chat upload (images, PDF); type is checked from the bytes, not the name.
KEFU_CHANNEL_MAX_UPLOAD_BYTES = int(os.environ.get("KEFU_CHANNEL_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
