"""Demo cases: a year of one-stop-shop dossiers with a realistic mix of early, on-time, late,
supplemented, refused, withdrawn and still-open cases, so that the dashboard tells something true
on the first run.

Histories are simulated along each revision's heaviest path and written in bulk with their step
visits, supplement requests, apologies and transition-log rows; a live case goes through the
services instead.
"""

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from iso.calendar import HOUR, WorkingCalendar
from iso.models import TransitionLog, User
from processes.models import Procedure, ProcedureRevision, Step

from .models import Apology, Case, StepVisit, SupplementRequest, Timing
from .services import RuleBook, case_reference, classify_timing

#: Cases per effective procedure with a step graph, spread over the last twelve months.
CASES_PER_PROCEDURE = 1000

ORGANISATIONS = ("Công ty", "Hộ kinh doanh", "Hợp tác xã")
APPLICANTS = [
    "Nguyễn Văn An", "Trần Thị Bích", "Lê Minh Châu", "Phạm Quốc Dũng", "Hoàng Thị Duyên", "Vũ Đức Giang",
    "Đặng Thu Hằng", "Bùi Văn Hiếu", "Đỗ Thị Hoa", "Ngô Thanh Hùng", "Dương Thị Lan", "Lý Văn Long",
    "Công ty TNHH Minh Phát", "Hộ kinh doanh Tạp hóa Thanh Bình", "Hợp tác xã Nông nghiệp Tân Lập",
]


@dataclass
class _Batch:
    cases: list[Case] = field(default_factory=list)
    visits: list[StepVisit] = field(default_factory=list)
    supplements: list[SupplementRequest] = field(default_factory=list)
    apologies: list[Apology] = field(default_factory=list)
    logs: list[tuple[Case, str, str, str, datetime.datetime, User, str]] = field(default_factory=list)


class _Fields:
    """The fields of a case being simulated, settable in any order."""

    def __init__(self, **fields):
        self.__dict__.update(fields)
        self.state = Case.State.RECEIVED
        self.current_step = self.assignee = self.resolved_at = None
        self.timing = self.outcome_note = ""
        self.paused_hours = 0


class _Simulator:
    def __init__(self, calendar: WorkingCalendar, rng: random.Random, now: datetime.datetime, clerks: list[User]):
        self.calendar = calendar
        self.rng = rng
        self.now = now
        self.clerks = clerks

    def random_working_moment(self, start: datetime.datetime) -> datetime.datetime:
        day = start + datetime.timedelta(days=self.rng.randrange(0, max((self.now - start).days, 1)))
        return self.calendar.add_working_seconds(day.replace(hour=7, minute=0), self.rng.uniform(0, self.calendar.seconds_per_day))

    def case(self, batch: _Batch, rules: RuleBook, received_at: datetime.datetime, sequence: int) -> None:
        rng, cal = self.rng, self.calendar
        reception = rules.start.responsible_unit_id or rules.revision.procedure.owner_unit_id
        clerk = rng.choice([c for c in self.clerks if c.unit_id == reception] or self.clerks)
        revision = rules.revision
        procedure = revision.procedure
        path = [rules.steps[code] for code in rules.main_path]
        refusal = next((s for s in rules.steps.values() if s.kind == Step.Kind.REFUSAL), None)
        roll = rng.random()
        late = roll < 0.05
        supplemented = 0.05 <= roll < 0.14
        refused = refusal is not None and 0.14 <= roll < 0.18
        withdrawn = 0.18 <= roll < 0.20
        # Some recent cases sit in appraisal, so that the lists have overdue and at-risk work to show.
        stalled = received_at > self.now - datetime.timedelta(days=20) and rng.random() < 0.4
        applicant = rng.choice(APPLICANTS)
        # The protected state can only be given to the constructor, so the case is built last from these fields.
        case = _Fields(
            reference=case_reference(procedure, received_at, sequence, cal.tz), procedure=procedure, revision=revision,
            year=received_at.astimezone(cal.tz).year, sequence=sequence, unit=clerk.unit or procedure.owner_unit,
            applicant_name=applicant, channel=rng.choice(Case.Channel.values), received_by=clerk,
            applicant_kind=Case.ApplicantKind.ORGANISATION if applicant.startswith(ORGANISATIONS) else Case.ApplicantKind.PERSON,
            received_at=received_at, due_at=cal.add_working_seconds(received_at, rules.total_seconds),
        )
        visits: list[StepVisit] = []
        supplements: list[SupplementRequest] = []
        moment, state, log = received_at, Case.State.RECEIVED, []
        late_step = rng.randrange(len(path) - 1) if late and len(path) > 1 else None
        for index, step in enumerate(path):
            if step.kind in Step.END_KINDS:
                break
            allowed = rules.seconds[step.code]
            visit = StepVisit(step=step, handler=clerk, entered_at=moment,
                              due_at=cal.add_working_seconds(moment, allowed), hours_allowed=round(allowed / HOUR, 2))
            visits.append(visit)
            factor = rng.uniform(1.3, 3.0) if index == late_step else rng.uniform(0.15, 0.95)
            spent = max(allowed * factor, 600)
            waited = 0.0
            if supplemented and index == 1:
                asked = cal.add_working_seconds(moment, spent / 2)
                resumed = cal.add_working_seconds(asked, rng.uniform(1, 6) * cal.seconds_per_day)
                if resumed > self.now:
                    supplements.append(SupplementRequest(step=step, missing="Bản sao giấy tờ tùy thân có chứng thực",
                                                               requested_at=asked, requested_by=clerk))
                    case.state, case.current_step, case.assignee = Case.State.WAITING_SUPPLEMENT, step, clerk
                    log += [("begin", "received", "in_progress", received_at, ""),
                            ("request_supplement", "in_progress", "waiting_supplement", asked, "Bản sao giấy tờ tùy thân có chứng thực")]
                    self._finish(batch, case, log, clerk, visits, supplements)
                    return
                supplements.append(SupplementRequest(step=step, missing="Bản sao giấy tờ tùy thân có chứng thực",
                                                           requested_at=asked, requested_by=clerk, received_at=resumed))
                waited = cal.working_seconds_between(asked, resumed)
                case.paused_hours = round(waited / HOUR, 2)
                case.due_at = cal.add_working_seconds(resumed, rules.total_seconds)
                visit.due_at = cal.add_working_seconds(resumed, allowed)
                log += [("request_supplement", "in_progress", "waiting_supplement", asked, "Bản sao giấy tờ tùy thân có chứng thực"),
                        ("receive_supplement", "waiting_supplement", "in_progress", resumed, "")]
            left = cal.add_working_seconds(moment, spent + waited)
            if left > self.now or (index == 1 and (withdrawn or stalled)):
                if withdrawn and left <= self.now:
                    visit.left_at, visit.action = left, "Rút hồ sơ"
                    case.state, case.outcome_note = Case.State.WITHDRAWN, "Công dân xin rút hồ sơ"
                    log.append(("withdraw", state, "withdrawn", left, "Công dân xin rút hồ sơ"))
                else:
                    case.state, case.current_step, case.assignee = state, step, clerk
                self._finish(batch, case, log, clerk, visits, supplements)
                return
            visit.left_at, visit.left_by = left, clerk
            visit.hours_spent = round((cal.working_seconds_between(moment, left) - waited) / HOUR, 2)
            visit.timing = classify_timing(left, visit.due_at, cal.tz)
            if refused and index == 1:
                visit.action = "Từ chối"
                case.state, case.resolved_at = Case.State.REJECTED, left
                case.timing, case.outcome_note = classify_timing(left, case.due_at, cal.tz), "Hồ sơ không đủ điều kiện"
                log.append(("reject", state, "rejected", left, "Hồ sơ không đủ điều kiện"))
                self._finish(batch, case, log, clerk, visits, supplements)
                return
            nxt = path[index + 1]
            visit.action = next((e.action for e in step.outgoing.all() if e.target_id == nxt.pk), "")
            if state == Case.State.RECEIVED:
                log.append(("begin", "received", "in_progress", left, f"{step.code} → {nxt.code}"))
                state = Case.State.IN_PROGRESS
            elif nxt.kind not in Step.END_KINDS:
                log.append(("move", "in_progress", "in_progress", left, f"{step.code} → {nxt.code}"))
            moment = left
        case.state, case.resolved_at = Case.State.COMPLETED, moment
        case.timing = classify_timing(moment, case.due_at, cal.tz)
        apology = None
        if case.timing == Timing.LATE:
            issued = min(cal.add_working_seconds(received_at, rules.total_seconds / 2), moment)
            apology = (Apology(reason="Hồ sơ cần xác minh thêm với cơ quan liên quan",
                                           new_due_at=cal.add_working_seconds(case.due_at, 2 * cal.seconds_per_day),
                                           issued_at=issued, issued_by=clerk,
                                           in_good_time=cal.working_seconds_between(issued, case.due_at) >= cal.seconds_per_day))
        log.append(("complete", "in_progress", "completed", moment, ""))
        self._finish(batch, case, log, clerk, visits, supplements, apology)

    def _finish(self, batch, fields, log, clerk, visits, supplements, apology=None) -> None:
        case = Case(**vars(fields))
        batch.cases.append(case)
        for row in (*visits, *supplements, *([apology] if apology else [])):
            row.case = case
        batch.visits.extend(visits)
        batch.supplements.extend(supplements)
        batch.apologies.extend([apology] if apology else [])
        batch.logs.extend((case, name, source, target, when, clerk, comment) for name, source, target, when, comment in log)


def load_cases(organisation, *, per_procedure: int = CASES_PER_PROCEDURE, seed: int = 2026) -> None:
    """A year of cases for every effective administrative procedure; skipped if any case exists."""
    if Case.objects.exists():
        return
    calendar = WorkingCalendar.load()
    rng = random.Random(seed)
    now = timezone.now()
    year_ago = now - datetime.timedelta(days=365)
    clerks = list(User.objects.filter(groups__permissions__codename="handle_case", unit__isnull=False).distinct())
    simulator = _Simulator(calendar, rng, now, clerks)
    batch = _Batch()
    revisions = ProcedureRevision.objects.filter(
        state=ProcedureRevision.State.EFFECTIVE,
        procedure__category=Procedure.Category.ADMINISTRATIVE,
        steps__isnull=False,
    ).distinct()
    for revision in revisions.select_related("procedure").prefetch_related("steps__outgoing"):
        rules = RuleBook.for_revision(revision, calendar)
        if not rules.main_path:
            continue
        moments = sorted(simulator.random_working_moment(year_ago) for _ in range(per_procedure))
        sequence: dict[int, int] = {}
        for moment in moments:
            year = moment.astimezone(calendar.tz).year
            sequence[year] = sequence.get(year, 0) + 1
            simulator.case(batch, rules, moment, sequence[year])
    _write(batch)


def _write(batch: _Batch) -> None:
    Case.objects.bulk_create(batch.cases, batch_size=1000)
    for rows in (batch.visits, batch.supplements, batch.apologies):
        for row in rows:
            row.case_id = row.case.pk
    StepVisit.objects.bulk_create(batch.visits, batch_size=2000)
    SupplementRequest.objects.bulk_create(batch.supplements, batch_size=1000)
    Apology.objects.bulk_create(batch.apologies, batch_size=1000)
    content_type = ContentType.objects.get_for_model(Case)
    TransitionLog.objects.bulk_create(
        (
            TransitionLog(content_type=content_type, object_id=case.pk, object_repr=case.reference, transition=name,
                          source=source, target=target, actor=actor, at=when, comment=comment)
            for case, name, source, target, when, actor, comment in batch.logs
        ),
        batch_size=2000,
    )

