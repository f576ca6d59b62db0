"""The hash chain that makes the append-only logs tamper-evident.

Each entry of a chained table stores the SHA-256 of its canonical content together with the hash
of the entry before it (by id), so that editing, removing or inserting a row breaks the chain at
that row. One chain per table: the transition log and the field changes each have their own, so
that appending to one never waits for the other and each is verified on its own (the electronic
signatures are chained the same way, in a third chain).

This module knows nothing of the models: the data migration that chains the rows written before
the chain existed uses the very same functions as the application, so the canonical form can
never drift between the two. Changing the canonical form breaks every stored chain: don't.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping

from django.utils import timezone

#: The "previous hash" of the first entry of a chain.
GENESIS = "0" * 64

#: The fields whose values each entry's hash covers, by attribute name, in the models and the
#: migration alike. ``content_type_id`` is hashed as "app_label.model", which survives a restore
#: into a database whose content types were numbered differently.
TRANSITION_LOG_FIELDS = (
    "seq", "content_type_id", "object_id", "object_repr", "transition", "source", "target", "actor_id", "at", "comment",
)
FIELD_CHANGE_FIELDS = (
    "seq", "content_type_id", "object_id", "object_repr", "field_name", "old_value", "new_value", "actor_id",
    "changed_at",
)
#: The electronic signatures: who signed what, meaning what, and the signed content itself.
SIGNATURE_FIELDS = (
    "seq", "content_type_id", "object_id", "object_repr", "action", "meaning", "signer_id", "signer_name",
    "signer_title", "signer_roles", "signed_at", "content_sha256", "content",
)
#: Foreign keys hashed under the name of the relation ("actor", not "actor_id").
RELATION_FIELDS = ("actor_id", "signer_id")

#: The first key of PostgreSQL's two-key advisory locks taken by chain appends ("IS" "O" ...).
ADVISORY_LOCK_CLASS = 0x150_C4A1


def utc_iso(moment: datetime.datetime) -> str:
    """A moment as UTC in ISO 8601 with microseconds: the same text on every database."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def payload(values: Mapping, fields: Iterable[str], content_type_label: Callable[[int], str]) -> dict:
    """The canonical content of one entry, from its field values (attribute names as keys)."""
    content = {}
    for name in fields:
        value = values[name]
        if name == "content_type_id":
            content["content_type"] = content_type_label(value)
            continue
        if isinstance(value, datetime.datetime):
            value = utc_iso(value)
        content[name.removesuffix("_id") if name in RELATION_FIELDS else name] = value
    return content


def digest(content: Mapping, previous_hash: str) -> str:
    """The SHA-256 of an entry: its canonical content and the previous entry's hash, as sorted JSON."""
    body = json.dumps({**content, "previous_hash": previous_hash}, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def lock(connection, table: str) -> None:
    """Serialise appends to ``table``'s chain until the end of the current transaction.

    On PostgreSQL a transaction-level advisory lock: two transactions appending at once would
    otherwise both read the same head and fork the chain. SQLite takes its write lock at BEGIN
    (``transaction_mode=IMMEDIATE``), so appends are serialised there already.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [ADVISORY_LOCK_CLASS, table])
