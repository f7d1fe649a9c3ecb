"""Settings for Kỷ cương, configured from the environment (see .env.example and the README)."""

import datetime
import secrets
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A .env file beside manage.py is read if present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)

# Management commands that work on code, not on users' sessions or signed data: they run on
# a build or CI machine without the production secret, under a throw-away key.
OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compilemessages", "collectstatic"}

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] and sys.argv[1] in OFFLINE_COMMANDS:
        SECRET_KEY = secrets.token_urlsafe(50)
    elif not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=true for local development."
        )
    else:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "units",
    "inspections",
    "discipline",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "discipline.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "discipline.middleware.SessionTimeoutMiddleware",
    "discipline.middleware.SecondFactorMiddleware",
    "discipline.middleware.SecurityLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the login view's response (django-axes' own rule).
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # Refuses credentials while a (username, IP address) pair is locked out.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, reading the login with its Staff record, and its roles with their
    # permissions, in one query each.
    "units.backends.ScopedModelBackend",
]

ROOT_URLCONF = "discipline.urls"
WSGI_APPLICATION = "discipline.wsgi.application"
ASGI_APPLICATION = "discipline.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "units.context_processors.current_staff",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the dev server read while a write is in flight; the timeout rides out short locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login protection: 5 failed logins per (username, IP address) lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("DJANGO_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "discipline.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "discipline.security.client_ip"
AXES_USERNAME_CALLABLE = "discipline.security.attempted_username"
AXES_VERBOSE = False

# Second factor (TOTP) for these roles; superusers always. Empty turns it off.
OTP_REQUIRED_ROLES = env.list("DJANGO_OTP_ROLES", default=["administrators", "office_chief"])
OTP_TOTP_ISSUER = "Kỷ cương"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: Vietnamese first, English one switch away.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "discipline" / "locale"]
FORMAT_MODULE_PATH = ["discipline.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded evidence lives outside the static tree and is never served by URL: only through
# views that check who is asking.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
# No URL route serves this prefix; files go out only through scoped views.
MEDIA_URL = "/_media-not-served/"
BACKUP_DIR = Path(env.str("DJANGO_BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
UPLOAD_MAX_BYTES = env.int("DJANGO_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Years a finished case (closed, dismissed, voided), diaries, finished tasks, notices and access
# logs are kept before `manage.py purge_expired` erases them. Ten years outlasts the longest
# limitation period for disciplining a civil servant (Luật Cán bộ, công chức, Điều 80).
RETENTION_YEARS = env.int("DJANGO_RETENTION_YEARS", default=10)
if RETENTION_YEARS < 1:
    raise ImproperlyConfigured("DJANGO_RETENTION_YEARS must be a whole number of years, 1 or more.")
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

# Email: console in development; SMTP in production, from one EMAIL_URL (Django 6.1 MAILERS).
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_mailer = {"BACKEND": _email["EMAIL_BACKEND"]}
if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    _mailer["OPTIONS"] = {
        "host": _email.get("EMAIL_HOST") or "localhost",
        "port": _email.get("EMAIL_PORT") or 25,
        "username": _email.get("EMAIL_HOST_USER") or "",
        "password": _email.get("EMAIL_HOST_PASSWORD") or "",
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": 20,
    }
MAILERS = {"default": _mailer}
# The public address of the site, for links in emails and on printed QR posters.
SITE_URL = env.str("DJANGO_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Kỷ cương <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. The CSP forbids inline scripts and styles everywhere, admin included.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# A session ends after 30 idle minutes, and in any case 10 hours after login.
SESSION_IDLE_TIMEOUT = env.int("DJANGO_SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=10 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
# DJANGO_HTTPS says the site is served over HTTPS (the default in production): redirect to it,
# mark cookies Secure and send HSTS. Turn it off only for plain-HTTP local runs and tests.
HTTPS = env.bool("DJANGO_HTTPS", default=not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31_536_000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a reverse proxy: trust its X-Forwarded-Proto, and take the client's address from the
# last X-Forwarded-For hop (the public feedback form's rate limit counts per address).
BEHIND_PROXY = env.bool("DJANGO_BEHIND_PROXY", default=False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

ADMINS = [("Admin", a) for a in env.list("DJANGO_ADMINS", default=[])]

CSRF_FAILURE_VIEW = "discipline.views.csrf_failure"

# The security log: one JSON line per event (see discipline/security.py), to stderr or a file.
SECURITY_LOG_FILE = env.str("DJANGO_SECURITY_LOG", default="")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"bare": {"format": "%(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "security": (
            {
                "class": "logging.handlers.WatchedFileHandler",
                "filename": SECURITY_LOG_FILE,
                "formatter": "bare",
            }
            if SECURITY_LOG_FILE
            else {"class": "logging.StreamHandler", "formatter": "bare"}
        ),
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "kycuong.security": {"handlers": ["security"], "level": "INFO", "propagate": False},
        # WeasyPrint reports every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}

# Covering indexes (Index.include) serve PostgreSQL, the production database; SQLite, the
# zero-setup default, builds them without the extra columns, which is all it needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
