"""Read replica routing: the dashboards' and exports' reads may go to a replica of the primary.

Django's router sees a model, never the page that asks, so the pages and jobs that may read a
little behind the primary say so with :func:`replica_reads` (or :func:`reads_from_replica` on a
view); every other read, and every write, stays on ``default``. Without a replica (setting
READ_REPLICA empty, the usual single-server case) nothing changes.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_replica_reads: ContextVar[bool] = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Inside this block, reads go to the replica when one is configured."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica(view):
    """A view whose reads may go to the replica (dashboards, exports)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with replica_reads():
            return view(*args, **kwargs)

    return wrapper


def replica_alias() -> str | None:
    """The DATABASES alias of the read replica (settings.READ_REPLICA), or None."""
    return getattr(settings, "READ_REPLICA", None) or None


class ReplicaRouter:
    """Sends reads to the replica inside :func:`replica_reads`; never writes or migrates there."""

    def db_for_read(self, model, **hints):
        if _replica_reads.get():
            return replica_alias()
        return None

    def db_for_write(self, model, **hints):
        # Explicit: left to Django, an object read from the replica would be saved back there.
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary: objects from both may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica follows the primary's schema through replication.
        return db != replica_alias()
