"""Bulk loading of cases exported by another one-stop-shop system (CSV or XLSX).

The whole file is checked first; only a file without a single bad row is written, in one
transaction, in bulk. Each error names its row (as the spreadsheet numbers it, header = row 1),
its column and the reason.
"""

import datetime
from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from iso.calendar import HOUR, WorkingCalendar
from iso.imports import RowError
from iso.models import OrgUnit, User
from processes.models import Procedure, ProcedureRevision

from .models import Case, StepVisit
from .services import RuleBook, case_reference, classify_timing

COLUMNS = [
    "reference", "procedure", "unit", "received_by", "received_at", "applicant_name", "applicant_kind",
    "applicant_contact", "channel", "outcome", "resolved_at", "note",
]
REQUIRED = {"procedure", "received_by", "received_at", "applicant_name"}
OUTCOMES = {"": None, "completed": Case.State.COMPLETED, "rejected": Case.State.REJECTED, "withdrawn": Case.State.WITHDRAWN}
DATETIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M")


class CaseImportError(Exception):
    """The file was not imported; ``errors`` lists every bad row."""

    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


@dataclass
class _Row:
    number: int
    values: dict
    case: Case | None = None


@dataclass
class _Lookups:
    """Everything the rows refer to, read once for the whole file."""

    procedures: dict[str, Procedure]
    revisions: dict[int, ProcedureRevision]
    units: dict[str, OrgUnit]
    users: dict[str, User]
    existing_references: set[str]
    rules: dict[int, RuleBook] = field(default_factory=dict)


def read_dataset(path: Path) -> tablib.Dataset:
    """A CSV or XLSX file as a dataset with its header row."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in {"csv", "xlsx"}:
        raise CaseImportError([RowError(0, "—", _("Only CSV and XLSX files can be imported, not “%(suffix)s”.") % {"suffix": suffix})])
    if suffix == "csv":
        return tablib.Dataset().load(path.read_text(encoding="utf-8-sig"), format="csv")
    return tablib.Dataset().load(path.read_bytes(), format="xlsx")


def _parse_datetime(value, tz) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        text = str(value).strip()
        for fmt in DATETIME_FORMATS:
            try:
                moment = datetime.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            return None
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=tz)


def _lookups(rows: list[_Row]) -> _Lookups:
    column = lambda name: {str(r.values.get(name) or "").strip() for r in rows} - {""}  # noqa: E731
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=column("procedure")).select_related("owner_unit")}
    revisions = {
        r.procedure_id: r
        for r in ProcedureRevision.objects.filter(procedure__in=procedures.values(), state=ProcedureRevision.State.EFFECTIVE)
    }
    return _Lookups(
        procedures=procedures,
        revisions=revisions,
        units={u.code: u for u in OrgUnit.objects.filter(code__in=column("unit"))},
        users={u.username: u for u in User.objects.filter(username__in=column("received_by"))},
        existing_references=set(Case.objects.filter(reference__in=column("reference")).values_list("reference", flat=True)),
    )


def _validate(row: _Row, lookups: _Lookups, seen: set[str], calendar: WorkingCalendar) -> list[RowError]:
    values = {key: ("" if value is None else value) for key, value in row.values.items()}
    errors: list[RowError] = []

    def error(column, message):
        errors.append(RowError(row.number, column, message))

    for name in sorted(REQUIRED):
        if not str(values.get(name, "")).strip():
            error(name, _("is required"))
    code = str(values.get("procedure", "")).strip()
    procedure = lookups.procedures.get(code)
    if code and procedure is None:
        error("procedure", _("no procedure has the code “%(code)s”") % {"code": code})
    elif procedure is not None and procedure.pk not in lookups.revisions:
        error("procedure", _("%(code)s has no effective revision") % {"code": code})
    unit_code = str(values.get("unit", "")).strip()
    if unit_code and unit_code not in lookups.units:
        error("unit", _("no unit has the code “%(code)s”") % {"code": unit_code})
    username = str(values.get("received_by", "")).strip()
    if username and username not in lookups.users:
        error("received_by", _("no user is called “%(name)s”") % {"name": username})
    received_at = resolved_at = None
    if str(values.get("received_at", "")).strip():
        received_at = _parse_datetime(values["received_at"], calendar.tz)
        if received_at is None:
            error("received_at", _("“%(value)s” is not a date and time (use YYYY-MM-DD HH:MM)") % {"value": values["received_at"]})
    outcome_text = str(values.get("outcome", "")).strip().lower()
    if outcome_text not in OUTCOMES:
        error("outcome", _("must be empty (still open), completed, rejected or withdrawn, not “%(value)s”") % {"value": outcome_text})
    elif OUTCOMES[outcome_text] is not None:
        if not str(values.get("resolved_at", "")).strip():
            error("resolved_at", _("is required when the outcome is %(outcome)s") % {"outcome": outcome_text})
        else:
            resolved_at = _parse_datetime(values["resolved_at"], calendar.tz)
            if resolved_at is None:
                error("resolved_at", _("“%(value)s” is not a date and time (use YYYY-MM-DD HH:MM)") % {"value": values["resolved_at"]})
            elif received_at and resolved_at < received_at:
                error("resolved_at", _("is before the case was received"))
    for name, choices in (("channel", Case.Channel.values), ("applicant_kind", Case.ApplicantKind.values)):
        value = str(values.get(name, "")).strip()
        if value and value not in choices:
            error(name, _("must be one of %(choices)s, not “%(value)s”") % {"choices": ", ".join(choices), "value": value})
    reference = str(values.get("reference", "")).strip()
    if reference:
        if reference in lookups.existing_references:
            error("reference", _("a case with the dossier code %(reference)s already exists") % {"reference": reference})
        elif reference in seen:
            error("reference", _("the dossier code %(reference)s appears twice in the file") % {"reference": reference})
        seen.add(reference)
    for name, limit in (("applicant_name", 200), ("applicant_contact", 300), ("reference", 64)):
        if len(str(values.get(name, ""))) > limit:
            error(name, _("is longer than %(limit)s characters") % {"limit": limit})
    if errors:
        return errors

    revision = lookups.revisions[procedure.pk]
    rules = lookups.rules.get(revision.pk) or lookups.rules.setdefault(revision.pk, RuleBook.for_revision(revision, calendar))
    outcome = OUTCOMES[outcome_text]
    due_at = calendar.add_working_seconds(received_at, rules.total_seconds)
    row.case = Case(
        reference=reference,
        procedure=procedure,
        revision=revision,
        year=received_at.astimezone(calendar.tz).year,
        unit=lookups.units.get(unit_code) or procedure.owner_unit,
        state=outcome or Case.State.RECEIVED,
        applicant_name=str(values["applicant_name"]).strip(),
        applicant_kind=str(values.get("applicant_kind", "")).strip() or Case.ApplicantKind.PERSON,
        applicant_contact=str(values.get("applicant_contact", "")).strip(),
        channel=str(values.get("channel", "")).strip() or Case.Channel.IN_PERSON,
        received_by=lookups.users[username],
        received_at=received_at,
        due_at=due_at,
        current_step=None if outcome else rules.start,
        resolved_at=resolved_at if outcome in Case.RESOLVED_STATES else None,
        timing=classify_timing(resolved_at, due_at, calendar.tz) if outcome in Case.RESOLVED_STATES else "",
        outcome_note=str(values.get("note", "")).strip(),
    )
    return []


def cases_import(dataset: tablib.Dataset) -> list[Case]:
    """Check every row of ``dataset``, then write all its cases in one transaction, or none.

    Imported cases arrive in the state the other system reached (open cases at the start step of
    the effective revision); their register numbers continue each procedure's register for the year.
    Raises :class:`CaseImportError` listing every bad row.
    """
    headers = [str(h or "").strip() for h in dataset.headers or []]
    missing = sorted(REQUIRED - set(headers))
    unknown = sorted(set(headers) - set(COLUMNS))
    if missing or unknown:
        problems = [RowError(1, name, _("this required column is missing")) for name in missing]
        problems += [RowError(1, name, _("unknown column; the columns are %(columns)s") % {"columns": ", ".join(COLUMNS)})
                     for name in unknown]
        raise CaseImportError(problems)
    rows = [_Row(number=index + 2, values=dict(zip(headers, values, strict=False))) for index, values in enumerate(dataset)]
    calendar = WorkingCalendar.load()
    lookups = _lookups(rows)
    seen: set[str] = set()
    errors = [e for row in rows for e in _validate(row, lookups, seen, calendar)]
    if errors:
        raise CaseImportError(errors)
    return _write(rows, lookups, calendar)


@transaction.atomic
def _write(rows: list[_Row], lookups: _Lookups, calendar: WorkingCalendar) -> list[Case]:
    cases = sorted((row.case for row in rows), key=lambda c: c.received_at)
    keys = {(c.procedure_id, c.year) for c in cases}
    # Locking the procedures keeps live intake from taking the same register numbers meanwhile.
    list(Procedure.objects.select_for_update().filter(pk__in={p for p, _y in keys}).order_by("pk"))
    last = {
        (r["procedure"], r["year"]): r["last"]
        for r in Case.objects.filter(procedure__in={p for p, _y in keys}, year__in={y for _p, y in keys})
        .values("procedure", "year").annotate(last=Max("sequence"))
    }
    for case in cases:
        key = (case.procedure_id, case.year)
        case.sequence = last[key] = last.get(key, 0) + 1
        case.reference = case.reference or case_reference(case.procedure, case.received_at, case.sequence, calendar.tz)
    Case.objects.bulk_create(cases, batch_size=1000)
    StepVisit.objects.bulk_create(
        (
            StepVisit(
                case=case,
                step=case.current_step,
                entered_at=case.received_at,
                due_at=calendar.add_working_seconds(case.received_at, lookups.rules[case.revision_id].seconds[case.current_step.code]),
                hours_allowed=round(lookups.rules[case.revision_id].seconds[case.current_step.code] / HOUR, 2),
            )
            for case in cases
            if case.current_step is not None
        ),
        batch_size=1000,
    )
    return cases
