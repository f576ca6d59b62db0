"""Test settings: fast hashing, files in a throwaway folder, the database from the environment."""

import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="iso-test-media-"))
STORAGES = {
    "default": {"BACKEND": "iso.uploads.PrivateFileStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # Django's test runner empties tables with TRUNCATE between transactional tests; the
    # append-only triggers of the logs (iso migration 0006) let it through only with this set.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c iso.allow_log_truncate=on"  # noqa: F405

# Jobs run at once, inside the test, when their transaction commits (STYLE: immediate task backend).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
