"""Use cases of the records register; each runs in one transaction."""

import datetime
import hashlib
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from iso.jobs import job_request
from iso.models import Job, Signature, User
from iso.signatures import SignatureRequest, signature_authenticate, signature_record
from iso.uploads import original_name, validate_upload
from iso.versioning import edit_lock, edit_stamp
from iso.workflows import TransitionRefused, transition_apply, transition_refusal, transition_run
from processes.models import ProcedureRevision, RecordToKeep

from .models import DisposalMinute, KeptRecord, RecordType
from .tasks import evidence_pack_task

#: What a register page may change on a record type (its code and source stay as made).
RECORD_TYPE_FIELDS = ("code", "name", "procedure", "form", "keeper", "location", "retention_years", "disposal_method")
#: Transitions a user applies on their own; disposal goes through disposal_approve.
USER_TRANSITIONS = ("archive", "mark_due")


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int


def _record_type_prefix(procedure_code: str) -> str:
    """HS-06 for QT-06: the procedure's code with its own prefix replaced by HS."""
    _prefix, sep, rest = procedure_code.partition("-")
    return f"HS-{rest if sep else procedure_code}"


def _next_code(prefix: str, taken: set[str]) -> str:
    pattern = re.compile(rf"^{re.escape(prefix)}-(\d+)$")
    numbers = [int(m.group(1)) for code in taken if (m := pattern.match(code))]
    number = max(numbers, default=0) + 1
    code = f"{prefix}-{number:02d}"
    while code in taken:
        number += 1
        code = f"{prefix}-{number:02d}"
    return code


@transaction.atomic
def record_types_sync(*, by: User) -> SyncResult:
    """Make one record type per record to keep of each effective revision, or bring it up to date.

    The procedure is the source of the name, keeper and retention; the location and disposal
    method are the secretary's and stay as edited. Running it twice changes nothing.
    """
    rows = (
        RecordToKeep.objects.filter(revision__state=ProcedureRevision.State.EFFECTIVE)
        .select_related("revision__procedure")
        .order_by("revision__procedure__code", "position", "pk")
    )
    existing = {
        (t.procedure_id, t.source_name): t
        for t in RecordType.objects.select_for_update().filter(procedure__isnull=False)
    }
    taken = set(RecordType.objects.values_list("code", flat=True))
    created = updated = 0
    for row in rows:
        procedure = row.revision.procedure
        record_type = existing.get((procedure.pk, row.name))
        if record_type is None:
            code = _next_code(_record_type_prefix(procedure.code), taken)
            record_type = RecordType(
                code=code, name=row.name, procedure=procedure, source_name=row.name,
                keeper=row.keeper, retention_years=row.retention_years,
            )
            record_type.full_clean()
            record_type.save()
            taken.add(code)
            existing[(procedure.pk, row.name)] = record_type
            created += 1
            continue
        changes = {"keeper": row.keeper, "retention_years": row.retention_years}
        if any(getattr(record_type, name) != value for name, value in changes.items()):
            for name, value in changes.items():
                setattr(record_type, name, value)
            # An editor opened before the synchronisation must not write the old values back.
            stamped = edit_stamp(record_type, by=by)
            record_type.full_clean()
            record_type.save(update_fields=[*changes, *stamped])
            _recompute_retention(record_type)
            updated += 1
    return SyncResult(created=created, updated=updated)


def _recompute_retention(record_type: RecordType) -> None:
    """Records still kept follow their type's retention; disposed ones keep what they had."""
    kept = list(
        KeptRecord.objects.filter(
            record_type=record_type, state__in=[KeptRecord.State.ACTIVE, KeptRecord.State.ARCHIVED]
        ).only("pk", "record_date", "retention_end")
    )
    for record in kept:
        record.retention_end = record_type.retention_end_for(record.record_date)
    KeptRecord.objects.bulk_update(kept, ["retention_end"], batch_size=500)


@transaction.atomic
def record_type_create(*, by: User, **fields) -> RecordType:
    record_type = RecordType(**{name: fields[name] for name in RECORD_TYPE_FIELDS if name in fields})
    record_type.full_clean()
    record_type.save()
    return record_type


@transaction.atomic
def record_type_update(*, record_type: RecordType, by: User, edit_version: int | None = None, **fields) -> RecordType:
    """Change a record type of the register, unless someone else changed it since ``edit_version``
    (the version its form was opened at); the retention of its kept records follows."""
    record_type = edit_lock(record_type, edit_version=edit_version)
    retention_before = record_type.retention_years
    for name in RECORD_TYPE_FIELDS:
        if name in fields:
            setattr(record_type, name, fields[name])
    edit_stamp(record_type, by=by)
    record_type.full_clean()
    record_type.save()
    if record_type.retention_years != retention_before:
        _recompute_retention(record_type)
    return record_type


def _sha256(content: bytes | File) -> str:
    digest = hashlib.sha256()
    if isinstance(content, bytes | bytearray):
        digest.update(content)
        return digest.hexdigest()
    content.seek(0)
    for chunk in content.chunks() if hasattr(content, "chunks") else iter(lambda: content.read(1 << 20), b""):
        digest.update(chunk)
    content.seek(0)
    return digest.hexdigest()


def _next_reference(record_type: RecordType) -> str:
    prefix = f"{record_type.code}-"
    last = (
        KeptRecord.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def kept_record_store(
    *,
    record_type: RecordType,
    title: str,
    content: bytes | File | None,
    filename: str = "",
    record_date: datetime.date,
    subject: models.Model | None = None,
    by: User,
) -> KeptRecord:
    """Register a record, with its file (generated bytes or an upload) and the file's SHA-256."""
    # The type's row is locked so that two records stored at once do not take the same reference.
    record_type = RecordType.objects.select_for_update().get(pk=record_type.pk)
    record = KeptRecord(
        reference=_next_reference(record_type),
        record_type=record_type,
        title=title,
        record_date=record_date,
        created_by=by,
    )
    if subject is not None:
        record.subject = subject
    if content is not None:
        name = filename or getattr(content, "name", "") or f"{record.reference}.bin"
        stored = ContentFile(bytes(content), name=name) if isinstance(content, bytes | bytearray) else content
        # Checked before anything is written to disk, so a refused file leaves nothing behind.
        try:
            validate_upload(stored)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        record.sha256 = _sha256(content)
        record.original_filename = original_name(name)
        record.file.save(record.original_filename, stored, save=False)
    record.retention_end = record_type.retention_end_for(record_date)
    record.full_clean()
    record.save()
    return record


def kept_record_transition(*, record: KeptRecord, name: str, by: User, comment: str = "") -> KeptRecord:
    """Archive a record or mark it due for disposal (locked, checked, saved and logged)."""
    if name not in USER_TRANSITIONS:
        raise TransitionRefused(_("Records are disposed of only through a disposal minute."))
    return transition_apply(record, name, by=by, comment=comment)


def _next_minute_number(date: datetime.date) -> str:
    prefix = f"BB-{date.year}-"
    numbers = [
        int(number.removeprefix(prefix))
        for number in DisposalMinute.objects.filter(number__startswith=prefix).values_list("number", flat=True)
        if number.removeprefix(prefix).isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


#: The meanings an approver may state when signing a disposal minute.
DISPOSAL_MEANINGS = (Signature.Meaning.APPROVED,)


def disposal_approve(
    *,
    records,
    by: User,
    method: str,
    signature: SignatureRequest | None,
    members: str = "",
    notes: str = "",
    date: datetime.date | None = None,
) -> DisposalMinute:
    """Approve the disposal of ``records`` under a new minute, signed electronically by ``by``:
    all of them, or none.

    The password is checked before the transaction (a wrong one is counted and nothing is
    written). Every record must be due for disposal and disposable by ``by``; the first that is
    not is named and nothing is written. The minute, the disposals and the signature are written
    in one transaction.
    """
    pks = sorted({record.pk for record in records})
    if not pks:
        raise ValidationError(_("Choose at least one record to dispose of."))
    if not method.strip():
        raise ValidationError({"method": _("Say how the records are disposed of.")})
    signing = signature_authenticate(
        signer=by, request=signature, meanings=DISPOSAL_MEANINGS, action=str(DisposalMinute.SIGNED_ACTIONS["approve"])
    )
    with transaction.atomic():
        return _dispose(pks, by=by, signing=signing, method=method, members=members, notes=notes, date=date)


def _dispose(pks, *, by, signing, method, members, notes, date) -> DisposalMinute:
    locked = list(KeptRecord.objects.select_for_update().filter(pk__in=pks).select_related("record_type").order_by("pk"))
    if len(locked) != len(pks):
        raise ValidationError(_("A chosen record no longer exists."))
    for record in locked:
        if record.state != KeptRecord.State.DUE_FOR_DISPOSAL:
            raise ValidationError(
                _("%(record)s is %(state)s, not due for disposal; nothing was disposed of.")
                % {"record": record, "state": record.get_state_display().lower()}
            )
        refusal = transition_refusal(record, "dispose", by, internal=True)
        if refusal:
            raise TransitionRefused(refusal)
    date = date or timezone.localdate()
    minute = DisposalMinute(
        number=_next_minute_number(date), date=date, approved_by=by, method=method, members=members, notes=notes
    )
    minute.full_clean()
    minute.save()
    for record in locked:
        transition_run(record, "dispose", by=by, internal=True, minute=minute, comment=minute.number)
        record.save()
    signature_record(obj=minute, signing=signing, action="approve")
    return minute


def evidence_pack_request(*, start: datetime.date, end: datetime.date, by: User):
    """Queue the evidence pack of [start, end] for ``by``; the worker builds it (records.tasks)."""
    if end < start:
        raise ValidationError({"end": _("The end of the period is before its start.")})
    return job_request(
        kind=Job.Kind.EVIDENCE_PACK, requested_by=by,
        parameters={"start": start.isoformat(), "end": end.isoformat()}, task=evidence_pack_task,
    )
