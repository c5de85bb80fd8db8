"""ProPass settings: every value an operator may change comes from the environment.

The README lists each variable with its default. With no variables at all, the project runs
on the embedded defaults (SQLite, files on disk, the database task worker, the outbox).
"""

import ipaddress
import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from propass.env import (
    env_bool,
    env_choice,
    env_file_load,
    env_float,
    env_int,
    env_list,
    env_str,
    parse_email_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
# Tests and the type checker load these settings without a deployment around them.
TESTING = "pytest" in sys.modules or "mypy" in sys.modules or sys.argv[1:2] == ["test"]
# `make run` leaves the development settings it serves with (DEBUG, PORT, a SECRET_KEY generated
# once) in this git-ignored file, so that a command in another terminal (`bin/propass outbox --last`)
# runs like the server. Variables set in the environment win; LOCAL_ENV_FILE= (empty) skips it.
LOCAL_ENV_FILE = env_str("LOCAL_ENV_FILE", str(BASE_DIR / "var" / "local.env"))
if LOCAL_ENV_FILE and not TESTING:
    env_file_load(Path(LOCAL_ENV_FILE))
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG or TESTING else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when DEBUG is off (comma-separated host names)")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# E-mail links point here; by default at the port this machine serves (PORT, which `make run`
# and `propass start --port` set for the server's processes).
SITE_URL = env_str("SITE_URL", f"http://127.0.0.1:{env_int('PORT', 8000)}").rstrip("/")

INSTALLED_APPS = [
    "propass.accounts.admin_site.StaffAdminConfig",  # django.contrib.admin, behind staff 2FA
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "django_tasks_db",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "propass.core",
    "propass.accounts",
    "propass.onboarding",
    "propass.catalog",
    "propass.products",
    "propass.points",
    "propass.memberships",
    "propass.billing",
    "propass.notifications",
    "propass.support",
    "propass.service",
    "propass.faq",
    "propass.privacy",
    "propass.program_admin",
    "propass.demo",
    "propass.backoffice",
    "propass.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "propass.core.middleware.PrivateCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "propass.core.middleware.UserLanguageMiddleware",
    "propass.core.middleware.DomainErrorMiddleware",
    "propass.core.middleware.NotFoundPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "propass.urls"
WSGI_APPLICATION = "propass.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "propass" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "propass.accounts.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# SQLite (embedded default) runs in WAL mode with IMMEDIATE transactions, so that several
# web and worker processes can write without "database is locked" upgrades mid-transaction.
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'propass.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 600))}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["CONN_MAX_AGE"] = 0
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    # A file, not memory, so that tests can run threads against it; one per test process, so that
    # two runs in the same checkout (or pytest-xdist's workers) never delete each other's database.
    _db["TEST"] = {"NAME": str(DATA_DIR / f"test-propass-{os.getpid()}.sqlite3")}
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db["CONN_HEALTH_CHECKS"] = True
    # No JIT compilation: a report query estimated expensive spent 400 of its 460 ms compiling
    # (measured on `seed-scale` data); short web queries never gain from it.
    _db.setdefault("OPTIONS", {})["options"] = "-c jit=off"
else:
    raise ImproperlyConfigured("DATABASE_URL must point at SQLite or PostgreSQL")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------
# Rate limits and throttles count here, so it must be shared by every web process: Redis when
# REDIS_URL is set, else a table in the database (created by `migrate`, see core/apps.py).
REDIS_URL = env_str("REDIS_URL")
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "propass_cache",
            # Culling a full table would forget counts; expired rows go first anyway.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }

# Reports and finance totals over the whole program are computed at most this often (seconds)
# and shown "as of" the time they were computed (core/figures.py); 0: on every request.
FIGURES_MAX_AGE = env_int("FIGURES_MAX_AGE", 0 if TESTING else 300)

# --- Background work ------------------------------------------------------------------
# RQ enqueues every job with bounded retries, so that a job whose worker died runs again (core/tasks.py).
RQ = {"QUEUE_CLASS": "propass.core.tasks.RetryingQueue"}
TASKS_BACKEND = env_choice("TASKS_BACKEND", "rq" if REDIS_URL else "database", {"database", "rq", "immediate", "dummy"})
# Money work (issuing invoices) runs on "default"; e-mail delivery and PDFs on "background",
# which a worker serves only when "default" is empty (core/tasks.py, in_background).
TASK_QUEUES = ["default", "background"]
if TASKS_BACKEND == "rq":
    if not REDIS_URL:
        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 600} for name in TASK_QUEUES}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
else:
    TASKS = {
        "default": {
            "BACKEND": {
                "database": "django_tasks_db.DatabaseBackend",
                "immediate": "django.tasks.backends.immediate.ImmediateBackend",
                "dummy": "django.tasks.backends.dummy.DummyBackend",
            }[TASKS_BACKEND],
            "QUEUES": TASK_QUEUES,
        }
    }
SCHEDULER_INTERVAL_SECONDS = env_int("SCHEDULER_INTERVAL_SECONDS", 60)
# How often a task may lose its worker (kill -9, a lost machine) before it is failed for good.
TASK_MAX_ATTEMPTS = env_int("TASK_MAX_ATTEMPTS", 3)

# --- Accounts and passwords -----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The page above, or the API's JSON error under /api/.
AXES_LOCKOUT_CALLABLE = "propass.api.errors.lockout_response"
# Counted per e-mail AND client address (TRUSTED_PROXIES), in the database (AxesDatabaseHandler).
AXES_CLIENT_IP_CALLABLE = "propass.core.ratelimit.client_address"
AXES_VERBOSE = False
SET_PASSWORD_TOKEN_HOURS = env_int("SET_PASSWORD_TOKEN_HOURS", 72)
# Staff confirm their login with a code from an authenticator app (TOTP, django-otp).
OTP_TOTP_ISSUER = "ProPass"

# --- Languages ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("it", _("Italian")),
    ("es", _("Spanish")),
    ("de", _("German")),
    ("fr", _("French")),
    ("nl", _("Dutch")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["propass.formats"]
USE_I18N = True
TIME_ZONE = env_str("TIME_ZONE", "Europe/Amsterdam")
USE_TZ = True
LANGUAGE_COOKIE_SECURE = not (DEBUG or TESTING)
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static files and uploads ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "propass" / "static"]
# Uploads are private: no MEDIA_URL is routed; files are served only by views that check
# that the caller may see them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "private")))
MEDIA_STORAGE = env_choice("MEDIA_STORAGE", "filesystem", {"filesystem", "s3"})
_static_storage = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG or TESTING
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
if MEDIA_STORAGE == "s3":
    # Needs the s3 extra (uv sync --extra s3); django-storages reads AWS_* from the environment.
    STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env_str("S3_BUCKET"),
                "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
        "staticfiles": {"BACKEND": _static_storage},
    }
else:
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"base_url": None}},
        "staticfiles": {"BACKEND": _static_storage},
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------
MAILERS = {"default": parse_email_url(env_str("EMAIL_URL", "outbox:"))}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ProPass <donotreply@propass.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 8)

# --- VIES (the EU's VAT number service) ---------------------------------------------------
# EU VAT numbers given by an application or a business, and the buyer's number on a reverse-charge
# invoice, are checked with VIES and its answer kept as evidence (core/vies.py). On by default in
# production (PostgreSQL), off on the embedded SQLite setup, and always off under tests unless a
# test turns it on (against the fake server of propass/testing/vies.py): the suite never calls out.
VIES_ENABLED = env_bool("VIES_ENABLED", _db["ENGINE"] == "django.db.backends.postgresql") and not TESTING
VIES_URL = env_str("VIES_URL", "https://ec.europa.eu/taxation_customs/vies/rest-api").rstrip("/")
VIES_TIMEOUT = env_float("VIES_TIMEOUT", 10.0)

# --- Payments -------------------------------------------------------------------------
PAYMENT_PROVIDER = env_choice("PAYMENT_PROVIDER", "sandbox", {"sandbox", "stripe"})
# Stripe (PAYMENT_PROVIDER=stripe): the secret key makes the calls, the webhook secret checks the
# signature of the events Stripe sends; the publishable key is for Stripe.js in a browser.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE", "https://api.stripe.com").rstrip("/")
if PAYMENT_PROVIDER == "stripe" and not TESTING:
    if not STRIPE_SECRET_KEY.startswith(("sk_", "rk_")):
        raise ImproperlyConfigured("PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY (sk_… or a restricted rk_… key)")
    if not STRIPE_WEBHOOK_SECRET:
        raise ImproperlyConfigured("PAYMENT_PROVIDER=stripe needs STRIPE_WEBHOOK_SECRET (whsec_…) to verify events")

# --- Security -------------------------------------------------------------------------
_secure = not (DEBUG or TESTING)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _secure)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _secure)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if _secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The load balancers and proxies in front of ProPass (addresses or networks). Behind them the
# client's address is the right-most untrusted one in X-Forwarded-For (core/ratelimit.py), which
# rate limits and the login lock-out count by; empty: the socket's address, headers ignored.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from None
BEHIND_PROXY = env_bool("BEHIND_PROXY", bool(TRUSTED_PROXIES))
if BEHIND_PROXY and not TRUSTED_PROXIES:
    raise ImproperlyConfigured(
        "BEHIND_PROXY=true needs TRUSTED_PROXIES (the load balancer's addresses or networks): otherwise "
        "every client would share the load balancer's address for rate limits and the login lock-out"
    )
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "knox.auth.TokenAuthentication",
        "propass.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "propass.api.pagination.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "propass.api.schema.AutoSchema",  # declares the error answers
    "EXCEPTION_HANDLER": "propass.api.errors.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"auth": env_str("API_AUTH_THROTTLE", "20/minute")},
    # Throttles count by propass.core.rest.ClientRateThrottle's address; 0 keeps any stock
    # DRF throttle on the socket's address rather than on a header the client writes.
    "NUM_PROXIES": 0,
    "COERCE_DECIMAL_TO_STRING": True,
}
# API tokens (django-rest-knox): a new one per `POST /api/v1/auth/token/`, stored hashed, each
# valid for API_TOKEN_TTL_HOURS (default 30 days), sent as `Authorization: Token <key>`.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 24 * 30)
if API_TOKEN_TTL_HOURS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_HOURS must be at least 1")
REST_KNOX = {"TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS), "AUTH_HEADER_PREFIX": "Token"}
SPECTACULAR_SETTINGS = {
    "TITLE": "ProPass API",
    "DESCRIPTION": "Membership program: applications, products, points, subscriptions, invoices.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStatusEnum": "propass.onboarding.enums.ApplicationStatus",
        "SubscriptionStatusEnum": "propass.memberships.enums.SubscriptionStatus",
        "BenefitKindEnum": "propass.memberships.enums.BenefitKind",
        "LoanConditionEnum": "propass.service.enums.LoanCondition",
    },
}

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The Stripe library logs every request at INFO; its errors reach us as exceptions anyway.
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}, "stripe": {"level": "WARNING"}},
}
