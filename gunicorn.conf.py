"""gunicorn settings for production: `gunicorn` run from the project folder reads this file.

Every value can be changed from the environment (GUNICORN_BIND, WEB_CONCURRENCY, ...) or on the
command line. The application is iso.wsgi, whose default settings are iso.settings.production.
"""

import multiprocessing
import os

wsgi_app = "iso.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: pages are short and database-bound; long work goes to the job worker.
# The usual 2 × cores + 1, capped so that a big machine does not open more connections than
# PostgreSQL's max_connections allows (each worker keeps one, CONN_MAX_AGE).
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never grows for ever.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
# The proxy in front (nginx) sets X-Forwarded-Proto; trust it from these addresses only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
