"""Production settings read everything from the environment; the job queue is a real one."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from iso.jobs import job_request
from iso.models import Job
from records.tasks import evidence_pack_task

ROOT = Path(__file__).resolve().parents[2]

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
print(json.dumps({
    "aliases": sorted(settings.DATABASES),
    "engine": settings.DATABASES["default"]["ENGINE"],
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "replica_host": settings.DATABASES.get("replica", {}).get("HOST"),
    "read_replica": settings.READ_REPLICA,
    "tasks": settings.TASKS["default"]["BACKEND"],
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
    "middleware": settings.MIDDLEWARE[:2],
    "debug": settings.DEBUG,
}))
"""


def _production_settings(**env) -> dict:
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATABASE_REPLICA_URL")}
    environ.update(DJANGO_SETTINGS_MODULE="iso.settings.production", SECRET_KEY="x" * 50, **env)
    done = subprocess.run([sys.executable, "-c", PRINT_SETTINGS], cwd=ROOT, env=environ, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_production_settings_use_postgresql_with_reused_connections_whitenoise_and_the_database_queue():
    production = _production_settings(DATABASE_URL="postgresql://iso:secret@db.example:5432/iso")
    assert production == {
        "aliases": ["default"],
        "engine": "django.db.backends.postgresql",
        "conn_max_age": 600,
        "health_checks": True,
        "replica_host": None,
        "read_replica": None,
        "tasks": "django_tasks_db.DatabaseBackend",
        "static": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "middleware": ["django.middleware.security.SecurityMiddleware", "whitenoise.middleware.WhiteNoiseMiddleware"],
        "debug": False,
    }


def test_a_replica_url_adds_the_replica_alias():
    production = _production_settings(
        DATABASE_URL="postgresql://iso@primary:5432/iso", DATABASE_REPLICA_URL="postgresql://iso@replica:5432/iso",
        CONN_MAX_AGE="60",
    )
    assert (production["aliases"], production["replica_host"], production["read_replica"], production["conn_max_age"]) == (
        ["default", "replica"], "replica", "replica", 60
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_goes_through_the_database_queue_and_the_worker_runs_it(settings, secretary):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = job_request(kind=Job.Kind.EVIDENCE_PACK, requested_by=secretary,
                      parameters={"start": "2026-01-01", "end": "2026-12-31"}, task=evidence_pack_task)
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED and job.task_id

    # The worker installs its own signal handlers; give pytest its own back afterwards.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)

    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.progress_done == job.progress_total == 6
    assert job.result_name == "evidence-pack-20260101-20261231.zip"
