"""The automatic indicators an objective can be measured by: a small registry, one entry each.

An entry names the indicator (``key``, ``label``), the parameters it takes among :data:`PARAMETERS`
(the objective's unit and procedure, passed as model instances or None), and how to compute it:
``compute(start, end, **params) -> Decimal | None`` over the dates ``start`` ≤ day < ``end``, None
when there is nothing to measure. ``compute_months(periods, **params)`` may compute several
consecutive periods of one year (the months of an objective) at once, in one grouped query; without
it each period is computed on its own. Adding an indicator is one :func:`register` call.

Values are computed over the whole organisation's data, not the reader's reach: an objective reads
the same for everyone allowed to see it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.models import Audit, Nonconformity
from cases import selectors as case_selectors
from satisfaction import selectors as satisfaction_selectors

#: The parameters an indicator may take, each an attribute of the objective it measures.
PARAMETERS = ("unit", "procedure")

Period = tuple[datetime.date, datetime.date]
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    compute: Callable[..., Decimal | None]
    #: The parameters taken, among PARAMETERS.
    parameters: tuple[str, ...] = ()
    #: The unit of measure its values are in.
    unit_of_measure: str = "%"
    #: How it is defined, in one or two sentences (shown with the objective).
    definition: str = ""
    compute_months: Callable[..., list[Decimal | None]] | None = None

    def months(self, periods: list[Period], **params) -> list[Decimal | None]:
        """The value of each period, in one grouped query when the indicator can."""
        if not periods:
            return []
        if self.compute_months is not None:
            return self.compute_months(periods, **params)
        return [self.compute(start, end, **params) for start, end in periods]


#: Every indicator by key, in the order they were registered.
INDICATORS: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    """Add ``indicator`` to the registry; a key is registered once."""
    unknown = set(indicator.parameters) - set(PARAMETERS)
    if unknown:
        raise ValueError(f"Indicator {indicator.key!r} takes unknown parameters: {', '.join(sorted(unknown))}.")
    if indicator.key in INDICATORS:
        raise ValueError(f"An indicator {indicator.key!r} is registered already.")
    INDICATORS[indicator.key] = indicator
    return indicator


def indicator_choices() -> list[tuple[str, str]]:
    return [(indicator.key, indicator.label) for indicator in INDICATORS.values()]


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, to two decimals; None for an empty whole."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / whole).quantize(Decimal("0.01"))


def _moment(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the organisation's time zone."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _month_key(value) -> tuple[int, int]:
    return value.year, value.month


def _by_month(periods: list[Period], values: dict[tuple[int, int], Decimal | None]) -> list[Decimal | None]:
    return [values.get(_month_key(start)) for start, _end in periods]


# The on-time rate of cases: the dashboard's own figure, through cases.selectors.


def _case_scope(start: datetime.date, end: datetime.date, unit=None, procedure=None) -> dict:
    return {"start": _moment(start), "end": _moment(end), "unit": unit, "procedure": procedure}


def on_time_rate(start: datetime.date, end: datetime.date, *, unit=None, procedure=None) -> Decimal | None:
    """The on-time rate of the cases received in the period, exactly as the on-time dashboard
    computes it (cases.selectors.indicators_total): resolved early or on time over the configured
    denominator (ON_TIME_RATE_DENOMINATOR), time waiting for a supplement excluded; for one unit
    (the cases it handles, as the dashboard's unit filter counts them) or one procedure."""
    return case_selectors.indicators_total(**_case_scope(start, end, unit, procedure)).rate


def on_time_rate_months(periods: list[Period], *, unit=None, procedure=None) -> list[Decimal | None]:
    """The rate of each month, from the dashboard's figures per month of receipt, in one GROUP BY."""
    rows = case_selectors.indicators_by("month", **_case_scope(periods[0][0], periods[-1][1], unit, procedure))
    return _by_month(periods, {_month_key(row.key): row.rate for row in rows})


register(Indicator(
    key="case_on_time_rate",
    label=_("On-time rate of cases"),
    compute=on_time_rate,
    compute_months=on_time_rate_months,
    parameters=("unit", "procedure"),
    definition=_(
        "Cases received in the period and resolved early or on time, over the cases resolved or received as the "
        "on-time dashboard counts them; time waiting for a supplement does not count."
    ),
))


# Nonconformities closed on time.


def _nonconformities_judged(start: datetime.date, end: datetime.date, unit=None):
    """The nonconformities due in [start, end) whose closing on time can be judged: not rejected,
    and either closed or due before today (one due today or later and still open is not late yet)."""
    items = Nonconformity.objects.exclude(state=Nonconformity.State.REJECTED).filter(
        Q(state=Nonconformity.State.CLOSED) | Q(due_date__lt=timezone.localdate()),
        due_date__gte=start, due_date__lt=end,
    )
    if unit is not None:
        items = items.filter(unit=unit)
    return items.annotate(closed_on=TruncDate("closed_at"))


def _closed_on_time() -> dict:
    return {
        "judged": Count("pk"),
        "on_time": Count("pk", filter=Q(state=Nonconformity.State.CLOSED, closed_on__lte=F("due_date"))),
    }


def nonconformities_closed_on_time(start: datetime.date, end: datetime.date, *, unit=None) -> Decimal | None:
    """The share, in percent, of the nonconformities due in the period that were closed on time.

    Counted: the nonconformities whose due date falls in [start, end), rejected ones left out, and
    of those still open only the ones due before today (an open one not yet due is not late). On
    time: closed (verified and closed) on or before its due date, the day of closing taken in the
    organisation's time zone. A nonconformity without a due date is due in no period. For one unit,
    the nonconformities raised against that unit. None when no nonconformity is counted.
    """
    row = _nonconformities_judged(start, end, unit).aggregate(**_closed_on_time())
    return share(row["on_time"], row["judged"])


def nonconformities_closed_on_time_months(periods: list[Period], *, unit=None) -> list[Decimal | None]:
    """Each month's share among the nonconformities due in that month, in one GROUP BY."""
    rows = (
        _nonconformities_judged(periods[0][0], periods[-1][1], unit)
        .annotate(month=TruncMonth("due_date")).values("month").annotate(**_closed_on_time())
    )
    return _by_month(periods, {_month_key(row["month"]): share(row["on_time"], row["judged"]) for row in rows})


register(Indicator(
    key="nonconformities_closed_on_time",
    label=_("Nonconformities closed on time"),
    compute=nonconformities_closed_on_time,
    compute_months=nonconformities_closed_on_time_months,
    parameters=("unit",),
    definition=_(
        "Of the nonconformities due in the period (rejected ones left out, open ones only once their due date has "
        "passed), the share closed on or before their due date."
    ),
))


# Completion of the year's audit programme.


def _reported_moments(year: int) -> list[datetime.datetime | None] | None:
    """When each audit of ``year``'s programme was reported (None if not yet); cancelled audits are
    left out. None when there is no programme or it plans no audit that is not cancelled."""
    moments = list(
        Audit.objects.filter(programme__year=year).exclude(state=Audit.State.CANCELLED).values_list("reported_at", flat=True)
    )
    return moments or None


def _completion(moments, end: datetime.date) -> Decimal | None:
    if moments is None:
        return None
    until = _moment(end)
    return share(sum(1 for at in moments if at is not None and at < until), len(moments))


def audit_programme_completion(start: datetime.date, end: datetime.date) -> Decimal | None:
    """The share, in percent, of the audits of the programme of ``start``'s year that are done by the
    end of the period: reported (report issued and signed) or closed, which follows the report.

    Cancelled audits are left out of the count: a cancelled audit is taken out of the plan with its
    reason, as the programme itself is complete when every audit is closed or cancelled. The value
    is cumulative: a month's value is the completion at that month's end. None when the year has no
    programme or no audit left in it.
    """
    return _completion(_reported_moments(start.year), end)


def audit_programme_completion_months(periods: list[Period]) -> list[Decimal | None]:
    """The completion at each month's end, from the programme's audits read once."""
    moments = _reported_moments(periods[0][0].year)
    return [_completion(moments, end) for _start, end in periods]


register(Indicator(
    key="audit_programme_completion",
    label=_("Audit programme completion"),
    compute=audit_programme_completion,
    compute_months=audit_programme_completion_months,
    definition=_(
        "Audits of the year's programme reported or closed by the end of the period, over the audits planned; "
        "cancelled audits are left out."
    ),
))


# The satisfaction index of applicants, through satisfaction.selectors.


def satisfaction_index(start: datetime.date, end: datetime.date, *, unit=None, procedure=None) -> Decimal | None:
    """The satisfaction index of the feedback given in the period, exactly as the satisfaction page
    computes it: ratings of 4 or 5 over all ratings, in percent; for the cases of one unit or one
    procedure. The satisfaction selectors take both days inclusive, so the excluded end steps back a day."""
    return satisfaction_selectors.satisfaction_index(
        start=start, end=end - datetime.timedelta(days=1), unit=unit, procedure=procedure
    )


def satisfaction_index_months(periods: list[Period], *, unit=None, procedure=None) -> list[Decimal | None]:
    """The index of each month, in one GROUP BY."""
    values = satisfaction_selectors.satisfaction_index_by_month(
        start=periods[0][0], end=periods[-1][1] - datetime.timedelta(days=1), unit=unit, procedure=procedure
    )
    return _by_month(periods, values)


register(Indicator(
    key="satisfaction_index",
    label=_("Satisfaction index"),
    compute=satisfaction_index,
    compute_months=satisfaction_index_months,
    parameters=("unit", "procedure"),
    definition=_(
        "Ratings of 4 or 5 over all ratings that applicants gave in the period, in percent, on the cases of the "
        "unit or procedure when one is set."
    ),
))
