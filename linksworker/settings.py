"""Settings for Links. Every value that differs between machines comes from the environment.

The embedded default (no environment at all but DEBUG=true) is SQLite with Celery tasks run
in-process. Production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and
CELERY_BROKER_URL; README.md lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from linksworker.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LINKS_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set (make run sets a development key; production needs its own)."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "accounts",
    "audit",
    "practices",
    "participants",
    "safeguarding",
    "referrals",
    "reports",
    "programme",
    "exchange",
    "interchange",
    "devdata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "linksworker.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The idle expiry, pushed on at most once a minute (see SESSION_COOKIE_AGE).
    "linksworker.middleware.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, so that the 400 page it may answer shows who is signed in.
    "linksworker.middleware.HostileInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "linksworker.middleware.NoStoreMiddleware",
    # Axes last, as its documentation asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "linksworker.urls"
WSGI_APPLICATION = "linksworker.wsgi.application"
ASGI_APPLICATION = "linksworker.asgi.application"

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
                "practices.context_processors.roles",
            ],
        },
    },
    {
        # The rows of the long tables on the busiest pages (`accounts.rows`): Jinja2 renders a
        # page of rows in a tenth of the Django language's time (bench/NOTES.md). Only
        # templates ending in .jinja, asked for by name through `render_rows`.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "rows",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "accounts.rows.environment"},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'links.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
# A database that accepts connections but never answers must not hold a page for minutes:
# connecting and each statement have limits (seconds), and a page that passes one answers 503
# (linksworker.middleware). The statistics and imports run with their own longer limit
# (DATABASE_LONG_STATEMENT_TIMEOUT, practices.db.long_statements).
# The prepared queries (`accounts.prepared`) are prepared on the server, once per database
# connection: off for a connection pooler in transaction mode (PgBouncer's default), which
# hands a client's statements to other server connections.
DATABASE_SERVER_PREPARED = env_bool("DATABASE_SERVER_PREPARED", True)
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 5, minimum=1)
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", 30, minimum=1)
DATABASE_LONG_STATEMENT_TIMEOUT = env_int("DATABASE_LONG_STATEMENT_TIMEOUT", 15 * 60, minimum=1)
# JIT compilation is off: PostgreSQL compiles any query whose cost estimate passes
# jit_above_cost, and for a page's queries, which read thousands of rows by index, compiling
# takes longer than running (40 ms of the dense practice dashboard's 97 ms; bench/NOTES.md).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": DATABASE_CONNECT_TIMEOUT,
        "options": f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000} -c jit=off",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {"timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: memory in each process by default; Redis, shared by every app node, when CACHE_URL
# names it. Rate limits on the pages anyone can open count here.
CACHE_URL = env_str("CACHE_URL", "")
if not CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "links",
        }
    }
else:
    # The value may hold a password: name only its scheme.
    raise ImproperlyConfigured(
        f"CACHE_URL has the unsupported scheme {CACHE_URL.split(':', 1)[0]!r}; "
        "use redis://host:6379/1 (or rediss://), or leave it unset."
    )

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTHENTICATION_BACKENDS = [
    # Password spraying: too many failures from one address, whatever the usernames.
    "audit.signin.AddressLimitBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.CharacterClassValidator"},
]

# Failed-login lockout: five wrong passwords for one username from one address lock that
# pair out for fifteen minutes.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "audit.net.client_ip"
AXES_USERNAME_CALLABLE = "audit.net.lockout_username"
AXES_VERBOSE = False
# Beside axes' lockout of one username at one address: failed sign-ins from one address,
# whatever the usernames (audit.signin).
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
LOGIN_ADDRESS_WINDOW_MINUTES = env_int("LOGIN_ADDRESS_WINDOW_MINUTES", 15, minimum=1)

# Records of who viewed which page (audit events of action "view", written on every page
# that shows participants) are committed without waiting for the disk on PostgreSQL
# (synchronous_commit off for that one insert): a database server crash can lose the last
# fraction of a second of them, never a change to a record or its audit. True makes them
# wait like every other write.
AUDIT_VIEWS_WAIT_FOR_DISK = env_bool("AUDIT_VIEWS_WAIT_FOR_DISK", False)

# Sessions end after 30 idle minutes: a request pushes the expiry on, saving the session at
# most once a minute (linksworker.middleware.SlidingSessionMiddleware), so a session in use
# ends between 29 and 30 minutes after its last request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Production transport security; DEBUG turns it off for http://127.0.0.1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies sit in front of the app; 0 trusts no X-Forwarded-For.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

# Content Security Policy: everything from our own origin, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# build/static holds what `make assets` builds from npm packages (Bootstrap's CSS, only the
# parts the templates use); it is generated, not committed.
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "build" / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
# Uploads hold names and CHI numbers: readable by the app's own user only, and a large one
# is spooled to a private folder (swept of leftovers by the import purge), not to /tmp.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", str(VAR_DIR / "uploads"))
Path(FILE_UPLOAD_TEMP_DIR).mkdir(mode=0o700, parents=True, exist_ok=True)
# Production serves collected, hashed files; development and tests serve from the apps.
STATIC_USE_FINDERS = env_bool("STATIC_USE_FINDERS", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if STATIC_USE_FINDERS
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = STATIC_USE_FINDERS

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: console in development, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env_int("EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Links <links@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: with no broker, tasks run in-process as they are queued (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "")
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Retries must finish well inside the visibility timeout, or Redis redelivers the task.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TIMEZONE = TIME_ZONE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request logs carry URLs only; URLs carry opaque ids only.
        "django.db.backends": {"level": "INFO"},
        # Lockouts are in the audit trail; axes' per-attempt lines are noise.
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

CELERY_BEAT_SCHEDULE = {
    "schedule-follow-ups": {
        "task": "participants.tasks.schedule_followups",
        "schedule": crontab(hour=2, minute=30),
    },
    # Jobs whose worker died are failed (their pages offer a retry) and jobs the broker could
    # not take are queued again, within minutes (practices.jobs, practices.progress).
    "sweep-imports": {
        "task": "exchange.tasks.sweep_imports",
        "schedule": crontab(minute="*"),
    },
    "sweep-annual-reports": {
        "task": "reports.tasks.sweep_annual_reports",
        "schedule": crontab(minute="*"),
    },
    "purge-imports": {
        "task": "exchange.tasks.purge_imports",
        "schedule": crontab(hour=3, minute=15),
    },
    # The dashboards' running counts gain a row per change; folding keeps them a few rows
    # per practice and month (reports.figures).
    "compact-practice-figures": {
        "task": "reports.tasks.compact_practice_figures",
        "schedule": crontab(minute="*/10"),
    },
    # The net under the counts: a nightly recount repairs and logs any difference.
    "repair-practice-figures": {
        "task": "reports.tasks.repair_practice_figures",
        "schedule": crontab(hour=4, minute=10),
    },
    "follow-up-reminders": {
        "task": "participants.tasks.send_followup_reminders",
        "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
    },
    "feedback-reminders": {
        "task": "referrals.tasks.send_feedback_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
}

# Programme settings.
LINKS_DOSE_THRESHOLD = env_int("LINKS_DOSE_THRESHOLD", 2, minimum=1)
LINKS_SUPPRESSION_THRESHOLD = env_int("LINKS_SUPPRESSION_THRESHOLD", 5, minimum=1)
LINKS_PAGE_SIZE = env_int("LINKS_PAGE_SIZE", 25, minimum=5)
# The organisation's feedback page, open to anyone with a link: requests per address.
LINKS_FEEDBACK_RATE_LIMIT = env_int("LINKS_FEEDBACK_RATE_LIMIT", 30, minimum=1)
LINKS_FEEDBACK_RATE_WINDOW = env_int("LINKS_FEEDBACK_RATE_WINDOW", 600, minimum=1)
# The public Open Referral UK directory API: requests per client address per window.
LINKS_ORUK_RATE_LIMIT = env_int("LINKS_ORUK_RATE_LIMIT", 120, minimum=1)
LINKS_ORUK_RATE_WINDOW = env_int("LINKS_ORUK_RATE_WINDOW", 60, minimum=1)
# Days after Links emails an organisation its feedback link before it sends one reminder.
LINKS_FEEDBACK_REMINDER_DAYS = env_int("LINKS_FEEDBACK_REMINDER_DAYS", 7, minimum=1)
LINKS_FOLLOWUP_LOOKAHEAD_DAYS = env_int("LINKS_FOLLOWUP_LOOKAHEAD_DAYS", 28, minimum=0)
LINKS_FOLLOWUP_GRACE_DAYS = env_int("LINKS_FOLLOWUP_GRACE_DAYS", 42, minimum=0)
LINKS_FOLLOWUP_WINDOW_DAYS = env_int("LINKS_FOLLOWUP_WINDOW_DAYS", 91, minimum=1)
if LINKS_FOLLOWUP_WINDOW_DAYS <= LINKS_FOLLOWUP_GRACE_DAYS:
    raise ImproperlyConfigured("LINKS_FOLLOWUP_WINDOW_DAYS must be longer than the grace period.")
# Where emails point people: the address the app is reached at.
LINKS_BASE_URL = env_str("LINKS_BASE_URL", "http://127.0.0.1:8000")
