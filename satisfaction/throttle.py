"""Rate limiting of the kiosk per client address, shared by every web worker.

Production runs several gunicorn workers (and possibly several machines), so a counter in one
process's memory would let each worker grant the full allowance. The count lives in the database
instead, in its own small table (:class:`~satisfaction.models.KioskFailure`), one row per refused
attempt: a sliding window counted with one indexed query, written with one insert, the same on
SQLite and PostgreSQL, and created by a migration (no `createcachetable` step to forget at
deployment, and none of the database cache backend's non-atomic get-then-set increments).

Only refusals count (an unknown dossier code or a wrong code from the receipt): the tablet of the
one-stop shop sends every applicant's rating from one address, and those who rate correctly never
lock it.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from iso.accounts import client_ip

from .models import KioskFailure


def client_key(request) -> str:
    """A keyed hash of the client's address (behind TRUSTED_PROXY_COUNT proxies, the one they saw)."""
    return salted_hmac("satisfaction.throttle.client", client_ip(request), algorithm="sha256").hexdigest()


def _window_start(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(minutes=settings.SATISFACTION_KIOSK_WINDOW_MINUTES)


def is_blocked(client: str, *, now: datetime.datetime | None = None) -> bool:
    """Whether ``client`` has had SATISFACTION_KIOSK_MAX_FAILURES refusals within the window."""
    now = now or timezone.now()
    recent = KioskFailure.objects.filter(client=client, at__gt=_window_start(now))
    return recent.count() >= settings.SATISFACTION_KIOSK_MAX_FAILURES


def record_failure(client: str, *, now: datetime.datetime | None = None) -> None:
    """Count one refused attempt of ``client``, and forget every attempt older than the window."""
    now = now or timezone.now()
    KioskFailure.objects.filter(at__lte=_window_start(now)).delete()
    KioskFailure.objects.create(client=client, at=now)
