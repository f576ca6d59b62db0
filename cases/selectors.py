"""Read queries on cases, and the on-time indicators, aggregated in the database."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iso import access
from iso.calendar import WorkingCalendar
from iso.models import OrgUnit, TransitionLog, User

from processes.models import Step

from .models import Case, StepVisit, Timing

#: What the on-time rate is divided by; a setting because sources differ (Decree 61 art. 30 uses
#: the dossiers received, published figures usually the dossiers resolved).
DENOMINATORS = {
    "resolved": _("cases resolved"),
    "received": _("cases received"),
}


def rate_denominator() -> str:
    denominator = getattr(settings, "ON_TIME_RATE_DENOMINATOR", "resolved")
    if denominator not in DENOMINATORS:
        raise ValueError(f"ON_TIME_RATE_DENOMINATOR must be one of {', '.join(DENOMINATORS)}, not {denominator!r}.")
    return denominator


def at_risk_boundary(now: datetime.datetime | None = None, calendar: WorkingCalendar | None = None) -> datetime.datetime:
    """The moment before which an open case's due date puts it at risk now."""
    calendar = calendar or WorkingCalendar.load()
    return calendar.add_working_hours(now or timezone.now(), settings.CASE_AT_RISK_WORKING_HOURS)


def _urgency(now: datetime.datetime, boundary: datetime.datetime):
    """0 for late, 1 at risk, 2 on track, 3 waiting or closed: the order of every case list."""
    running = Q(state__in=[Case.State.RECEIVED, Case.State.IN_PROGRESS])
    return models.Case(
        When(running & Q(due_at__lt=now), then=Value(0)),
        When(running & Q(due_at__lt=boundary), then=Value(1)),
        When(running, then=Value(2)),
        default=Value(3),
    )


def case_list(*, user: User, filters: dict | None = None) -> QuerySet[Case]:
    """The cases ``user`` may see, with what a list shows, most urgent first (late, at risk, on
    track, then the rest).

    ``filters`` may hold ``q`` (dossier code or applicant), ``state``, ``procedure``, ``unit``,
    ``assignee`` and ``late`` (overdue now or resolved late).
    """
    filters = filters or {}
    now = timezone.now()
    cases = access.cases(user).select_related("procedure", "unit", "current_step", "assignee").annotate(
        urgency=_urgency(now, at_risk_boundary(now))
    )
    if q := (filters.get("q") or "").strip():
        cases = cases.filter(Q(reference__icontains=q) | Q(applicant_name__icontains=q))
    if state := filters.get("state"):
        cases = cases.filter(state=state)
    if procedure := filters.get("procedure"):
        cases = cases.filter(procedure=procedure)
    if unit := filters.get("unit"):
        cases = cases.filter(unit=unit)
    if assignee := filters.get("assignee"):
        cases = cases.filter(assignee=assignee)
    if filters.get("late"):
        cases = cases.filter(Q(urgency=0) | Q(timing=Timing.LATE))
    return cases.order_by("urgency", "due_at", "pk")


def my_cases(*, user: User) -> QuerySet[Case]:
    """The open cases in ``user``'s hands, late first, then at risk, then by due date."""
    return case_list(user=user, filters={"assignee": user}).filter(state__in=Case.OPEN_STATES)


def case_get(*, user: User, reference: str) -> Case:
    """The case ``reference`` if ``user`` may see it; DoesNotExist otherwise."""
    return access.cases(user).select_related(
        "procedure", "revision", "unit", "current_step", "assignee", "received_by", "apology__issued_by"
    ).get(reference=reference)


def case_visits(*, case: Case) -> QuerySet[StepVisit]:
    return case.visits.select_related("step__responsible_unit", "handler", "left_by")


@dataclass
class Indicators:
    """The on-time figures of one group of cases (a procedure, a unit, a month, or all)."""

    key: object
    label: str
    received: int = 0
    resolved: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    in_progress: int = 0
    overdue: int = 0
    denominator: str = "resolved"
    extra: dict = field(default_factory=dict)

    @property
    def resolved_on_time(self) -> int:
        return self.early + self.on_time

    @property
    def rate(self) -> Decimal | None:
        """Share of cases resolved early or on time, in percent, over the configured denominator."""
        base = self.resolved if self.denominator == "resolved" else self.received
        if not base:
            return None
        return (Decimal(self.resolved_on_time) * 100 / base).quantize(Decimal("0.01"))


def _aggregates(now: datetime.datetime) -> dict:
    running = [Case.State.RECEIVED, Case.State.IN_PROGRESS]
    return {
        "received": Count("pk"),
        "resolved": Count("pk", filter=Q(state__in=Case.RESOLVED_STATES)),
        "early": Count("pk", filter=Q(timing=Timing.EARLY)),
        "on_time": Count("pk", filter=Q(timing=Timing.ON_TIME)),
        "late": Count("pk", filter=Q(timing=Timing.LATE)),
        "in_progress": Count("pk", filter=Q(state__in=Case.OPEN_STATES)),
        "overdue": Count("pk", filter=Q(state__in=running, due_at__lt=now)),
    }


def indicator_scope(*, user: User, unit=None, procedure=None, start=None, end=None) -> dict:
    """The scope of a dashboard, its export and its printout for ``user``: the filters asked for,
    within the units whose cases ``user`` may count (every unit for the secretary and approvers)."""
    return {"units": access.case_units(user), "unit": unit, "procedure": procedure, "start": start, "end": end}


def indicator_units(*, user: User) -> QuerySet[OrgUnit]:
    """The units a dashboard of ``user`` may be filtered on."""
    units = access.case_units(user)
    return OrgUnit.objects.all() if units is None else OrgUnit.objects.filter(pk__in=units)


def _scope_filter(*, unit=None, procedure=None, start=None, end=None, units=None, prefix: str = "") -> Q:
    """Cases received in [start, end) of a unit or procedure (all when not given), within
    ``units`` (ids; None for every unit), as a filter on the case itself or, with
    ``prefix="case__"``, on rows that belong to a case."""
    conditions = {
        "unit__in": units,
        "unit": unit,
        "procedure": procedure,
        "received_at__gte": start,
        "received_at__lt": end,
    }
    return Q(**{prefix + name: value for name, value in conditions.items() if value is not None})


def _scope(**scope) -> QuerySet[Case]:
    return Case.objects.filter(_scope_filter(**scope))


def indicators_total(**scope) -> Indicators:
    """The figures of every case in scope, in one aggregate query."""
    row = _scope(**scope).aggregate(**_aggregates(timezone.now()))
    return Indicators(key=None, label=str(_("All cases")), denominator=rate_denominator(), **row)


def indicators_by(dimension: str, **scope) -> list[Indicators]:
    """The figures per ``procedure``, ``unit`` or ``month`` of receipt, one GROUP BY query."""
    cases = _scope(**scope)
    if dimension == "procedure":
        rows = cases.values(key=F("procedure__code"), label=F("procedure__title"))
    elif dimension == "unit":
        rows = cases.values(key=F("unit__code"), label=F("unit__name"))
    elif dimension == "month":
        rows = cases.annotate(key=TruncMonth("received_at")).values("key")
    else:
        raise ValueError(f"Unknown dimension {dimension!r}.")
    denominator = rate_denominator()
    result = []
    for row in rows.annotate(**_aggregates(timezone.now())).order_by("key"):
        key = row.pop("key")
        label = row.pop("label", None) or (key.strftime("%m/%Y") if hasattr(key, "strftime") else str(key))
        result.append(Indicators(key=key, label=label, denominator=denominator, **row))
    return result


@dataclass
class StepLoad:
    procedure: str
    step: str
    name: str
    visits: int
    average_hours: Decimal | None
    allowed_hours: Decimal | None
    late: int

    @property
    def ratio(self) -> Decimal | None:
        """Average time spent over time allowed: above 1, the step is a bottleneck."""
        if not self.average_hours or not self.allowed_hours:
            return None
        return (Decimal(self.average_hours) / Decimal(self.allowed_hours)).quantize(Decimal("0.01"))


def step_loads(**scope) -> list[StepLoad]:
    """Average working time spent in each step against its allowance, slowest first.

    The database groups the visits by step (an integer key, no joins to group on); the few rows
    that come back are then merged by procedure and step code across revisions.
    """
    visits = StepVisit.objects.filter(_scope_filter(**scope, prefix="case__"), left_at__isnull=False, hours_allowed__gt=0)
    rows = visits.values("step_id").annotate(
        visits=Count("pk"),
        spent=Sum("hours_spent"),
        allowed=Sum("hours_allowed"),
        late=Count("pk", filter=Q(timing=Timing.LATE)),
    )
    by_step = {row["step_id"]: row for row in rows}
    steps = Step.objects.filter(pk__in=by_step).values_list("pk", "revision__procedure__code", "code", "name")
    merged: dict[tuple[str, str, str], dict] = {}
    for pk, procedure, code, name in steps:
        row = by_step[pk]
        total = merged.setdefault((procedure, code, name), {"visits": 0, "spent": 0, "allowed": 0, "late": 0})
        for key in total:
            total[key] += row[key] or 0
    loads = [
        StepLoad(
            procedure=procedure, step=code, name=name, visits=t["visits"],
            average_hours=Decimal(t["spent"]) / t["visits"], allowed_hours=Decimal(t["allowed"]) / t["visits"],
            late=t["late"],
        )
        for (procedure, code, name), t in sorted(merged.items())
    ]
    return sorted(loads, key=lambda load: load.ratio or 0, reverse=True)


def case_history(*, case: Case) -> QuerySet[TransitionLog]:
    return TransitionLog.objects.for_object(case).select_related("actor")
