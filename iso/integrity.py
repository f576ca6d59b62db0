"""Checks that the stored evidence still says what it said: the hash chains of the logs, the files
whose hashes the project keeps, and the states of every state machine.

Used by ``manage.py verify_transition_log`` and ``manage.py verify_integrity`` (after a restore).
Every check reads in chunks of ids, so memory stays constant whatever the size of the database.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django_fsm import FSMFieldMixin

from . import chain
from .models import ChainedEntry, FieldChange, Signature, TransitionLog, content_type_label

CHUNK = 1000

#: The chained tables, by the name the commands print.
CHAINS: dict[str, type[ChainedEntry]] = {
    "transition log": TransitionLog, "field changes": FieldChange, "signatures": Signature,
}


@dataclass
class ChainReport:
    """The outcome of walking one chain: how many entries held, and the first broken one, if any."""

    name: str
    verified: int = 0
    head: str = chain.GENESIS
    problem: str = ""

    @property
    def intact(self) -> bool:
        return not self.problem


def _rows(model: type[models.Model], fields) -> Iterator[dict]:
    last = 0
    while True:
        rows = list(model._base_manager.filter(pk__gt=last).order_by("pk").values("pk", *fields)[:CHUNK])
        if not rows:
            return
        yield from rows
        last = rows[-1]["pk"]


def verify_chain(model: type[ChainedEntry], name: str = "") -> ChainReport:
    """Walk ``model``'s chain in id order and stop at the first entry that breaks it.

    Three breaks are told apart: a gap in the positions (entries removed), a previous hash that
    is not the hash of the entry before (an entry removed, inserted or rewritten with its hash
    recomputed), and a content hash that does not match the content (the entry was edited).
    """
    report = ChainReport(name=name or str(model._meta.verbose_name_plural))
    expected_seq, previous = 1, chain.GENESIS
    previous_pk = None
    for row in _rows(model, (*model.chain_fields, "previous_hash", "entry_hash")):
        where = _describe(model, row)
        if row["seq"] != expected_seq:
            if row["seq"] > expected_seq:
                missing = (
                    f"position {expected_seq}" if row["seq"] == expected_seq + 1
                    else f"positions {expected_seq} to {row['seq'] - 1}"
                )
                after = f" after entry {previous_pk}" if previous_pk else " at the start"
                report.problem = f"{where}: gap: {missing} missing{after} (entries were removed)."
            else:
                report.problem = (
                    f"{where}: gap: position {row['seq']} where {expected_seq} was expected "
                    "(an entry was inserted or repeated)."
                )
            return report
        if row["previous_hash"] != previous:
            report.problem = (
                f"{where}: previous-hash mismatch: it does not follow "
                f"{'entry ' + str(previous_pk) if previous_pk else 'the start of the chain'} "
                "(an entry before it was removed, inserted or rewritten)."
            )
            return report
        computed = chain.digest(model.chain_payload(row), row["previous_hash"])
        if computed != row["entry_hash"]:
            report.problem = f"{where}: content hash mismatch: its content was changed after it was written."
            return report
        report.verified += 1
        report.head = previous = row["entry_hash"]
        expected_seq += 1
        previous_pk = row["pk"]
    return report


def _describe(model, row) -> str:
    try:
        label = content_type_label(row["content_type_id"])
    except Exception:  # noqa: BLE001 - a forged content type must not hide the entry's id
        label = f"content type {row['content_type_id']}"
    return f"Entry {row['pk']} ({label} #{row['object_id']}, {row['object_repr']!r})"


def verify_chains() -> list[ChainReport]:
    return [verify_chain(model, name) for name, model in CHAINS.items()]


@dataclass
class FileReport:
    checked: int = 0
    hashed: int = 0
    problems: list[str] = field(default_factory=list)


def _file_models() -> Iterator[tuple[type[models.Model], list[models.FileField]]]:
    for model in apps.get_models():
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if file_fields:
            yield model, file_fields


def verify_files(*, limit: int = 50) -> FileReport:
    """Every stored file exists, and every file whose SHA-256 the project keeps (a ``sha256``
    field beside it, as records.KeptRecord has) still has that hash."""
    report = FileReport()
    for model, file_fields in _file_models():
        names = {f.name for f in model._meta.concrete_fields}
        hash_field = "sha256" if "sha256" in names else None
        columns = [f.attname for f in file_fields] + ([hash_field] if hash_field else [])
        for row in _rows(model, columns):
            for file_field in file_fields:
                name = row[file_field.attname]
                if not name:
                    continue
                report.checked += 1
                where = f"{model._meta.label} {row['pk']} ({file_field.name}: {name})"
                storage = file_field.storage
                if not storage.exists(name):
                    report.problems.append(f"{where}: the file is missing.")
                    continue
                expected = row.get(hash_field) if hash_field and len(file_fields) == 1 else None
                if expected:
                    report.hashed += 1
                    digest = hashlib.sha256()
                    with storage.open(name, "rb") as stored:
                        for block in iter(lambda: stored.read(1 << 20), b""):
                            digest.update(block)
                    if digest.hexdigest() != expected:
                        report.problems.append(
                            f"{where}: SHA-256 mismatch: the file is {digest.hexdigest()}, the register says {expected}."
                        )
            if len(report.problems) >= limit:
                return report
    return report


@dataclass
class StateReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)


def verify_states() -> StateReport:
    """Every row of every state machine is in one of its declared states."""
    report = StateReport()
    for model in apps.get_models():
        for state_field in (f for f in model._meta.concrete_fields if isinstance(f, FSMFieldMixin)):
            valid = [value for value, _label in state_field.flatchoices]
            rows = model._base_manager.all()
            report.checked += rows.count()
            for pk, state in rows.exclude(**{f"{state_field.attname}__in": valid}).values_list("pk", state_field.attname)[:50]:
                report.problems.append(f"{model._meta.label} {pk}: {state_field.name} {state!r} is not one of its states.")
    return report
