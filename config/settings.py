"""govmatrix settings. Everything that differs between machines comes from the environment.

GOVMATRIX_PRODUCTION=1 switches on production mode, which refuses to start without
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS. DATABASE_URL selects the database
(postgres://… in production and CI); without it a local SQLite file is used.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_required, env_str
from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION = env_bool("GOVMATRIX_PRODUCTION")

if PRODUCTION:
    SECRET_KEY = env_required("DJANGO_SECRET_KEY", "it signs sessions and tokens")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must be set in production mode: the host names this service answers to"
        )
    DEBUG = False
else:
    # A fixed key is acceptable only because development mode never holds real data.
    SECRET_KEY = "development-only-insecure-key-never-use-with-real-data"
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
    DEBUG = env_bool("DJANGO_DEBUG", True)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # Before rest_framework.authtoken: its drf_create_token (a refusal) replaces DRF's, which skips the second factor.
    "config.apps.ProjectConfig",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "matrix",
    "sharing",
    "audit",
    "transparency",
    "accounts",
    "django_prometheus",
    "django_structlog",
]

MIDDLEWARE = [
    "config.health.ProbeMiddleware",  # first: probes answer before host checks and the HTTPS redirect
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.errors.DrainUnreadBodyMiddleware",
    "config.errors.NulInPathMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "config.security.SessionLimitsMiddleware",
    "config.twofactor.TwoFactorMiddleware",
    "audit.context.RequestContextMiddleware",
    "django_structlog.middlewares.RequestMiddleware",  # after the audit context: logs share its request id
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]
# The benchmark (bench/) reads each request's SQL time from a Server-Timing header; never in production.
if env_bool("GOVMATRIX_SQL_TIMING"):
    if PRODUCTION:
        raise ImproperlyConfigured("GOVMATRIX_SQL_TIMING is for benchmarks only; unset it in production mode")
    MIDDLEWARE.insert(0, "config.sqltiming.SQLTimingMiddleware")  # outermost: session and sign-in SQL count too

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.main_menu",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
# A password given on its own needs no URL quoting (a "/" or "#" in DATABASE_URL breaks the URL).
if env_str("DATABASE_PASSWORD", ""):
    DATABASES["default"]["PASSWORD"] = env_str("DATABASE_PASSWORD", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take SQLite's lock when their transaction begins, so the audit chain's
    # read-the-last-entry-then-append step cannot interleave with another writer.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out user and address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Production serves the collected, hashed files; development serves straight from the source folders.
STATIC_ROOT = Path(env_str("GOVMATRIX_STATIC_ROOT", str(BASE_DIR / "staticfiles"))) if PRODUCTION else None
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.tokens.SecondFactorTokenAuthentication",
        "config.tokens.SecondFactorSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "EXCEPTION_HANDLER": "matrix.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("GOVMATRIX_API_ANON_RATE", "30/minute"),
        "user": env_str("GOVMATRIX_API_USER_RATE", "600/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "govmatrix API",
    "DESCRIPTION": (
        "Governed intelligence record management. Every endpoint applies the same borough gating "
        "and business rules as the browser interface."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ShareableFieldEnum": "sharing.choices.ShareableField",
        "AccessActionEnum": "audit.models.Action",
        "AccessOutcomeEnum": "audit.models.Outcome",
        "OutcomeEnum": "matrix.models.ReviewOutcome",  # the name it had before the access log API
    },
    # Every operation documents the error answers it can give (401, 403, 429; 404 and 400 where they apply).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.openapi.add_error_responses",
    ],
}

GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no anonymous guardian user: outsiders never hold object permissions

# Domain settings (docs/rules.md, Reviews and lapse; docs/access.md, Break-glass access): how long an approval
# lasts before review, and break-glass limits.
GOVMATRIX_REVIEW_PERIOD_DAYS = env_int("GOVMATRIX_REVIEW_PERIOD_DAYS", 90)
GOVMATRIX_BREAK_GLASS_MAX_HOURS = env_int("GOVMATRIX_BREAK_GLASS_MAX_HOURS", 24)
# After removal, personal data is kept this long (for complaints and proceedings), then erased.
GOVMATRIX_RETENTION_DAYS = env_int("GOVMATRIX_RETENTION_DAYS", 365)
# Every erasure is also appended to this file, kept apart from the database and never restored with it, so that
# `replay_erasures` erases again whoever a restore brings back (docs/backup-and-restore.md).
GOVMATRIX_ERASURE_LEDGER = Path(
    env_str(
        "GOVMATRIX_ERASURE_LEDGER",
        "/var/lib/govmatrix/erasure-ledger.jsonl" if PRODUCTION else str(BASE_DIR / "erasure-ledger.jsonl"),
    )
)
GOVMATRIX_REFERENCE_PREFIX = "GM"
# The access log's "unusual activity" list names anyone who viewed more distinct subjects than this in one hour.
GOVMATRIX_UNUSUAL_VIEWS_PER_HOUR = env_int("GOVMATRIX_UNUSUAL_VIEWS_PER_HOUR", 50)
# At most this many access-log entries are checked in one API request (about 4 s); the nightly
# `verify_audit` checks the whole log.
GOVMATRIX_CHAIN_CHECK_REQUEST_LIMIT = env_int("GOVMATRIX_CHAIN_CHECK_REQUEST_LIMIT", 50_000)

# Sessions end after 15 minutes without activity and 8 hours after sign-in, whatever the activity.
SESSION_COOKIE_AGE = env_int("GOVMATRIX_SESSION_IDLE_SECONDS", 15 * 60)
SESSION_SAVE_EVERY_REQUEST = True
GOVMATRIX_SESSION_ABSOLUTE_SECONDS = env_int("GOVMATRIX_SESSION_ABSOLUTE_SECONDS", 8 * 60 * 60)

# Five failed sign-ins for one username from one address lock that pair out for 15 minutes (HTTP 429).
AXES_FAILURE_LIMIT = env_int("GOVMATRIX_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("GOVMATRIX_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Two-factor authentication (TOTP) is required for every role in production mode.
GOVMATRIX_REQUIRE_2FA = env_bool("GOVMATRIX_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = "govmatrix"

# No inline script or style anywhere; every asset comes from this service.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# Logs: JSON lines on standard output in production mode (readable lines in development); see config/logs.py.
LOGGING = logging_config(
    level=env_str("GOVMATRIX_LOG_LEVEL", "INFO" if PRODUCTION else "WARNING").upper(),
    json_lines=env_bool("GOVMATRIX_LOG_JSON", PRODUCTION),
)
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False

# /metrics answers only callers from these networks (and never through the proxy): config/metrics.py.
GOVMATRIX_METRICS_NETWORKS = env_list("GOVMATRIX_METRICS_NETWORKS", ["127.0.0.0/8", "::1/128"])
