"""Settings shared by every environment; each value that differs between machines is read from it.

DO NOT PUT ANY SECRETS IN THIS FILE: they come from the environment.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A development key; production settings refuse to start without SECRET_KEY in the environment.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-development-only-key-change-me")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")

INSTALLED_APPS = [
    # The admin with a site open only to the ISO secretary and superusers (iso/admin_site.py).
    "iso.apps.IsoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_fsm",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "iso",
    "processes",
    "cases",
    "audits",
    "records",
    "satisfaction",
    "objectives",
    "qms",
    "reviews",
    "risks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page requires a signed-in user unless its view is marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "iso.accounts.SessionRenewalMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused login of a locked-out user into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "iso.urls"

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
                "iso.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "iso.wsgi.application"

# SQLite in the project folder by default; PostgreSQL (production) when DATABASE_URL is set.
SQLITE_PATH = Path(os.environ.get("SQLITE_PATH", BASE_DIR / "db.sqlite3"))
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.config(conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": SQLITE_PATH,
            "OPTIONS": {
                # WAL lets readers work while one writer commits; IMMEDIATE takes the write
                # lock at BEGIN so that two writers queue instead of failing with "locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

#: Reads that may lag a little (dashboards, exports) go to a "replica" alias when one is configured
#: (production: DATABASE_REPLICA_URL); everything else, and every write, goes to "default".
DATABASE_ROUTERS = ["iso.routers.ReplicaRouter"]
#: The alias of the read replica in DATABASES, or None when there is none.
READ_REPLICA = None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "iso.User"

#: Shortest password accepted (OWASP ASVS 2.1.1 asks for at least 12 characters).
PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", 12))
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks every login before the model backend and counts the failures.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
#: Failed logins, for one username from one address, before that pair is locked out.
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
#: How long a lockout lasts; the secretary or an administrator can lift it earlier (axes_reset_username).
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", 15)))
# Username and address together: a guesser is stopped without letting anyone elsewhere lock the
# real user out by typing wrong passwords under their name.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "iso.accounts.lockout_response"
AXES_CLIENT_IP_CALLABLE = "iso.accounts.client_ip"
#: Reverse proxies in front of the application that append to X-Forwarded-For; 0 means none,
#: and REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))

#: A session ends after this many seconds without a request; iso.accounts.SessionRenewalMiddleware
#: pushes the end back while the user works, at most once every SESSION_RENEW_SECONDS.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_MINUTES", 30)) * 60
SESSION_RENEW_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["iso.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Uploaded files live outside the web root and have no URL: no MEDIA_URL route serves them, and
# the private storage refuses to make one. Each is downloaded through a view that checks the
# user's permission (records, evidence, form templates).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "iso.uploads.PrivateFileStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
#: Largest upload accepted, in megabytes (iso.uploads.validate_upload). Uploads above 2.5 MB are
#: spooled to a temporary file, never held in memory; the proxy in front should refuse bodies
#: much larger than this before they reach the application.
UPLOAD_MAX_MEGABYTES = int(os.environ.get("UPLOAD_MAX_MEGABYTES", 20))
FILE_UPLOAD_PERMISSIONS = 0o640
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o750

#: Background jobs (evidence packs, large exports, reminder digests) go through Django's tasks API
#: (the django-tasks backport until Django 6). Here a job runs at once in the process that enqueues
#: it, so the one-command demo needs no worker; production settings put jobs on the database queue
#: that `manage.py db_worker` serves.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
#: Days a finished job and its result file are kept before ``manage.py prune_jobs`` deletes them.
JOB_RETENTION_DAYS = int(os.environ.get("JOB_RETENTION_DAYS", 30))

#: Name printed on documents and shown in the header.
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "")

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

#: The working week and office hours that working-time arithmetic uses (iso/calendar.py);
#: holidays and make-up working days are data (iso.CalendarDay). Weekdays: Monday is 0.
WEEKEND_DAYS = (5, 6)
OFFICE_HOURS = (("07:30", "11:30"), ("13:30", "17:00"))

#: An open case whose due date is this many working hours away or less is shown as at risk.
CASE_AT_RISK_WORKING_HOURS = float(os.environ.get("CASE_AT_RISK_WORKING_HOURS", 8))
#: The on-time rate's denominator, named on every figure: "resolved" or "received" cases.
ON_TIME_RATE_DENOMINATOR = os.environ.get("ON_TIME_RATE_DENOMINATOR", "resolved")

#: Days that must pass after a corrective action is done before its effectiveness may be verified.
CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS = int(os.environ.get("CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS", 30))

#: Place name printed before the date of official letters ("Quang Trung, ngày 05 tháng 01 năm 2026").
ORGANISATION_PLACE = os.environ.get("ORGANISATION_PLACE", "Quang Trung")
#: National title and motto of official letters (Decree 30/2020); data, not code.
OFFICIAL_NATIONAL_TITLE = os.environ.get("OFFICIAL_NATIONAL_TITLE", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
OFFICIAL_MOTTO = os.environ.get("OFFICIAL_MOTTO", "Độc lập - Tự do - Hạnh phúc")

# Electronic signatures: after this many wrong passwords in a row a user cannot sign until the ISO
# secretary resets it (Django admin, users, "Let them sign again").
SIGNATURE_MAX_FAILURES = int(os.environ.get("SIGNATURE_MAX_FAILURES", 5))

# Satisfaction kiosk (satisfaction/throttle.py): an address that has had this many refused attempts
# (unknown dossier code or wrong code from the receipt) within the window is refused until the
# oldest falls out of it. Only refusals count, so a tablet in the office that serves every
# applicant of the day is never locked by the people who rate correctly.
SATISFACTION_KIOSK_MAX_FAILURES = int(os.environ.get("SATISFACTION_KIOSK_MAX_FAILURES", 10))
SATISFACTION_KIOSK_WINDOW_MINUTES = int(os.environ.get("SATISFACTION_KIOSK_WINDOW_MINUTES", 15))
#: The public address of the kiosk page printed (and drawn as a QR code) on the receipt; empty:
#: the address of the site the receipt is printed from.
SATISFACTION_KIOSK_URL = os.environ.get("SATISFACTION_KIOSK_URL", "")
