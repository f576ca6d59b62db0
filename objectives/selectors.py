"""Read queries of quality objectives, and their performance: the value of the year to date, the
value of each month and the status, for the pages, the management review and the annual report.

Each objective costs at most two queries (the year to date, and every month in one grouped query)
for an automatic indicator, and none for values entered monthly (prefetched with the list).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.charts import value_bars
from iso import access
from iso.models import OrgUnit, User

from .indicators import INDICATORS
from .models import MonthlyValue, Objective


def objective_list(*, user: User, year: int | None = None, unit: OrgUnit | None = None) -> QuerySet[Objective]:
    """The objectives ``user`` may see, of ``year`` and ``unit`` when given: the organisation's first,
    then by unit, each in its order of number; with their monthly values prefetched."""
    objectives = access.objectives(user).select_related("unit", "owner", "procedure", "nonconformity").prefetch_related(
        "values"
    )
    if year is not None:
        objectives = objectives.filter(year=year)
    if unit is not None:
        objectives = objectives.filter(unit=unit)
    return objectives.order_by("-year", F("unit__code").asc(nulls_first=True), "number")


def objective_get(*, user: User, reference: str) -> Objective:
    """The objective ``reference`` if ``user`` may see it; DoesNotExist otherwise."""
    return objective_list(user=user).get(reference=reference)


def objective_years(*, user: User) -> list[int]:
    """The years that have objectives ``user`` may see, and the current year, newest first."""
    years = set(access.objectives(user).values_list("year", flat=True).distinct())
    return sorted(years | {timezone.localdate().year}, reverse=True)


def objective_entries(*, objective: Objective) -> QuerySet[MonthlyValue]:
    return objective.values.select_related("entered_by").order_by("month")


@dataclass
class MonthPerformance:
    month: int
    label: str
    value: Decimal | None
    display: str
    #: Whether this month alone reaches the target; None when months are not held against it.
    meets: bool | None
    entry: MonthlyValue | None = None


@dataclass
class ObjectivePerformance:
    """How one objective stands on ``as_of``: the year-to-date value, each month's and the status."""

    objective: Objective
    as_of: datetime.date
    value: Decimal | None
    months: list[MonthPerformance]
    status: str

    @property
    def measured_through(self) -> datetime.date:
        """The last day the value counts: ``as_of``, or the objective's due date if earlier."""
        return min(self.as_of, self.objective.due_date)

    @property
    def target(self) -> Decimal:
        return self.objective.target

    @property
    def value_display(self) -> str:
        return self.objective.format(self.value)

    @property
    def status_label(self) -> str:
        return str(Objective.Status(self.status).label)

    @property
    def may_raise_nonconformity(self) -> bool:
        return self.status == Objective.Status.MISSED and self.objective.nonconformity_id is None

    def _points(self) -> dict:
        points = [
            (month.label, month.value, "open" if month.meets is None else ("ok" if month.meets else "late"))
            for month in self.months
        ]
        return {"points": points, "target": self.objective.target if self.objective.months_comparable else None}

    @property
    def chart(self) -> dict:
        """Each month's value as a bar (green when it reaches the target, red when not, grey when a
        month is not held against the target), and the target as a line."""
        return value_bars(**self._points(), width=720, height=200)

    @property
    def sparkline(self) -> dict:
        """The chart without its labels, drawn small in a list."""
        return value_bars(**{**self._points(), "width": 240, "height": 60, "top": 4, "bottom": 4})


def _measured_end(objective: Objective, as_of: datetime.date) -> datetime.date:
    """The day after the last day measured: the objective's due date, or ``as_of`` if earlier."""
    return min(objective.period_end, as_of + datetime.timedelta(days=1))


def _month_periods(objective: Objective, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    periods = []
    start = objective.period_start
    while start < end:
        following = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        periods.append((start, min(following, end)))
        start = following
    return periods


def _year_to_date(objective: Objective, entries: list[MonthlyValue]) -> Decimal | None:
    """The manual value of the year to date from the months entered, as the objective aggregates them."""
    if not entries:
        return None
    values = [entry.value for entry in entries]
    if objective.aggregation == Objective.Aggregation.AVERAGE:
        return (sum(values) / len(values)).quantize(Decimal("0.01"))
    if objective.aggregation == Objective.Aggregation.LAST:
        return max(entries, key=lambda entry: entry.month).value
    return sum(values)


def objective_performance(
    objective: Objective, *, as_of: datetime.date | None = None, judged_on: datetime.date | None = None
) -> ObjectivePerformance:
    """``objective`` measured from 1 January through ``as_of`` (today by default), or through its
    due date if that is earlier, with its status judged on ``judged_on`` (``as_of`` by default; see
    Objective.status_of)."""
    as_of = as_of or timezone.localdate()
    end = _measured_end(objective, as_of)
    periods = _month_periods(objective, end)
    entries_by_month: dict[int, MonthlyValue] = {}
    if objective.is_manual:
        # .all() reads the prefetched values of a list; a month after the measured end is left out.
        entries_by_month = {entry.month: entry for entry in objective.values.all() if entry.month <= len(periods)}
        monthly = [entries_by_month[month].value if month in entries_by_month else None for month in range(1, len(periods) + 1)]
        value = _year_to_date(objective, list(entries_by_month.values()))
    elif periods:
        indicator = INDICATORS[objective.indicator]
        params = {name: getattr(objective, name) for name in indicator.parameters}
        monthly = indicator.months(periods, **params)
        value = indicator.compute(objective.period_start, end, **params)
    else:
        monthly, value = [], None
    months = [
        MonthPerformance(
            month=start.month,
            label=f"{start.month:02d}/{start.year}",
            value=month_value,
            display=objective.format(month_value),
            meets=objective.meets(month_value) if objective.months_comparable and month_value is not None else None,
            entry=entries_by_month.get(start.month),
        )
        for (start, _end), month_value in zip(periods, monthly)
    ]
    return ObjectivePerformance(
        objective=objective, as_of=as_of, value=value, months=months,
        status=objective.status_of(value, judged_on or as_of),
    )


@dataclass
class UnitObjectives:
    """The objectives of one unit (None: the whole organisation) in a report."""

    unit: OrgUnit | None
    rows: list[ObjectivePerformance]

    @property
    def label(self) -> str:
        return self.unit.name if self.unit else _("Whole organisation")


@dataclass
class ObjectivesReport:
    """Every objective of a year or a period with its performance, and how many are met, at risk
    and missed: what the management review and the annual report take."""

    start: datetime.date
    end: datetime.date
    as_of: datetime.date
    rows: list[ObjectivePerformance]
    summary: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def by_unit(self) -> list[UnitObjectives]:
        groups: dict[int | None, UnitObjectives] = {}
        for row in self.rows:
            unit = row.objective.unit
            groups.setdefault(unit.pk if unit else None, UnitObjectives(unit=unit, rows=[])).rows.append(row)
        return list(groups.values())


def objectives_report(
    *,
    user: User,
    year: int | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    unit: OrgUnit | None = None,
    today: datetime.date | None = None,
) -> ObjectivesReport:
    """The objectives ``user`` may see, with their performance, for ``year`` or for the period
    ``start``–``end`` (both days included; objectives of every year the period touches).

    Each objective is measured through ``today`` (the real one by default), but never after the
    period's last day, so that a report on a past period reads as it stood then. A period that is over is
    judged the day after its end: an objective due on that last day and short of its target is
    missed. ``summary`` counts the objectives by status, with a key for each status of
    Objective.Status.
    """
    if year is None and (start is None or end is None):
        raise ValueError("Give a year, or both ends of a period.")
    if year is not None:
        start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    today = today or timezone.localdate()
    as_of = min(today, end)
    judged_on = min(today, end + datetime.timedelta(days=1))
    objectives = objective_list(user=user, unit=unit).filter(year__gte=start.year, year__lte=end.year).order_by(
        "year", F("unit__code").asc(nulls_first=True), "number"
    )
    rows = [objective_performance(objective, as_of=as_of, judged_on=judged_on) for objective in objectives]
    summary = {status: 0 for status in Objective.Status.values}
    for row in rows:
        summary[row.status] += 1
    return ObjectivesReport(start=start, end=end, as_of=as_of, rows=rows, summary=summary)
