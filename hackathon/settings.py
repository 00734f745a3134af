"""Settings of the hackathon platform, read from environment variables.

Development needs nothing installed: without ``DATABASE_URL`` the platform uses SQLite, without
``REDIS_URL`` Celery runs tasks eagerly and the cache lives in memory, without ``EMAIL_URL`` mail
is printed on the console. Production is ``DEBUG=false`` and refuses to start without the
variables it needs (see ``PRODUCTION_REQUIRED``).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from hackathon.config import (
    parse_email_url,
    read_bool,
    read_fraction,
    read_int,
    read_list,
    require_in_production,
)
from hackathon.monitoring import parse_admins, start_error_reports

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = read_bool("DEBUG", default=True)
PRODUCTION_REQUIRED = ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"]
if not DEBUG:
    require_in_production(PRODUCTION_REQUIRED)

# The development key is public on purpose: production refuses to start without its own.
SECRET_KEY = (
    os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-use-in-production-0123456789"
)
ALLOWED_HOSTS = read_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = read_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "hackathon.apps.HackathonAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "template_partials",
    "django_htmx",
    "django_countries",
    "csp",
    "challenges",
    "accounts",
    "teams",
    "scoring",
    "challenges.include",
    "challenges.stereotypes",
    "challenges.blend",
    "challenges.preferences",
    "challenges.projects",
    "challenges.arena",
    "hub",
    "notifications",
    "announcements",
    "schedule",
    "judging",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "hackathon.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Remembered lookups (edition, challenge, team, profile) for the request: hackathon.memo.
    "hackathon.memo.MemoMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "challenges.middleware.EditionMiddleware",
    "challenges.middleware.AdminTimeZoneMiddleware",
    # Last: its 413 page needs the language, the user and the edition set above it.
    "hackathon.middleware.RequestSizeLimitMiddleware",
]

# Request sizes. A body over MAX_REQUEST_BYTES (by its declared length) is refused before it
# is read: the largest upload is a paper of 20 MB (challenges.projects.models.PAPER_MAX_BYTES;
# datasets are 10 MB, challenges.uploads.MAX_UPLOAD_BYTES), plus the form around it. The proxy
# in front refuses the same size (docker-compose.yml). Django's own limits apply to what it
# reads: 2.5 MB of text fields, 1,000 fields, 100 files.
MAX_REQUEST_BYTES = read_int("MAX_REQUEST_BYTES", default=21 * 1024 * 1024)

# Per-request lookups that rarely change (edition, challenge, team, profile) are remembered by
# each web process and forgotten on change (hackathon.memo).
REMEMBER_LOOKUPS = read_bool("REMEMBER_LOOKUPS", default=True)

ROOT_URLCONF = "hackathon.urls"
WSGI_APPLICATION = "hackathon.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% url %} remembered by each process (hackathon.templatetags.remembered_urls).
            "builtins": ["hackathon.templatetags.remembered_urls"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "challenges.context_processors.current_edition",
                "accounts.context_processors.roles",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# Databases: SQLite by default, anything dj-database-url understands otherwise.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=read_int("DATABASE_CONN_MAX_AGE", default=60 if DATABASE_URL else 0),
        conn_health_checks=bool(DATABASE_URL),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that polls the socket instead of a round trip.
    DATABASES["default"]["ENGINE"] = "hackathon.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a lock instead of failing at once when two requests write together.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis is the broker and the shared cache when it is configured.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "hackathon.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "hackathon"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Each process's own copies of template fragments that are the same for many people (the site's
# header, head and footer in templates/base.html, a challenge's navigation, the top of its
# "next item" pages, an empty form's fields), keyed by everything they show.
# (hackathon.apps empties it when runserver sees a template change.) Entries of old keys
# (a renamed edition, another unread count) are culled past MAX_ENTRIES.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
# Without a broker (eager Celery: the demo), a slow task a page hands over (an upload's check,
# a sync, a publication, a personal-data scan, an arena answer) runs in a thread beside the
# request instead of inside it (hackathon.background): the page answers at once and follows
# the task's progress, as with a worker. The tests run such tasks inside the request
# (tests/conftest.py), where what they store is awaited; the tests of the threads turn it on.
EAGER_TASKS_IN_THREADS = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# A task whose worker died before acknowledging it goes to another worker after this long
# (Redis); longer than any task's countdown (the email retries wait 30 min at most). Workers
# look for such tasks every CELERY_UNACKED_RESTORE_SECONDS: kombu 5.7 scans on every tenth of
# its sweeps by default (unacked_restore_throttle), 100 s apart; here every sweep scans.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": read_int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=3600),
    "unacked_restore_interval": read_int("CELERY_UNACKED_RESTORE_SECONDS", default=10),
    "unacked_restore_throttle": 1,
}

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, remembering the signed-in person's row per process (accounts.backends).
# Sessions of the two originals (before 2026-12) sign in again once.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
# Sessions are read from the shared cache (without a round trip while they have not changed:
# hackathon.sessions), and written to it and to the database (a Redis restart keeps everyone
# signed in).
SESSION_ENGINE = "hackathon.sessions"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"

# django-allauth: email and password, verified email, allauth's default rate limits.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "challenges:home"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_RATE_LIMITS_ENABLED = read_bool("ACCOUNT_RATE_LIMITS_ENABLED", default=True)
# Per client address (see TRUSTED_PROXY_COUNT), per minute unless said. A classroom or a meetup
# behind one address signs up together on launch day: 30 sign-ups a minute per address. Failed
# logins slow down the account tried (5 in 5 minutes per email), and the address trying many
# accounts (10 a minute), never the whole site; allauth's defaults for the rest.
ACCOUNT_RATE_LIMITS = (
    {"signup": "30/m/ip", "login": "30/m/ip", "login_failed": "10/m/ip,5/300s/key"}
    if ACCOUNT_RATE_LIMITS_ENABLED
    else False
)
# The client's address for those limits: REMOTE_ADDR, or behind this many proxies of ours (the
# HTTPS proxy: 1) the address the outermost one appended to X-Forwarded-For. With 0 the header
# is ignored: anyone can send one, so it counts only when a proxy of ours wrote it.
ALLAUTH_TRUSTED_PROXY_COUNT = read_int("TRUSTED_PROXY_COUNT", default=0)
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[SomosNLP Hackathon] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
# How emails name the site ("Hello from …", "Thank you for using …"): its name, and the domain
# people reach it at (empty: the host of the request that sent the email).
SITE_NAME = os.environ.get("SITE_NAME", "Hackathon SomosNLP")
SITE_DOMAIN = os.environ.get("SITE_DOMAIN", "")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
SOCIALACCOUNT_ADAPTER = "accounts.adapters.HubSocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False

# Sign in with Hugging Face: the Hub is an OpenID Connect server; allauth's generic provider.
HF_OAUTH_CLIENT_ID = os.environ.get("HF_OAUTH_CLIENT_ID", "")
HF_OAUTH_CLIENT_SECRET = os.environ.get("HF_OAUTH_CLIENT_SECRET", "")
HF_OAUTH_SERVER_URL = os.environ.get("HF_OAUTH_SERVER_URL", "https://huggingface.co")
HF_OAUTH_ENABLED = bool(HF_OAUTH_CLIENT_ID and HF_OAUTH_CLIENT_SECRET)
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": (
            [
                {
                    "provider_id": "huggingface",
                    "name": "Hugging Face",
                    "client_id": HF_OAUTH_CLIENT_ID,
                    "secret": HF_OAUTH_CLIENT_SECRET,
                    "settings": {
                        "server_url": HF_OAUTH_SERVER_URL,
                        "oauth_pkce_enabled": True,
                        "scope": ["openid", "profile", "email", "read-memberships"],
                    },
                }
            ]
            if HF_OAUTH_ENABLED
            else []
        ),
    }
}

# The Hugging Face Hub (used by the Hub sync).
HF_TOKEN = os.environ.get("HF_TOKEN", "")
HF_ENDPOINT = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
HF_ORG = os.environ.get("HF_ORG", "")
# Where the collected datasets are published when there is no Hub token.
PUBLISHED_DATASETS_DIR = Path(os.environ.get("PUBLISHED_DATASETS_DIR", BASE_DIR / "published"))
# The periodic sync (Celery beat); 0 turns it off.
HUB_SYNC_INTERVAL_SECONDS = read_int("HUB_SYNC_INTERVAL_SECONDS", default=3600)
# A running sync renews its lease at every progress save; one whose lease is older than this
# was cut off (a worker killed): the next run takes over and completes its work.
HUB_SYNC_LEASE_SECONDS = read_int("HUB_SYNC_LEASE_SECONDS", default=90)
# A run still queued (no worker took it) this long after it was queued is given up.
HUB_SYNC_STALE_SECONDS = read_int("HUB_SYNC_STALE_SECONDS", default=2 * 3600)
# Incremental listings stop at what was seen; a full one (which notices deleted repositories)
# runs at least this often.
HUB_FULL_LISTING_HOURS = read_int("HUB_FULL_LISTING_HOURS", default=24)

# Arena vote hygiene, as FastChat's battle cleaning does it: a vote whose answers name a model
# or its maker (whole words, case aside) was not blind, and is kept flagged, out of the
# dataset. FastChat's list, with today's models; not "meta" alone, which is "goal" in Spanish
# and Portuguese.
ARENA_IDENTITY_WORDS = read_list(
    "ARENA_IDENTITY_WORDS",
    default=[
        "gpt", "chatgpt", "openai", "claude", "anthropic", "gemini", "bard", "palm", "lamda",
        "google", "deepmind", "llama", "meta ai", "mistral", "mixtral", "qwen", "alibaba",
        "deepseek", "vicuna", "lmsys", "koala", "chatglm", "open assistant", "laion",
        "uc berkeley",
    ],
)  # fmt: skip
# Votes a person has counted per day (the edition's time zone); later ones are kept flagged.
ARENA_DAILY_VOTE_CAP = read_int("ARENA_DAILY_VOTE_CAP", default=50)
# The arena inside the platform: a model's answer may take this long in all, and stop sending
# for at most ARENA_READ_TIMEOUT_SECONDS; the page sees the text grow every
# ARENA_FLUSH_SECONDS (the text so far is kept in the cache, the row written at the end); a
# battle has at most ARENA_MAX_TURNS messages from the person. The arena worker's threads (one
# per answer streaming) use at most ARENA_WORKER_DATABASE_CONNECTIONS connections at once.
ARENA_ANSWER_SECONDS = read_int("ARENA_ANSWER_SECONDS", default=90)
ARENA_READ_TIMEOUT_SECONDS = read_int("ARENA_READ_TIMEOUT_SECONDS", default=30)
# Half the page's poll (every second): a quarter of a second cost the worker a cache write per
# four chunks (of hundreds of answers at once) that the page mostly never read.
ARENA_FLUSH_SECONDS = float(os.environ.get("ARENA_FLUSH_SECONDS", "0.5"))
ARENA_WORKER_DATABASE_CONNECTIONS = read_int("ARENA_WORKER_DATABASE_CONNECTIONS", default=10)
ARENA_MAX_TURNS = read_int("ARENA_MAX_TURNS", default=5)
# Resamples of the battles behind the ratings' 95% intervals.
ARENA_BOOTSTRAP_ROUNDS = read_int("ARENA_BOOTSTRAP_ROUNDS", default=200)
# Streaming answers wait on the models' servers, not the CPU: they run on a queue of their own,
# served by a worker of many threads (docker-compose.yml's arena-worker), so that 200 battles
# at once hold none of the workers that check uploads or sync the Hub.
CELERY_TASK_ROUTES = {"challenges.arena.tasks.stream_answer_task": {"queue": "arena"}}
CELERY_BEAT_SCHEDULE = (
    {
        "sync-hub-organization": {
            "task": "hub.tasks.sync_current_edition",
            "schedule": float(HUB_SYNC_INTERVAL_SECONDS),
        }
    }
    if HUB_SYNC_INTERVAL_SECONDS > 0
    else {}
)
# Notifications: events of one kind for one person within this many seconds share one email;
# the beat releases collected emails every NOTIFICATIONS_RELEASE_SECONDS and sends reminders.
# Without a broker (the demo) there is no beat to release them: no grouping, sent at once.
NOTIFICATIONS_GROUP_SECONDS = read_int(
    "NOTIFICATIONS_GROUP_SECONDS", default=300 if REDIS_URL else 0
)
NOTIFICATIONS_RELEASE_SECONDS = read_int("NOTIFICATIONS_RELEASE_SECONDS", default=60)
CELERY_BEAT_SCHEDULE |= {
    "release-notification-emails": {
        "task": "notifications.tasks.release_emails_task",
        "schedule": float(NOTIFICATIONS_RELEASE_SECONDS),
    },
    "remind-incomplete-projects": {
        "task": "notifications.tasks.remind_incomplete_projects_task",
        "schedule": 3600.0,
    },
    "remind-closing-windows": {
        "task": "notifications.tasks.remind_closing_windows_task",
        "schedule": 900.0,
    },
}

# Announcements are also posted, once each, to the Discord channel of this webhook (empty: not).
DISCORD_WEBHOOK_URL = os.environ.get("DISCORD_WEBHOOK_URL", "")
# Anonymous feedback on a challenge's guides: at most this many per browser (django-ratelimit's
# "count/period" form: s, m, h or d).
GUIDE_FEEDBACK_RATE = os.environ.get("GUIDE_FEEDBACK_RATE", "5/h")
CELERY_BEAT_SCHEDULE["arena-fail-stale-answers"] = {
    "task": "challenges.arena.tasks.fail_stale_answers_task",
    "schedule": 300.0,
}

# Email
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
globals().update(parse_email_url(EMAIL_URL))
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "SomosNLP Hackathon <hackathon@somosnlp.org>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The site's address as people reach it, for links in emails (unsubscribe, notifications).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Internationalization: Spanish first, then Portuguese and English.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("pt", _("Portuguese")), ("en", _("English"))]
# locale_overrides/ holds django-allauth's texts as the site speaks (tú; Brazilian Portuguese,
# where allauth's catalog for "pt" is pt_PT): hand-maintained, as makemessages --no-obsolete
# would drop them from locale/. Every LOCALE_PATHS catalog wins over allauth's; of the two, the
# first listed wins, so the project's own translation of a msgid they share stays the one shown
# (and makemessages keeps writing to locale/, the first).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# Countries of the community come first in every country list.
COUNTRIES_FIRST = [
    "AR", "BO", "BR", "CL", "CO", "CR", "CU", "DO", "EC", "SV", "GT", "HN", "MX", "NI",
    "PA", "PY", "PE", "PR", "UY", "VE", "ES", "PT", "AD", "GQ",
]  # fmt: skip
COUNTRIES_FIRST_BREAK = "──────────"
COUNTRIES_FIRST_REPEAT = False

# Static files
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

# Security: production is served over HTTPS behind a proxy that sets X-Forwarded-Proto.
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = read_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Strict-Transport-Security only when asked for: browsers remember it (preload lists for good),
# so it is turned on once the site, and with INCLUDE_SUBDOMAINS every subdomain, stays on HTTPS.
SECURE_HSTS_SECONDS = read_int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = read_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = read_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from the site's static files (htmx included; base.html turns off
# htmx's inline indicator styles and its eval), no inline script. Style attributes are allowed:
# the leaderboard's bars are as wide as their points. Forms post to the site, and to the Hub
# when signing in with Hugging Face (the redirect after the POST counts).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF, *([HF_OAUTH_SERVER_URL] if HF_OAUTH_ENABLED else [])],
        "frame-ancestors": [NONE],
        # The judges' project page embeds the team's demo Space (served from *.hf.space).
        "frame-src": ["https://*.hf.space"],
    }
}
# Features no page uses, turned off for every page and anything injected into one.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
        "payment", "usb",
    )
}  # fmt: skip

# Errors. Every log record is a JSON line on the standard error (hackathon.json_logging); an
# unhandled error (django.request) also goes to Sentry when SENTRY_DSN is set, otherwise by mail
# to ADMINS ("name:email,name:email"). Django's own handlers are replaced: its records reach the
# root's JSON lines.
ADMINS = parse_admins(os.environ.get("ADMINS", ""))
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    start_error_reports(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "development" if DEBUG else "production"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "hackathon.json_logging.JsonLineFormatter"}},
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json"},
        "mail_admins": {
            "level": "ERROR",
            "filters": ["require_debug_false"],
            "class": "django.utils.log.AdminEmailHandler",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"handlers": [] if SENTRY_DSN else ["mail_admins"], "propagate": True},
        "django.db.backends": {"level": "INFO"},
    },
}

# Teams and lists
PAGE_SIZE = read_int("PAGE_SIZE", default=25)

# The organizers' validators page: what it highlights (challenges.domain.validator_stats).
# A validator who approved everything with a median under this many seconds per decision.
PEER_VALIDATION_FAST_SECONDS = read_int("PEER_VALIDATION_FAST_SECONDS", default=5)
# Two teams each of which approved at least this many of the other's items.
PEER_VALIDATION_RECIPROCAL_APPROVALS = read_int("PEER_VALIDATION_RECIPROCAL_APPROVALS", default=10)

# Uploads: each is checked by a Celery task; a person has one at a time being checked, and at
# most this many an hour. One still queued or checking after UPLOAD_STALE_MINUTES (a worker
# lost for good) no longer holds the person back.
UPLOADS_PER_HOUR = read_int("UPLOADS_PER_HOUR", default=20)
UPLOAD_STALE_MINUTES = read_int("UPLOAD_STALE_MINUTES", default=15)

# Uploaded items at least this similar (estimated Jaccard similarity of their character
# shingles) to an item already stored, or to an earlier row, wait for review as possible
# duplicates (challenges.near_duplicates). The index's bands follow it: after changing it, run
# `manage.py index_near_duplicates`.
NEAR_DUPLICATE_THRESHOLD = read_fraction("NEAR_DUPLICATE_THRESHOLD", default=0.8)
