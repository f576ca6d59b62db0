"""Use cases on cases: intake, moves along the step graph, supplements, apologies. Each runs in
one transaction on the locked case row."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from iso.calendar import HOUR, WorkingCalendar
from iso.jobs import job_request
from iso.models import Job, OrgUnit, User
from iso.workflows import transition_run
from processes.models import Procedure, ProcedureRevision, Step

from .models import Apology, Case, StepVisit, SupplementRequest, Timing
from .tasks import EXPORT_FORMATS, case_export_task


def classify_timing(finished_at: datetime.datetime, due_at: datetime.datetime, tz) -> str:
    """Early if finished on an earlier day than due, on time if by the due moment, late after it."""
    if finished_at > due_at:
        return Timing.LATE
    if finished_at.astimezone(tz).date() < due_at.astimezone(tz).date():
        return Timing.EARLY
    return Timing.ON_TIME


@dataclass(frozen=True)
class RuleBook:
    """What a case needs from its revision: the steps, the graph, and each step's allowance."""

    revision: ProcedureRevision
    steps: dict[str, Step]
    seconds: dict[str, float]
    total_seconds: float
    main_path: list[str]

    @classmethod
    def for_revision(cls, revision: ProcedureRevision, calendar: WorkingCalendar) -> "RuleBook":
        steps = {step.code: step for step in revision.steps.all()}
        seconds = {code: calendar.to_working_seconds(s.time_limit, s.time_unit) for code, s in steps.items()}
        total, path = revision.step_graph().longest_path(seconds)
        return cls(revision=revision, steps=steps, seconds=seconds, total_seconds=total, main_path=path)

    @property
    def start(self) -> Step:
        return next(step for step in self.steps.values() if step.kind == Step.Kind.START)


def _effective_revision(procedure: Procedure) -> ProcedureRevision:
    revision = procedure.revisions.filter(state=ProcedureRevision.State.EFFECTIVE).first()
    if revision is None:
        raise ValidationError(
            {"procedure": _("%(procedure)s has no effective revision; no case can be received under it.")
             % {"procedure": procedure.code}}
        )
    return revision


def _next_sequence(procedure: Procedure, year: int) -> int:
    """The next free number in the procedure's register for ``year``; the caller holds the procedure lock."""
    last = Case.objects.filter(procedure=procedure, year=year).aggregate(last=Max("sequence"))["last"] or 0
    return last + 1


def case_reference(procedure: Procedure, received_at: datetime.datetime, sequence: int, tz) -> str:
    """The dossier code printed on the receipt: procedure, date of receipt and register number."""
    return f"{procedure.code}-{received_at.astimezone(tz):%y%m%d}-{sequence:04d}"


def _check_handler(user: User | None, step: Step) -> None:
    if user is None or step.responsible_unit_id is None:
        return
    if user.unit_id != step.responsible_unit_id:
        raise ValidationError(
            {"assignee": _("%(person)s is not a member of %(unit)s, which is responsible for step %(step)s.")
             % {"person": user, "unit": step.responsible_unit, "step": step.code}}
        )


@transaction.atomic
def case_receive(
    *,
    procedure: Procedure,
    by: User,
    applicant_name: str,
    applicant_kind: str = Case.ApplicantKind.PERSON,
    applicant_contact: str = "",
    channel: str = Case.Channel.IN_PERSON,
    unit: OrgUnit | None = None,
    received_at: datetime.datetime | None = None,
    assignee: User | None = None,
) -> Case:
    """Receive a complete dossier under the procedure's effective revision.

    The case gets the next number of the procedure's register for the year, stands on the start
    step, and is due when the heaviest way through the graph would end in working time.
    """
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    revision = _effective_revision(procedure)
    calendar = WorkingCalendar.load()
    rules = RuleBook.for_revision(revision, calendar)
    received_at = received_at or timezone.now()
    year = received_at.astimezone(calendar.tz).year
    sequence = _next_sequence(procedure, year)
    start = rules.start
    handler = assignee or by
    _check_handler(assignee, start)
    case = Case(
        reference=case_reference(procedure, received_at, sequence, calendar.tz),
        procedure=procedure,
        revision=revision,
        year=year,
        sequence=sequence,
        unit=unit or by.unit or procedure.owner_unit,
        applicant_name=applicant_name.strip(),
        applicant_kind=applicant_kind,
        applicant_contact=applicant_contact.strip(),
        channel=channel,
        received_by=by,
        received_at=received_at,
        due_at=calendar.add_working_seconds(received_at, rules.total_seconds),
        current_step=start,
        assignee=handler,
    )
    case.full_clean()
    case.save()
    StepVisit.objects.create(
        case=case,
        step=start,
        handler=handler,
        entered_at=received_at,
        due_at=calendar.add_working_seconds(received_at, rules.seconds[start.code]),
        hours_allowed=round(rules.seconds[start.code] / HOUR, 2),
    )
    return case


def _lock(case: Case) -> Case:
    """The case, locked for the transaction and read as it is now.

    The lock is taken without joins: a FOR UPDATE over a join makes PostgreSQL re-check a row that
    a concurrent transaction changed against the joined rows as first read, and the case a second
    clerk moved at the same moment came back standing on no step.
    """
    list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk", flat=True))
    return Case.objects.select_related("current_step", "revision").get(pk=case.pk)


def _leave_current_step(case: Case, *, by: User, action: str, at: datetime.datetime, calendar) -> StepVisit:
    visit = case.visits.select_for_update().get(left_at__isnull=True)
    visit.left_at = at
    visit.left_by = by
    visit.action = action
    paused = sum(
        calendar.working_seconds_between(r.requested_at, r.received_at or at)
        for r in case.supplement_requests.filter(requested_at__gte=visit.entered_at)
    )
    visit.hours_spent = round((calendar.working_seconds_between(visit.entered_at, at) - paused) / HOUR, 2)
    visit.timing = classify_timing(at, visit.due_at, calendar.tz)
    visit.save()
    return visit


def _resolve(case: Case, *, at: datetime.datetime, note: str, calendar) -> None:
    case.resolved_at = at
    case.timing = classify_timing(at, case.due_at, calendar.tz)
    case.outcome_note = note
    case.current_step = None
    if case.timing == Timing.LATE and not Apology.objects.filter(case=case).exists():
        raise ValidationError(
            _("%(case)s is past its due date (%(due)s): record the apology and new appointment to the applicant "
              "before returning the result.")
            % {"case": case, "due": timezone.localtime(case.due_at, calendar.tz).strftime("%d/%m/%Y %H:%M")}
        )


@transaction.atomic
def case_move(
    *,
    case: Case,
    to_step: Step,
    by: User,
    assignee: User | None = None,
    comment: str = "",
    at: datetime.datetime | None = None,
) -> Case:
    """Move a case along one edge of its revision's step graph.

    Reaching an end step returns the result (the case is completed) and reaching a refusal step
    refuses it; a case past its due date needs its apology first. Any move the graph does not
    have is refused, naming the step and the moves it allows.
    """
    case = _lock(case)
    at = at or timezone.now()
    if case.state == Case.State.WAITING_SUPPLEMENT:
        raise ValidationError(_("%(case)s is waiting for a supplement; record the supplement before moving it.") % {"case": case})
    here = case.current_step
    edge = here.outgoing.filter(target=to_step).first() if here else None
    if edge is None:
        allowed = ", ".join(f"{e.target.code} ({e.action})" for e in here.outgoing.select_related("target")) if here else ""
        raise ValidationError(
            _("There is no move from step %(here)s to step %(target)s. Allowed moves: %(allowed)s.")
            % {"here": here.code if here else "—", "target": to_step.code, "allowed": allowed or _("none")}
        )
    _check_handler(assignee, to_step)
    calendar = WorkingCalendar.load()
    label = f"{here.code} → {to_step.code}: {edge.action}" + (f" — {comment}" if comment else "")

    began = case.state == Case.State.RECEIVED and to_step.kind != Step.Kind.REFUSAL
    if began:
        transition_run(case, "begin", by=by, comment=label)
    _leave_current_step(case, by=by, action=edge.action, at=at, calendar=calendar)
    if to_step.kind == Step.Kind.END:
        transition_run(case, "complete", by=by, comment=label)
        _resolve(case, at=at, note=comment, calendar=calendar)
    elif to_step.kind == Step.Kind.REFUSAL:
        transition_run(case, "reject", by=by, comment=comment)
        _resolve(case, at=at, note=comment, calendar=calendar)
    else:
        if not began:
            transition_run(case, "move", by=by, comment=label)
        seconds = calendar.to_working_seconds(to_step.time_limit, to_step.time_unit)
        StepVisit.objects.create(
            case=case,
            step=to_step,
            handler=assignee or by,
            entered_at=at,
            due_at=calendar.add_working_seconds(at, seconds),
            hours_allowed=round(seconds / HOUR, 2),
        )
        case.current_step = to_step
        case.assignee = assignee or by
    case.save()
    return case


@transaction.atomic
def case_request_supplement(*, case: Case, by: User, missing: str, at: datetime.datetime | None = None) -> Case:
    """Ask the applicant, once, for everything missing; the clock stops until the supplement arrives."""
    case = _lock(case)
    earlier = case.supplement_requests.first()
    if earlier is not None:
        raise ValidationError(
            _("A supplement was already requested on %(date)s; the applicant must be told everything missing in a "
              "single request.") % {"date": timezone.localtime(earlier.requested_at).strftime("%d/%m/%Y")}
        )
    transition_run(case, "request_supplement", by=by, comment=missing)
    SupplementRequest.objects.create(
        case=case, step=case.current_step, missing=missing.strip(), requested_at=at or timezone.now(), requested_by=by
    )
    case.save()
    return case


@transaction.atomic
def case_receive_supplement(*, case: Case, by: User, at: datetime.datetime | None = None) -> Case:
    """The applicant completed the dossier. The time limit restarts from zero, or, where the revision
    says so, resumes where it stopped; either way the wait does not count against the limit."""
    case = _lock(case)
    transition_run(case, "receive_supplement", by=by)
    at = at or timezone.now()
    calendar = WorkingCalendar.load()
    request = case.supplement_requests.select_for_update().get(received_at__isnull=True)
    request.received_at = at
    request.save()
    waited = calendar.working_seconds_between(request.requested_at, at)
    case.paused_hours += round(Decimal(waited) / HOUR, 2)
    visit = case.visits.select_for_update().get(left_at__isnull=True)
    if case.revision.supplement_restarts_clock:
        rules = RuleBook.for_revision(case.revision, calendar)
        case.due_at = calendar.add_working_seconds(at, rules.total_seconds)
        visit.due_at = calendar.add_working_seconds(at, rules.seconds[visit.step.code])
    else:
        case.due_at = _shift(case.due_at, request.requested_at, at, calendar)
        visit.due_at = _shift(visit.due_at, request.requested_at, at, calendar)
    visit.save()
    case.save()
    return case


def _shift(due_at, paused_at, resumed_at, calendar) -> datetime.datetime:
    """The due moment after a pause: the working time that was left at the pause, from the resumption."""
    left = calendar.working_seconds_between(paused_at, due_at)
    return calendar.add_working_seconds(resumed_at, max(left, 0))


@transaction.atomic
def case_apologise(
    *, case: Case, by: User, reason: str, new_due_at: datetime.datetime, at: datetime.datetime | None = None
) -> Apology:
    """Record the apology and new appointment to the applicant; the new date may be set only once.

    The rule asks for it no later than one working day before the due date; a later one is kept
    and flagged as not in good time.
    """
    case = _lock(case)
    at = at or timezone.now()
    if not case.is_open:
        raise ValidationError(_("%(case)s is closed; an apology is written while the case is open.") % {"case": case})
    if Apology.objects.filter(case=case).exists():
        raise ValidationError(_("A new appointment was already given for %(case)s; it may be set only once.") % {"case": case})
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the delay.")})
    if new_due_at <= case.due_at:
        raise ValidationError({"new_due_at": _("The new appointment must be later than the due date.")})
    calendar = WorkingCalendar.load()
    apology = Apology(
        case=case,
        reason=reason.strip(),
        new_due_at=new_due_at,
        issued_at=at,
        issued_by=by,
        in_good_time=calendar.working_seconds_between(at, case.due_at) >= calendar.seconds_per_day,
    )
    apology.full_clean()
    apology.save()
    return apology


@transaction.atomic
def case_reject(*, case: Case, by: User, reason: str, at: datetime.datetime | None = None) -> Case:
    """Refuse a dossier (at reception or during handling) with the reason told to the applicant."""
    case = _lock(case)
    at = at or timezone.now()
    transition_run(case, "reject", by=by, comment=reason)
    calendar = WorkingCalendar.load()
    _leave_current_step(case, by=by, action=_("Refused"), at=at, calendar=calendar)
    _resolve(case, at=at, note=reason, calendar=calendar)
    case.save()
    return case


@transaction.atomic
def case_withdraw(*, case: Case, by: User, reason: str, at: datetime.datetime | None = None) -> Case:
    """The applicant withdrew the dossier; it leaves the register of open cases without a result."""
    case = _lock(case)
    at = at or timezone.now()
    transition_run(case, "withdraw", by=by, comment=reason)
    calendar = WorkingCalendar.load()
    _leave_current_step(case, by=by, action=_("Withdrawn"), at=at, calendar=calendar)
    case.current_step = None
    case.outcome_note = reason
    case.save()
    return case


def case_export_request(*, fmt: str, query: dict, by: User):
    """Queue an export of the cases that the list's filters ``query`` select, for ``by``."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(_("Unknown format: %(format)s.") % {"format": fmt})
    return job_request(
        kind=Job.Kind.CASE_EXPORT, requested_by=by, parameters={"format": fmt, "query": query}, task=case_export_task
    )
