"""Production settings: every secret and host comes from the environment.

Run with DJANGO_SETTINGS_MODULE=iso.settings.production (iso/wsgi.py's default, so gunicorn picks
it up); see gunicorn.conf.py for the web server and `manage.py db_worker` for the job worker.

``DJANGO_SETTINGS_MODULE=iso.settings.production python manage.py check --deploy`` reports nothing
with SECRET_KEY (50 random characters or more) and ALLOWED_HOSTS set.
"""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env_bool

DEBUG = False
SECRET_KEY = os.environ["SECRET_KEY"]
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
# The session cookie is read by no script; the CSRF token is read from the form, not the cookie.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# HSTS: a year once the site is known to be served only over HTTPS; set 0 while trying it out.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
]

# Databases ------------------------------------------------------------------------------------
# PostgreSQL only: several web workers and job workers write at once. Each process keeps its
# connection for CONN_MAX_AGE seconds instead of opening one per request, and checks it before
# reuse so that a restarted server or a dropped connection costs one retry, not a 500.
CONN_MAX_AGE = int(os.environ.get("CONN_MAX_AGE", 600))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=CONN_MAX_AGE, conn_health_checks=True
    )
}
if os.environ.get("DATABASE_REPLICA_URL"):
    # A streaming replica of the primary: read-only, never migrated (iso.routers.ReplicaRouter).
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=CONN_MAX_AGE, conn_health_checks=True
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    READ_REPLICA = "replica"

# Background jobs: rows in PostgreSQL, run by `manage.py db_worker` (as many as wanted, on any
# machine that reaches the primary; they take jobs with SELECT ... FOR UPDATE SKIP LOCKED).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Static files: `manage.py collectstatic` writes compressed, content-hashed copies to STATIC_ROOT
# and WhiteNoise serves them from each web worker with far-future cache headers, so no request
# for CSS reaches Django's views (a proxy in front may serve STATIC_ROOT itself instead).
MIDDLEWARE = [
    MIDDLEWARE[0],  # SecurityMiddleware first, as WhiteNoise asks.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],
]
STORAGES = {
    **STORAGES,  # noqa: F405 (uploads stay in the private storage of base.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
