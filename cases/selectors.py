"""Read queries on cases, and the on-time indicators, aggregated in the database."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from iso import access
from iso.calendar import WorkingCalendar
from iso.models import OrgUnit, TransitionLog, User
from iso.pagination import KeysetPage, keyset_page

from processes.models import Step

from .models import Case, CaseMonthTally, CaseTally, StepMonthTally, StepTally, StepVisit, Timing

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


#: The states in which a case's clock runs: the list shows them first, by due date.
RUNNING_STATES = (Case.State.RECEIVED, Case.State.IN_PROGRESS)


def case_page(
    *, user: User, filters: dict | None = None, after: str | None = None, before: str | None = None, size: int = 50
) -> KeysetPage:
    """One page of `case_list`, in the same order, found by keyset: the running cases by due date
    (late, at risk, on track), then the others by due date, each read from the cursor on along an
    index, with no OFFSET and no COUNT over millions of cases."""
    filters = dict(filters or {})
    late = filters.pop("late", None)
    state = filters.pop("state", None)
    cases = case_list(user=user, filters=filters).order_by()
    running, settled = cases.filter(state__in=RUNNING_STATES), cases.exclude(state__in=RUNNING_STATES)
    if late:
        running, settled = running.filter(due_at__lt=timezone.now()), settled.filter(timing=Timing.LATE)
    if state:
        # The state belongs to one segment only: the other is not read at all.
        running = running.filter(state=state) if state in RUNNING_STATES else running.none()
        settled = settled.none() if state in RUNNING_STATES else settled.filter(state=state)
    return keyset_page([running, settled], field="due_at", size=size, after=after, before=before)


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


#: The tallies' sums, named as the counts of `_aggregates` (``in_progress`` follows from them).
TALLY_SUMS = {f"sum_{name}": Sum(name) for name in ("received", "resolved", "early", "on_time", "late", "withdrawn")}
COUNTS = ("received", "resolved", "early", "on_time", "late", "in_progress", "overdue")


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


@dataclass(frozen=True)
class _Split:
    """A period cut into whole local days, read from the tallies (when ``tallies``), and the pieces
    of days at its ends, read from the cases (none when it runs from midnight to midnight)."""

    tallies: bool
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None  # exclusive
    live: tuple[tuple[datetime.datetime | None, datetime.datetime | None], ...] = ()

    def sources(self, day_model, month_model, *, unit=None, procedure=None, units=None, **_period) -> list[tuple[QuerySet, str]]:
        """The tally rows of the whole days, as (rows, period field): the month tallies for the
        whole months, the day tallies for the days before and after them."""
        if not self.tallies:
            return []
        conditions = {"unit__in": units, "unit": unit, "procedure": procedure}
        scope = Q(**{name: value for name, value in conditions.items() if value is not None})
        first, last = self.first_day, self.last_day
        first_month = first if first is None or first.day == 1 else (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        last_month = last if last is None else last.replace(day=1)
        if first_month is not None and last_month is not None and first_month >= last_month:
            days = [(first, last)]
            months = None
        else:
            days = [(first, first_month)] if first is not None and first < first_month else []
            days += [(last_month, last)] if last is not None and last_month < last else []
            months = {"month__gte": first_month, "month__lt": last_month}
        sources = []
        if months is not None:
            bounds = Q(**{name: value for name, value in months.items() if value is not None})
            sources.append((month_model.objects.filter(scope, bounds), "month"))
        if days:
            pieces = Q()
            for begin, end in days:
                pieces |= Q(**{name: value for name, value in (("day__gte", begin), ("day__lt", end)) if value is not None})
            sources.append((day_model.objects.filter(scope, pieces), "day"))
        return sources


def _split(start, end) -> _Split:
    # The tallies' days are those of settings.TIME_ZONE, the zone every page of the app works in.
    tz = ZoneInfo(settings.TIME_ZONE)

    def midnight(day):
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)

    first = last = None
    if start is not None:
        local = timezone.localtime(start, tz)
        first = local.date() if local == midnight(local.date()) else local.date() + datetime.timedelta(days=1)
    if end is not None:
        last = timezone.localtime(end, tz).date()
    if first is not None and last is not None and first >= last:
        # Within one day (or empty): no whole day to read from the tallies.
        return _Split(False, live=((start, end),) if start < end else ())
    live = []
    if start is not None and midnight(first) > start:
        live.append((start, midnight(first)))
    if end is not None and midnight(last) < end:
        live.append((midnight(last), end))
    return _Split(True, first, last, tuple(live))


def _tally_counts(rows) -> dict:
    """Counts from summed tally rows; in progress is what was received and neither resolved nor withdrawn."""
    counts = {name: rows.get(f"sum_{name}") or 0 for name in ("received", "resolved", "early", "on_time", "late")}
    counts["in_progress"] = counts["received"] - counts["resolved"] - (rows.get("sum_withdrawn") or 0)
    counts["overdue"] = 0
    return counts


def _overdue(now) -> Q:
    return Q(state__in=[Case.State.RECEIVED, Case.State.IN_PROGRESS], due_at__lt=now)


def _merge(total: dict, counts: dict) -> None:
    for name in COUNTS:
        total[name] = total.get(name, 0) + (counts.get(name) or 0)


def indicators_total(*, live: bool = False, **scope) -> Indicators:
    """The figures of every case in scope.

    From the tallies for whole days (one query), the cases for pieces of days at the ends of the
    period and for the cases overdue now (which depends on the moment); with ``live``, from the
    cases alone, in one aggregate query (the reference the tallies are tested against).
    """
    now = timezone.now()
    if live:
        row = _scope(**scope).aggregate(**_aggregates(now))
        return Indicators(key=None, label=str(_("All cases")), denominator=rate_denominator(), **row)
    split = _split(scope.get("start"), scope.get("end"))
    total = {name: 0 for name in COUNTS}
    for rows, _field in split.sources(CaseTally, CaseMonthTally, **scope):
        _merge(total, _tally_counts(rows.aggregate(**TALLY_SUMS)))
    for start, end in split.live:
        _merge(total, _scope(**{**scope, "start": start, "end": end}).aggregate(**_aggregates(now)))
    total["overdue"] = _scope(**scope).filter(_overdue(now)).count()
    return Indicators(key=None, label=str(_("All cases")), denominator=rate_denominator(), **total)


#: How each dimension is keyed and labelled, on a case and on a tally row.
_DIMENSIONS = {
    "procedure": {"key": F("procedure__code"), "label": F("procedure__title")},
    "unit": {"key": F("unit__code"), "label": F("unit__name")},
    "month": None,
}


def _grouped(queryset, dimension: str, month_field: str):
    if dimension == "month":
        return queryset.annotate(key=TruncMonth(month_field)).values("key")
    return queryset.values(**_DIMENSIONS[dimension])


def _month_key(key):
    """A tally's month (a date) as the cases' TruncMonth gives it: local midnight of the first day."""
    if isinstance(key, datetime.date) and not isinstance(key, datetime.datetime):
        return datetime.datetime.combine(key, datetime.time.min, tzinfo=timezone.get_current_timezone())
    return key


def indicators_by(dimension: str, *, live: bool = False, **scope) -> list[Indicators]:
    """The figures per ``procedure``, ``unit`` or ``month`` of receipt: GROUP BY queries on the
    tallies (and the cases for pieces of days and overdue cases), or with ``live`` on the cases."""
    if dimension not in _DIMENSIONS:
        raise ValueError(f"Unknown dimension {dimension!r}.")
    now = timezone.now()
    groups: dict[object, dict] = {}
    labels: dict[object, str | None] = {}

    def add(rows, key_of=lambda key: key):
        for row in rows:
            key = key_of(row.pop("key"))
            labels.setdefault(key, row.pop("label", None))
            _merge(groups.setdefault(key, {}), row)

    if live:
        add(_grouped(_scope(**scope), dimension, "received_at").annotate(**_aggregates(now)).order_by())
    else:
        split = _split(scope.get("start"), scope.get("end"))
        for tallies, period in split.sources(CaseTally, CaseMonthTally, **scope):
            rows = _grouped(tallies, dimension, period).annotate(**TALLY_SUMS).filter(sum_received__gt=0).order_by()
            add(({**_tally_counts(row), "key": row["key"], "label": row.get("label")} for row in rows), _month_key)
        for start, end in split.live:
            pieces = _grouped(_scope(**{**scope, "start": start, "end": end}), dimension, "received_at")
            # Overdue cases are counted once, over the whole scope, below.
            add({**row, "overdue": 0} for row in pieces.annotate(**_aggregates(now)).order_by())
        overdue = _grouped(_scope(**scope).filter(_overdue(now)), dimension, "received_at")
        add(({"key": row["key"], "label": row.get("label"), "overdue": row["n"]}
             for row in overdue.annotate(n=Count("pk")).order_by()))
    denominator = rate_denominator()
    result = []
    for key in sorted(groups):
        label = labels[key] or (key.strftime("%m/%Y") if hasattr(key, "strftime") else str(key))
        counts = {name: groups[key].get(name, 0) for name in COUNTS}
        result.append(Indicators(key=key, label=label, denominator=denominator, **counts))
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


def _visit_rows(**scope):
    visits = StepVisit.objects.filter(_scope_filter(**scope, prefix="case__"), left_at__isnull=False, hours_allowed__gt=0)
    return visits.values("step_id").annotate(
        visits=Count("pk"), spent=Sum("hours_spent"), allowed=Sum("hours_allowed"),
        late=Count("pk", filter=Q(timing=Timing.LATE)),
    )


def step_loads(*, live: bool = False, **scope) -> list[StepLoad]:
    """Average working time spent in each step against its allowance, slowest first.

    The database groups the finished visits by step (from the step tallies for whole days, from
    the visits for pieces of days, or with ``live`` from the visits alone); the few rows that
    come back are then merged by procedure and step code across revisions.
    """
    by_step: dict[int, dict] = {}

    def add(rows):
        for row in rows:
            total = by_step.setdefault(row["step_id"], {"visits": 0, "spent": 0, "allowed": 0, "late": 0})
            for key in total:
                total[key] += row[key] or 0

    if live:
        add(_visit_rows(**scope))
    else:
        split = _split(scope.get("start"), scope.get("end"))
        for tallies, _period in split.sources(StepTally, StepMonthTally, **scope):
            rows = tallies.values("step_id").annotate(
                n=Sum("visits"), spent=Sum("hours_spent"), allowed=Sum("hours_allowed"), n_late=Sum("late"),
            ).filter(n__gt=0).order_by()
            add({**row, "visits": row["n"], "late": row["n_late"]} for row in rows)
        for start, end in split.live:
            add(_visit_rows(**{**scope, "start": start, "end": end}))
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
        if t["visits"]
    ]
    return sorted(loads, key=lambda load: load.ratio or 0, reverse=True)


def case_history(*, case: Case) -> QuerySet[TransitionLog]:
    return TransitionLog.objects.for_object(case).select_related("actor")
