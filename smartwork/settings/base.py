"""Settings shared by every environment, read from the environment (django-environ)."""

from pathlib import Path
from urllib.parse import urlsplit

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1"])

# Where people reach the product: scheme, the consultancy's (public) host and port, as browsers see
# them through the proxy. Absolute links (invitation and reset e-mails, the hand-over to a workspace)
# are built from it, never from the app server's own address. Every client lives on its own domain,
# reached with the same scheme and port.
PUBLIC_URL = env("SMARTWORK_PUBLIC_URL", default="http://localhost:8000").rstrip("/")
PUBLIC_HOST = env("SMARTWORK_PUBLIC_HOST", default=urlsplit(PUBLIC_URL).hostname)
# The number of reverse proxies in front of the app server whose X-Forwarded-For entries are trusted:
# the client's address is the one the outermost of them saw (smartwork.netaddr.client_address).
TRUSTED_PROXY_COUNT = env.int("SMARTWORK_TRUSTED_PROXY_COUNT", default=0)
# Where tenant domains are made when a form only asks for a slug: <slug>.<TENANT_DOMAIN_SUFFIX>.
TENANT_DOMAIN_SUFFIX = env("SMARTWORK_TENANT_DOMAIN_SUFFIX", default="localhost")
# Number of migrated, unclaimed tenant schemas kept ready; 0 turns the pool off.
TENANT_POOL_SIZE = env.int("SMARTWORK_TENANT_POOL_SIZE", default=3)
# Parallel workers for migrate_tenants.
MIGRATE_TENANTS_PARALLEL = env.int("SMARTWORK_MIGRATE_TENANTS_PARALLEL", default=2)

SHARED_APPS = [
    "django_tenants",
    "engagements",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, not a CDN
    "django_htmx",
    "axes",
    "django_ratelimit",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "apikeys",
    "audits",
    "designs",
    "metrics",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "engagements.Client"
TENANT_DOMAIN_MODEL = "engagements.Domain"
PUBLIC_SCHEMA_NAME = "public"
PUBLIC_SCHEMA_URLCONF = "smartwork.urls_public"
ROOT_URLCONF = "smartwork.urls_tenant"
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
TENANT_MULTIPROCESSING_MAX_PROCESSES = MIGRATE_TENANTS_PARALLEL

MIDDLEWARE = [
    "smartwork.middleware.RequestSanityMiddleware",
    "smartwork.middleware.HostTenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "engagements.middleware.TenantReadinessMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "engagements.middleware.HostBoundSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "smartwork.middleware.NotAllowedPageMiddleware",
]
CSRF_FAILURE_VIEW = "engagements.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "smartwork" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "engagements.context_processors.workspace",
            ],
        },
    },
]

WSGI_APPLICATION = "smartwork.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/smartwork")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
# A socket URL (postgres://user@/db?host=/path) arrives as OPTIONS["host"]; keep it in HOST, where
# Django and the test helpers look for it.
DATABASES["default"]["HOST"] = DATABASES["default"]["HOST"] or DATABASES["default"].get("OPTIONS", {}).pop("host", "")
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every cache key carries the schema it was made in: no entry crosses tenants.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env("SMARTWORK_CACHE_PREFIX", default="sw"),
    },
    # Counters that must span hosts (sign-in limits per address): no tenant in the key.
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("SMARTWORK_CACHE_PREFIX", default="sw") + "-rl",
    },
}

AUTH_USER_MODEL = "engagements.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions are host-only cookies (no SESSION_COOKIE_DOMAIN) and bound to the schema they were
# made on (engagements.middleware.HostBoundSessionMiddleware).
SESSION_COOKIE_NAME = "sw_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "sw_csrf"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Case-insensitive e-mail, and a person signs in only on a host where they have access.
    "engagements.backends.HostAccessBackend",
]

# django-axes locks an (account, address) pair after repeated failures, so a stranger elsewhere can
# never lock the real person out; the address comes from the trusted proxy; a password reset unlocks.
AXES_FAILURE_LIMIT = env.int("SMARTWORK_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "engagements.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "smartwork.netaddr.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Per address, across every account and host: sign-in attempts and reset e-mails asked for
# (django-ratelimit, counted in Redis without the tenant key prefix so the limit spans hosts).
SIGN_IN_RATE_PER_ADDRESS = env("SMARTWORK_SIGN_IN_RATE_PER_ADDRESS", default="30/10m")
# Friction votes through a survey link (audits.services.friction.survey_vote_limited): per link and
# address, and per link from everywhere, so a link that leaked cannot be flooded.
SURVEY_VOTE_RATE_PER_ADDRESS = env("SMARTWORK_SURVEY_VOTE_RATE_PER_ADDRESS", default="60/m")
SURVEY_VOTE_RATE_PER_LINK = env("SMARTWORK_SURVEY_VOTE_RATE_PER_LINK", default="600/m")
RATELIMIT_USE_CACHE = "ratelimit"
# django-ratelimit lists django-redis, not Django's own RedisCache, as supported; Django's backend has
# the atomic add/incr the counters need (INCR in Redis), so its warning is silenced knowingly.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]

# One-time links, each for one person, one purpose and one host (engagements.links).
INVITATION_LINK_HOURS = env.int("SMARTWORK_INVITATION_LINK_HOURS", default=72)
PASSWORD_RESET_LINK_HOURS = env.int("SMARTWORK_PASSWORD_RESET_LINK_HOURS", default=1)
HANDOVER_LINK_SECONDS = env.int("SMARTWORK_HANDOVER_LINK_SECONDS", default=60)

# API request bodies: JSON larger than this is refused before it is parsed (413), and JSON nested
# deeper than API_MAX_JSON_DEPTH is refused (400).
API_MAX_JSON_BYTES = env.int("SMARTWORK_API_MAX_JSON_BYTES", default=1024 * 1024)
API_MAX_JSON_DEPTH = 32

# Time-data imports (audits): uploads wait for their Celery job under IMPORT_DIR/<client's schema>/,
# which the web and worker processes share; larger files are refused before they are stored.
IMPORT_DIR = Path(env("SMARTWORK_IMPORT_DIR", default=str(BASE_DIR / ".local" / "imports")))
IMPORT_MAX_BYTES = env.int("SMARTWORK_IMPORT_MAX_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_CELL_CHARS = 10_000
IMPORT_ERRORS_KEPT = 1000  # rejected rows listed per import (all are counted)

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "smartwork" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # The first class names the scheme in 401 answers (Api-Key on tenant hosts, Token on the public one).
        "apikeys.authentication.TenantApiKeyAuthentication",
        "engagements.authentication.ConsultantTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every view names what it allows.
    "DEFAULT_PERMISSION_CLASSES": ["smartwork.permissions.DenyAll"],
    "DEFAULT_SCHEMA_CLASS": "smartwork.openapi.SmartWorkAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "smartwork.api.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "smartwork.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, size- and depth-limited; an endpoint that takes files (imports) names its own parsers.
    "DEFAULT_PARSER_CLASSES": ["smartwork.parsers.LimitedJSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SmartWork API",
    "DESCRIPTION": "REST API v1 of SmartWork. See the integration contract (API.md).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PhaseEnum": "engagements.models.Phase",
        "ClientStatusEnum": "engagements.api.CLIENT_STATUSES",
        "MemberStatusEnum": "engagements.api_tenant.MEMBER_STATUSES",
        "ImportStatusEnum": "audits.models.ImportJob.Status",
        "ImportModeEnum": "audits.models.ImportJob.Mode",
        "EntrySourceEnum": "audits.models.Source",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("SMARTWORK_CELERY_QUEUE", default="smartwork")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"

EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="SmartWork <noreply@smartwork.localhost>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # An expected 4xx (PermissionDenied, Http404, DisallowedHost...) is one line, without a traceback.
    "filters": {"client_error_tracebacks": {"()": "smartwork.logging.ClientErrorTracebackFilter"}},
    "formatters": {
        "django.server": {"()": "django.utils.log.ServerFormatter", "format": "[{server_time}] {message}", "style": "{"}
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["client_error_tracebacks"]},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server"},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Django's default config gives "django" a console handler of its own when DEBUG, which printed
        # every line twice and unfiltered: its records go to the root's console alone.
        "django": {"handlers": [], "level": "INFO"},
        # Configuring "django" resets its children: runserver's access log stays as Django sets it up.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}

from smartwork.scheduled import CELERY_BEAT_SCHEDULE  # noqa: E402,F401  (one module holds every beat entry)
