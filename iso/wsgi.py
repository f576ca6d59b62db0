"""WSGI entry point for web servers such as gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iso.settings.production")

application = get_wsgi_application()
