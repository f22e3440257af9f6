"""Jingkai settings: one module, configured only from environment variables.

Every variable is read through a typed helper that refuses a bad value loudly at start-up
instead of running with a half-understood configuration.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent  # the checkout (src layout)


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use true/false, 1/0, yes/no, on/off)")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not an integer") from None


def env_int_floor(name: str, default: int, floor: int, ceiling: int | None = None) -> int:
    """An integer security setting that refuses a value weaker than its floor (docs/security.md lists them).

    `floor` is the weakest allowed value; for a setting where smaller is stronger (a timeout), pass the
    bound as `ceiling` and the floor as 1.
    """
    value = env_int(name, default)
    if value < floor:
        raise ImproperlyConfigured(f"{name}={value} is below its floor {floor} (docs/security.md)")
    if ceiling is not None and value > ceiling:
        raise ImproperlyConfigured(f"{name}={value} is above its ceiling {ceiling} (docs/security.md)")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item")
    return items


def database_from_url(url: str) -> dict:
    """Translate sqlite:///path or postgres://user:pass@host:port/name?options into a Django DATABASES entry.

    SQLite is read here (a relative path is under the checkout, and the file gets WAL and a busy timeout);
    server URLs go through dj-database-url.
    """
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:///relative/path or sqlite:////absolute/path
        raw = unquote(url[len("sqlite://") :])
        if not raw or raw == "/":
            raise ImproperlyConfigured(f"JINGKAI_DATABASE_URL={url!r} names no SQLite file")
        path = Path(raw[1:])  # sqlite:///relative (to the checkout) or sqlite:////absolute
        path = path if path.is_absolute() else BASE_DIR / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL;",
            },
        }
    if parsed.scheme in {"postgres", "postgresql", "pgsql"}:
        # dj-database-url keeps what a hand-written parser dropped: the query string becomes OPTIONS
        # (?sslmode=require, ?connect_timeout=5) and a percent-encoded host is a Unix socket directory
        # (postgres://user@%2Fvar%2Frun%2Fpostgresql/name).
        config = dj_database_url.parse(
            url,
            engine="django.db.backends.postgresql",
            conn_max_age=env_int("JINGKAI_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
        if not config.get("NAME"):
            raise ImproperlyConfigured(f"JINGKAI_DATABASE_URL={url!r} names no database")
        config["PORT"] = str(config.get("PORT") or "")
        return config
    raise ImproperlyConfigured(
        f"JINGKAI_DATABASE_URL={url!r}: unsupported scheme {parsed.scheme!r} (use sqlite:/// or postgres://)"
    )


DEBUG = env_bool("JINGKAI_DEBUG", False)
VAR_DIR = Path(env_str("JINGKAI_VAR_DIR", str(BASE_DIR / "var")))


def _secret_key() -> str:
    key = env_str("JINGKAI_SECRET_KEY")
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("JINGKAI_SECRET_KEY must be at least 32 characters long")
        return key
    # A single-machine trial (make demo) keeps a generated key under var/; servers behind a load
    # balancer must share one key and so must set JINGKAI_SECRET_KEY.
    return _generated_once(VAR_DIR / "secret_key", lambda: secrets.token_urlsafe(50))


def _generated_once(path, make) -> str:
    """The content of `path`, made by `make()` the first time (mode 0600).

    Two processes starting at once on a fresh machine (the web server and its worker, two test workers) must not
    each make their own: the content is written whole under a temporary name and linked into place only if the
    file is still absent, so exactly one wins and every process reads that one.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("JINGKAI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("JINGKAI_CSRF_TRUSTED_ORIGINS", [])

DATABASES = {"default": database_from_url(env_str("JINGKAI_DATABASE_URL", "sqlite:///var/jingkai.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "jingkai.core",
    "jingkai.accounts",
    "jingkai.grids",
    "jingkai.parks",
    "jingkai.enterprises",
    "jingkai.chains",
    "jingkai.notifications",
    "jingkai.stats",
    "jingkai.analytics",
    "jingkai.demands",
    "jingkai.visits",
    "jingkai.campaigns",
    "jingkai.investment",
    "jingkai.evaluation",
    "jingkai.shell",
    "jingkai.api",
    "jingkai.demo",
]

MIDDLEWARE = [
    "jingkai.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "jingkai.accounts.middleware.IdentityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "jingkai.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "jingkai.urls"
WSGI_APPLICATION = "jingkai.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jingkai.core.context_processors.platform",
            ],
        },
    },
]

AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
# django-filter: a filter left open is "全部", not "---------".
FILTERS_EMPTY_CHOICE_LABEL = gettext_lazy("All")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Uploaded attachments (demands). Never served publicly: only through scoped download views.
MEDIA_ROOT = Path(env_str("JINGKAI_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# In development whitenoise serves straight from the app folders; `jingkai serve` collects first and serves
# the compressed copies from STATIC_ROOT (finders would shadow them with uncompressed ones).
WHITENOISE_USE_FINDERS = DEBUG

# Uploaded workbooks are kept in the database (ImportBatch) so that preview and commit may hit
# different servers; cap them here.
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
JINGKAI_IMPORT_MAX_BYTES = env_int("JINGKAI_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
# Guards against a small workbook that unpacks into gigabytes (a zip bomb) or a sheet too large for memory.
JINGKAI_IMPORT_MAX_UNPACKED_BYTES = env_int("JINGKAI_IMPORT_MAX_UNPACKED_BYTES", 400 * 1024 * 1024)
JINGKAI_IMPORT_MAX_CELLS = env_int("JINGKAI_IMPORT_MAX_CELLS", 5_000_000)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("JINGKAI_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env_str("JINGKAI_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("JINGKAI_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("JINGKAI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("JINGKAI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("JINGKAI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("JINGKAI_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("JINGKAI_EMAIL_FROM", "jingkai@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A refused request (403) is one line, not a traceback (jingkai.core.logging).
    "filters": {"one_line_refusals": {"()": "jingkai.core.logging.OneLineRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["one_line_refusals"]}},
    "root": {"handlers": ["console"], "level": env_str("JINGKAI_LOG_LEVEL", "WARNING")},
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
JINGKAI_ZONE_NAME = env_str("JINGKAI_ZONE_NAME", "平湖经济技术开发区")
# Where users reach the site, for links in e-mails (e.g. https://jingkai.example.gov.cn); empty: relative links.
JINGKAI_BASE_URL = env_str("JINGKAI_BASE_URL", "")

# API lists (jingkai.core.api.Pagination): 50 items unless `limit` says otherwise; a `limit` above 500 is a 422.
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500

# --- Security (docs/security.md). Every number below is read through env_int_floor: a value weaker than its
# floor refuses to start. Each block belongs to one part of docs/security.md.

# [security §1] input bounds

# [security §2] identity and sessions
# Passwords (jingkai.accounts.validators): length, three of the four classes (lower, upper, digit, other), not
# the user name, not one of the last N; expiry after N days; a change page every role reaches.
JINGKAI_PASSWORD_MIN_LENGTH = env_int_floor("JINGKAI_PASSWORD_MIN_LENGTH", 10, floor=10)
JINGKAI_PASSWORD_MIN_CLASSES = env_int_floor("JINGKAI_PASSWORD_MIN_CLASSES", 3, floor=3, ceiling=4)
JINGKAI_PASSWORD_HISTORY = env_int_floor("JINGKAI_PASSWORD_HISTORY", 5, floor=5, ceiling=24)
JINGKAI_PASSWORD_MAX_AGE_DAYS = env_int_floor("JINGKAI_PASSWORD_MAX_AGE_DAYS", 90, floor=1, ceiling=90)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": JINGKAI_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {
        "NAME": "jingkai.accounts.validators.CharacterClassesValidator",
        "OPTIONS": {"min_classes": JINGKAI_PASSWORD_MIN_CLASSES},
    },
    {"NAME": "jingkai.accounts.validators.NotContainingUsernameValidator"},
    {"NAME": "jingkai.accounts.validators.HistoryValidator", "OPTIONS": {"count": JINGKAI_PASSWORD_HISTORY}},
]
# Lock-out (django-axes, jingkai.accounts.lockout): N failures of one user name within the window lock that
# name for the lock time, whatever the address (behind a proxy an address locks everyone or no one).
JINGKAI_LOGIN_FAILURE_LIMIT = env_int_floor("JINGKAI_LOGIN_FAILURE_LIMIT", 5, floor=1, ceiling=5)
JINGKAI_LOGIN_FAILURE_WINDOW_MINUTES = env_int_floor("JINGKAI_LOGIN_FAILURE_WINDOW_MINUTES", 15, floor=15)
JINGKAI_LOCKOUT_MINUTES = env_int_floor("JINGKAI_LOCKOUT_MINUTES", 30, floor=30)
AXES_HANDLER = "jingkai.accounts.lockout.WindowedLockoutHandler"
AXES_FAILURE_LIMIT = JINGKAI_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = dt.timedelta(minutes=JINGKAI_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a lock lasts its time from the failure that set it
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # each failure with its time: the window is counted from these
AXES_CLIENT_IP_CALLABLE = "jingkai.core.clientip.client_ip"
# axes warns when the address is not part of the key; keyed on the name alone is the point (docs/security.md §2).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# How many reverse proxies in front of the application append to X-Forwarded-For (0: REMOTE_ADDR is the client).
JINGKAI_TRUSTED_PROXY_COUNT = env_int_floor("JINGKAI_TRUSTED_PROXY_COUNT", 0, floor=0, ceiling=10)
# Sessions (jingkai.accounts.middleware): ended server-side after idle minutes or absolute hours.
JINGKAI_SESSION_IDLE_MINUTES = env_int_floor("JINGKAI_SESSION_IDLE_MINUTES", 30, floor=1, ceiling=30)
JINGKAI_SESSION_ABSOLUTE_HOURS = env_int_floor("JINGKAI_SESSION_ABSOLUTE_HOURS", 12, floor=1, ceiling=12)
SESSION_COOKIE_AGE = JINGKAI_SESSION_ABSOLUTE_HOURS * 3600
# Second factor (django-otp TOTP + recovery codes) for the roles below, zone administrators and the three
# 三员 administrators at least (JINGKAI_OTP_ROLES may add roles, never remove these).
JINGKAI_OTP_REQUIRED = env_bool("JINGKAI_OTP_REQUIRED", True)
JINGKAI_OTP_ROLES = sorted(
    {"zone_admin", "system_admin", "security_admin", "audit_admin"} | set(env_list("JINGKAI_OTP_ROLES", []))
)
JINGKAI_OTP_RECOVERY_CODES = env_int_floor("JINGKAI_OTP_RECOVERY_CODES", 10, floor=5, ceiling=20)
OTP_TOTP_ISSUER = "Jingkai"
# API tokens: valid for N days by default (`jingkai token --days N`, at most the ceiling); use audited at most
# once per token per N minutes.
JINGKAI_API_TOKEN_MAX_DAYS = env_int_floor("JINGKAI_API_TOKEN_MAX_DAYS", 365, floor=1, ceiling=365)
JINGKAI_API_TOKEN_DAYS = env_int_floor(
    "JINGKAI_API_TOKEN_DAYS", 90, floor=1, ceiling=JINGKAI_API_TOKEN_MAX_DAYS
)
JINGKAI_TOKEN_USE_AUDIT_MINUTES = env_int_floor("JINGKAI_TOKEN_USE_AUDIT_MINUTES", 60, floor=1, ceiling=1440)

# [security §3] separation of duties and audit
# Pages of later apps the three system administrators may reach (core/separation.py; the kernel's own are
# always allowed): their own account pages (password, second factor; the security administrator's sign-in
# records and unlocks) and the security administrator's anonymisation of a departed contact.
JINGKAI_SYSTEM_ROLE_VIEW_MODULES = ["jingkai.accounts.", "jingkai.enterprises.views_anonymise"]
# How long audit events are kept before the sweep purges them (days; 等保 asks for at least 6 months).
JINGKAI_AUDIT_RETENTION_DAYS = env_int_floor("JINGKAI_AUDIT_RETENTION_DAYS", 190, floor=184)
# The system, security and audit administrators reach only their own pages (jingkai.core.separation).
MIDDLEWARE = [*MIDDLEWARE, "jingkai.core.separation.SystemRoleConfinement"]


# [security §4] personal data
# SM4 keys of personal data, "k2:<base64 16 bytes>,k1:<base64>" (the first seals, all open: jingkai pii rotate),
# and the separate HMAC-SM3 key of the blind index (base64, at least 32 bytes). Both or neither: a single-machine
# trial (make demo, the tests) generates them once under var/ like the secret key.
def _pii_keys() -> tuple[str, str]:
    import json

    from jingkai.core import personal

    keys, index = env_str("JINGKAI_PII_KEYS"), env_str("JINGKAI_PII_INDEX_KEY")
    if bool(keys) != bool(index):
        raise ImproperlyConfigured(
            "Set both JINGKAI_PII_KEYS and JINGKAI_PII_INDEX_KEY, or neither (docs/security.md §4)"
        )
    if not keys:
        path = VAR_DIR / "pii_keys.json"
        _generated_once(
            path, lambda: json.dumps({"keys": f"k1:{personal.new_key()}", "index": personal.new_index_key()})
        )
        stored = json.loads(path.read_text())
        keys, index = stored["keys"], stored["index"]
    personal.parse_keys(keys)
    personal.parse_index_key(index)
    return keys, index


JINGKAI_PII_KEYS, JINGKAI_PII_INDEX_KEY = _pii_keys()
# A reveal's reason: at least this many characters (回访核实 is 4).
JINGKAI_PII_REASON_MIN_CHARS = env_int_floor("JINGKAI_PII_REASON_MIN_CHARS", 4, floor=2)
# Rows re-encrypted per transaction by `jingkai pii rotate`.
JINGKAI_PII_ROTATE_BATCH = env_int_floor("JINGKAI_PII_ROTATE_BATCH", 500, floor=1)
# No log line carries a full phone or ID number.
LOGGING["filters"]["mask_personal"] = {"()": "jingkai.core.personal.MaskingLogFilter"}
LOGGING["handlers"]["console"]["filters"].append("mask_personal")

# [security §5] transport, headers, deployment
# JINGKAI_HTTPS=true: the site is reached only over HTTPS (TLS at this server or at a proxy in front of it). It
# turns on, unless said otherwise, the redirect to HTTPS, HSTS (one year, subdomains, preload), secure cookies and
# upgrade-insecure-requests; with it, HSTS may not be shorter than 180 days and the cookies may not be sent in clear.
JINGKAI_HTTPS = env_bool("JINGKAI_HTTPS", False)
SECURE_SSL_REDIRECT = env_bool("JINGKAI_SSL_REDIRECT", JINGKAI_HTTPS)
SECURE_HSTS_SECONDS = env_int_floor(
    "JINGKAI_HSTS_SECONDS", 365 * 86400 if JINGKAI_HTTPS else 0, floor=180 * 86400 if JINGKAI_HTTPS else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("JINGKAI_HSTS_INCLUDE_SUBDOMAINS", JINGKAI_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("JINGKAI_HSTS_PRELOAD", JINGKAI_HTTPS)
# (Set again here, over the plain default above: with HTTPS on, cookies are secure unless refused.)
SESSION_COOKIE_SECURE = env_bool("JINGKAI_SECURE_COOKIES", JINGKAI_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if JINGKAI_HTTPS and not SESSION_COOKIE_SECURE:
    raise ImproperlyConfigured("JINGKAI_HTTPS=true needs secure cookies: drop JINGKAI_SECURE_COOKIES=false")


def proxy_ssl_header(name: str, value: str | None) -> tuple[str, str] | None:
    """JINGKAI_PROXY_SSL_HEADER=X-Forwarded-Proto (value https): the header the TLS-terminating proxy sets.

    Only behind a proxy that sets (and overwrites) this header itself: a client could otherwise send it.
    """
    if value is None:
        return None
    header, _, expected = value.partition(":")
    header, expected = header.strip(), expected.strip() or "https"
    if not header or not all(c.isalnum() or c == "-" for c in header):
        raise ImproperlyConfigured(f"{name}={value!r} is not a header name (e.g. X-Forwarded-Proto)")
    return "HTTP_" + header.upper().replace("-", "_"), expected


SECURE_PROXY_SSL_HEADER = proxy_ssl_header("JINGKAI_PROXY_SSL_HEADER", env_str("JINGKAI_PROXY_SSL_HEADER"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy (django-csp): scripts, styles, fonts and fetches from this site only, no inline script
# or style (templates use classes and static/js/jingkai.js), images also as data: URIs (Bootstrap's icons),
# no plugins, no framing, no <base> or form posts elsewhere. Violations are logged by /csp-report
# (jingkai.core.csp, logger "jingkai.csp").
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "frame-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "upgrade-insecure-requests": JINGKAI_HTTPS,
        "report-uri": ["/csp-report"],
    },
}

# [security §6] backups
# Where `jingkai backup` writes (one sub-folder per backup) unless --to says otherwise.
JINGKAI_BACKUP_DIR = Path(env_str("JINGKAI_BACKUP_DIR", str(VAR_DIR / "backups")))
# Recovery point objective (hours): the system administrator's home page warns when the last good backup is
# older. A ceiling, not a floor: a longer RPO is weaker, so more than 24 hours is refused.
JINGKAI_BACKUP_RPO_HOURS = env_int_floor("JINGKAI_BACKUP_RPO_HOURS", 24, floor=1, ceiling=24)

# [security §7] operations that fail safe
# Seconds an SMTP connection or command may block (the sweep's digests); Django's default is to wait forever.
EMAIL_TIMEOUT = env_int_floor("JINGKAI_EMAIL_TIMEOUT", 20, floor=1, ceiling=60)


# --- [scale-out] issue 13 ---
# Several servers, one truth (docs/operations.md, Province deployment): nothing a server keeps in its own memory
# that another would not see. Static files are hashed (STORAGES above: whitenoise's manifest storage, so their
# names change with their content and browsers keep them for good); sessions (Django's database backend) and import
# batches are in the database; the request id is set by jingkai.core.middleware.RequestIdMiddleware (MIDDLEWARE).


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = (env_str(name, default) or default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(choices)}")
    return value


# The shared cache: a table of the database (migration core 0013, table jingkai_cache), or Redis. Never a
# process's own memory: a page cached by one server is what every other one serves.
CACHE_TABLE = "jingkai_cache"


def cache_settings(kind: str, redis_url: str | None) -> dict:
    """settings.CACHES for JINGKAI_CACHE=database (default) or redis (at JINGKAI_REDIS_URL)."""
    if kind == "redis":
        url = redis_url or "redis://127.0.0.1:6379/0"
        if urlparse(url).scheme not in {"redis", "rediss", "unix"}:
            raise ImproperlyConfigured(
                f"JINGKAI_REDIS_URL={url!r} is not a redis://, rediss:// or unix:// URL"
            )
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "jingkai",
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "KEY_PREFIX": "jingkai",
            # Culled (a third at a time, the oldest keys first) beyond this many entries.
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }


JINGKAI_CACHE = env_choice("JINGKAI_CACHE", "database", ("database", "redis"))
CACHES = cache_settings(JINGKAI_CACHE, env_str("JINGKAI_REDIS_URL"))

# Log lines: time, level, logger, request id, message; JINGKAI_LOG_FORMAT=json writes one JSON object per line.
# The request id filter runs after the refusal and masking filters above.
JINGKAI_LOG_FORMAT = env_choice("JINGKAI_LOG_FORMAT", "text", ("text", "json"))
LOGGING.setdefault("formatters", {}).update(
    {
        "text": {"()": "jingkai.core.logging.TextFormatter"},
        "json": {"()": "jingkai.core.logging.JsonFormatter"},
    }
)
LOGGING["filters"]["request_id"] = {"()": "jingkai.core.logging.RequestIdFilter"}
LOGGING["handlers"]["console"]["filters"].append("request_id")
LOGGING["handlers"]["console"]["formatter"] = JINGKAI_LOG_FORMAT

# A read replica (a streaming copy of the primary, e.g. PostgreSQL hot standby) for the dashboards: reads of the
# models of these apps go to it while a GET or HEAD request is served, outside transactions
# (jingkai.core.routers.ReplicaRouter); everything else, every write and every migration stays on the primary.
# In tests the replica is a mirror of the test database.
JINGKAI_REPLICA_APP_LABELS = env_list("JINGKAI_REPLICA_APPS", ["analytics", "stats"])
_installed_labels = {app.rsplit(".", 1)[-1] for app in INSTALLED_APPS}
_unknown_labels = sorted(set(JINGKAI_REPLICA_APP_LABELS) - _installed_labels)
if _unknown_labels:
    raise ImproperlyConfigured(
        f"JINGKAI_REPLICA_APPS names apps that are not installed: {', '.join(_unknown_labels)}"
    )


def replica_database(url: str, primary: dict) -> dict:
    """The DATABASES entry of the replica at `url` (same engine as the primary), a test mirror of the primary."""
    try:
        config = database_from_url(url)
    except ImproperlyConfigured as exc:
        raise ImproperlyConfigured(
            str(exc).replace("JINGKAI_DATABASE_URL", "JINGKAI_REPLICA_DATABASE_URL")
        ) from None
    if config["ENGINE"] != primary["ENGINE"]:
        raise ImproperlyConfigured(
            f"JINGKAI_REPLICA_DATABASE_URL is a {config['ENGINE'].rsplit('.', 1)[-1]} database, the primary "
            f"(JINGKAI_DATABASE_URL) a {primary['ENGINE'].rsplit('.', 1)[-1]} one: a replica is a copy of the primary"
        )
    config["TEST"] = {"MIRROR": "default"}
    return config


if env_str("JINGKAI_REPLICA_DATABASE_URL"):
    DATABASES["replica"] = replica_database(env_str("JINGKAI_REPLICA_DATABASE_URL"), DATABASES["default"])
    DATABASE_ROUTERS = ["jingkai.core.routers.ReplicaRouter"]
    MIDDLEWARE = [*MIDDLEWARE, "jingkai.core.middleware.ReplicaReadsMiddleware"]
# --- [jobs] issue 13 ---
# Background jobs (jingkai.core.jobs, docs/operations.md "Background jobs"): Django's tasks API through the
# django-tasks backport. JINGKAI_TASKS_BACKEND "database" (the default: the ORM backend, so SQLite and PostgreSQL
# need no other server; `jingkai worker` runs its worker) or "rq" (RQ on Redis at JINGKAI_REDIS_URL, for many
# workers). "immediate" runs a job inside the request that enqueues it (tests, debugging only).
JINGKAI_TASKS_BACKEND = env_str("JINGKAI_TASKS_BACKEND", "database")
JINGKAI_REDIS_URL = env_str("JINGKAI_REDIS_URL", "redis://127.0.0.1:6379/0")
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
if JINGKAI_TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif JINGKAI_TASKS_BACKEND == "rq":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": JINGKAI_REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
elif JINGKAI_TASKS_BACKEND == "immediate":
    TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}
    }
else:
    raise ImproperlyConfigured(
        f"JINGKAI_TASKS_BACKEND={JINGKAI_TASKS_BACKEND!r}: use database, rq or immediate (docs/operations.md)"
    )
# Tests and debugging only: jobs.enqueue runs the job at once in the calling process (docs/operations.md).
JINGKAI_JOBS_INLINE = env_bool("JINGKAI_JOBS_INLINE", False)
# Automatic retries of a job that failed with an unexpected error (a JobFailed is never retried); the owner
# may retry a failed job by hand whatever this says.
JINGKAI_JOB_RETRIES = env_int_floor("JINGKAI_JOB_RETRIES", 2, floor=0, ceiling=10)
# A running job whose progress has not moved for this long lost its worker: the sweep marks it failed.
JINGKAI_JOB_STALE_MINUTES = env_int_floor("JINGKAI_JOB_STALE_MINUTES", 120, floor=5)
# The worker runs the sweep (`jingkai sweep`) this often; 0 leaves it to cron.
JINGKAI_SWEEP_EVERY_MINUTES = env_int_floor("JINGKAI_SWEEP_EVERY_MINUTES", 60, floor=0)
# A list export of more rows than this becomes a job writing a file (kept this many days).
JINGKAI_EXPORT_JOB_ROWS = env_int_floor("JINGKAI_EXPORT_JOB_ROWS", 5000, floor=1)
JINGKAI_EXPORT_KEEP_DAYS = env_int_floor("JINGKAI_EXPORT_KEEP_DAYS", 7, floor=1)
# The rollup refresh after an import or a registry edit (analytics.services.schedule_refresh) runs as a job; off,
# it runs in the request once the transaction commits (the demo's load, the tests; docs/operations.md).
JINGKAI_ROLLUP_REFRESH_JOBS = env_bool("JINGKAI_ROLLUP_REFRESH_JOBS", True)
# A list export above JINGKAI_EXPORT_JOB_ROWS rows becomes a job (jingkai.core.export_jobs).
MIDDLEWARE = [*MIDDLEWARE, "jingkai.core.export_jobs.ExportJobMiddleware"]
