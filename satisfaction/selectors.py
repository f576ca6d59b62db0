"""Read queries of satisfaction: feedback lists, and the satisfaction index.

The satisfaction index of a set of ratings is the share of ratings of 4 or 5 ("satisfied" or "very
satisfied") among all its ratings, as a percentage rounded half up to two decimals:

    index = 100 × (ratings with a score of 4 or 5) ÷ (all ratings)

Every rating of every criterion counts once, so a feedback that rates six criteria weighs six
ratings. The average score of a criterion is the sum of its scores ÷ the number of its ratings
(1 to 5, two decimals). A period runs from ``start`` to ``end``, both days included, over the day
each feedback was given (its ``given_on``); ``unit`` is the handling unit of the case (that unit
only, as in the on-time figures) and ``procedure`` the case's procedure. No ratings: no index (None).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from cases.models import Case
from cases.selectors import case_get
from iso import access
from iso.models import OrgUnit, User

from .models import SATISFIED_FROM, Criterion, Feedback, Rating

_CENT = Decimal("0.01")


def _percent(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(_CENT, ROUND_HALF_UP) if whole else None


@dataclass
class Score:
    """The ratings of one group (a criterion, a procedure, a unit, or all) and what they give."""

    key: object = None
    label: str = ""
    #: Feedback (responses) with at least one rating in the group.
    responses: int = 0
    ratings: int = 0
    #: Ratings of 4 or 5.
    satisfied: int = 0
    #: The sum of the scores.
    total: int = 0

    @property
    def index(self) -> Decimal | None:
        """100 × ratings of 4 or 5 ÷ all ratings, two decimals; None without ratings."""
        return _percent(self.satisfied, self.ratings)

    @property
    def average(self) -> Decimal | None:
        """The mean score, 1 to 5, two decimals; None without ratings."""
        return (Decimal(self.total) / self.ratings).quantize(_CENT, ROUND_HALF_UP) if self.ratings else None


@dataclass
class Breakdown:
    """The index of a scope, the number of responses and ratings, and each criterion's score."""

    total: Score
    criteria: list[Score] = field(default_factory=list)

    @property
    def index(self) -> Decimal | None:
        return self.total.index

    @property
    def responses(self) -> int:
        return self.total.responses


def _rating_scope(*, start: datetime.date, end: datetime.date, unit=None, procedure=None, units=None) -> Q:
    """Ratings of feedback given from ``start`` to ``end`` (both included), on cases of ``unit`` and
    ``procedure`` when given, within ``units`` (ids; None: every unit)."""
    conditions = {
        "feedback__given_on__gte": start,
        "feedback__given_on__lte": end,
        "feedback__case__unit": unit,
        "feedback__case__procedure": procedure,
        "feedback__case__unit__in": units,
    }
    return Q(**{name: value for name, value in conditions.items() if value is not None})


def _counts(with_responses: bool = True) -> dict:
    counts = {
        "ratings": Count("pk"),
        "satisfied": Count("pk", filter=Q(score__gte=SATISFIED_FROM)),
        "total": Sum("score", default=0),
    }
    if with_responses:
        counts["responses"] = Count("feedback", distinct=True)
    return counts


def satisfaction_index(
    *, start: datetime.date, end: datetime.date, unit: OrgUnit | None = None, procedure=None, units=None
) -> Decimal | None:
    """The satisfaction index (percent) of the feedback given from ``start`` to ``end`` inclusive,
    on the cases of ``unit`` and/or ``procedure``; None when there is no rating. One query.

    ``units`` (unit ids) limits the count to what a user may see; None counts every unit.
    """
    row = Rating.objects.filter(_rating_scope(start=start, end=end, unit=unit, procedure=procedure, units=units)).aggregate(
        **_counts(with_responses=False)
    )
    return Score(**row).index


def satisfaction_index_by_month(
    *, start: datetime.date, end: datetime.date, unit: OrgUnit | None = None, procedure=None
) -> dict[tuple[int, int], Decimal | None]:
    """The index of each month (``(year, month)``: percent) of the same scope as
    :func:`satisfaction_index`, in one grouped query; months without ratings are absent."""
    rows = (
        Rating.objects.filter(_rating_scope(start=start, end=end, unit=unit, procedure=procedure))
        .annotate(month=TruncMonth("feedback__given_on"))
        .values("month")
        .annotate(**_counts(with_responses=False))
        .order_by("month")
    )
    return {
        (row["month"].year, row["month"].month): Score(ratings=row["ratings"], satisfied=row["satisfied"], total=row["total"]).index
        for row in rows
    }


def satisfaction_breakdown(
    *, start: datetime.date, end: datetime.date, unit: OrgUnit | None = None, procedure=None, units=None
) -> Breakdown:
    """The index, the number of responses and ratings, and per criterion its ratings, average score
    and index, for the same scope as :func:`satisfaction_index`. Two queries: the ratings grouped by
    criterion (criteria no longer asked included, for the periods they were rated in), and the count
    of responses.
    """
    scope = _rating_scope(start=start, end=end, unit=unit, procedure=procedure, units=units)
    rows = (
        Rating.objects.filter(scope)
        .values(key=F("criterion__code"), name=F("criterion__name"), position=F("criterion__position"))
        .annotate(**_counts())
        .order_by("position", "key")
    )
    criteria = []
    for row in rows:
        name = row.pop("name")
        row.pop("position")
        criteria.append(Score(label=gettext(name), **row))
    total = Score(
        label="",
        responses=Rating.objects.filter(scope).order_by().values("feedback").distinct().count(),
        ratings=sum(c.ratings for c in criteria),
        satisfied=sum(c.satisfied for c in criteria),
        total=sum(c.total for c in criteria),
    )
    return Breakdown(total=total, criteria=criteria)


def satisfaction_by(
    dimension: str, *, start: datetime.date, end: datetime.date, unit=None, procedure=None, units=None
) -> list[Score]:
    """The scores per ``procedure`` or per ``unit`` (the case's handling unit), one GROUP BY query."""
    ratings = Rating.objects.filter(_rating_scope(start=start, end=end, unit=unit, procedure=procedure, units=units))
    if dimension == "procedure":
        rows = ratings.values(key=F("feedback__case__procedure__code"), label=F("feedback__case__procedure__title"))
    elif dimension == "unit":
        rows = ratings.values(key=F("feedback__case__unit__code"), label=F("feedback__case__unit__name"))
    else:
        raise ValueError(f"Unknown dimension {dimension!r}.")
    return [Score(**row) for row in rows.annotate(**_counts()).order_by("key")]


@dataclass
class Report:
    """What the satisfaction page shows for one user and period."""

    start: datetime.date
    end: datetime.date
    breakdown: Breakdown
    by_procedure: list[Score]
    by_unit: list[Score]


def satisfaction_report(
    *, user: User, start: datetime.date, end: datetime.date, unit: OrgUnit | None = None, procedure=None
) -> Report:
    """The satisfaction page of ``user``: the feedback on the cases of the units whose figures they
    may see (every unit for the secretary and approvers, as the on-time dashboard). Four queries."""
    scope = {"start": start, "end": end, "unit": unit, "procedure": procedure, "units": access.case_units(user)}
    return Report(
        start=start,
        end=end,
        breakdown=satisfaction_breakdown(**scope),
        by_procedure=satisfaction_by("procedure", **scope),
        by_unit=satisfaction_by("unit", **scope),
    )


def report_units(*, user: User) -> QuerySet[OrgUnit]:
    """The units the satisfaction page of ``user`` may be filtered on."""
    units = access.case_units(user)
    return OrgUnit.objects.all() if units is None else OrgUnit.objects.filter(pk__in=units)


# Feedback


def feedback_list(*, user: User, filters: dict | None = None) -> QuerySet[Feedback]:
    """The feedback ``user`` may see, newest first, with its case, its mean and lowest score.

    ``filters`` may hold ``q`` (dossier code), ``procedure``, ``unit``, ``channel``, ``complaints``
    (complaints only), ``start`` and ``end`` (days given, both included).
    """
    filters = filters or {}
    feedback = access.feedbacks(user).select_related(
        "case__procedure", "case__unit", "entered_by", "nonconformity"
    ).annotate(average=Avg("ratings__score"), lowest=Min("ratings__score"))
    if q := (filters.get("q") or "").strip():
        feedback = feedback.filter(case__reference__icontains=q)
    if procedure := filters.get("procedure"):
        feedback = feedback.filter(case__procedure=procedure)
    if unit := filters.get("unit"):
        feedback = feedback.filter(case__unit=unit)
    if channel := filters.get("channel"):
        feedback = feedback.filter(channel=channel)
    if filters.get("complaints"):
        feedback = feedback.filter(is_complaint=True)
    if start := filters.get("start"):
        feedback = feedback.filter(given_on__gte=start)
    if end := filters.get("end"):
        feedback = feedback.filter(given_on__lte=end)
    return feedback.order_by("-given_on", "-pk")


def feedback_get(*, user: User, reference: str) -> Feedback:
    """The feedback on case ``reference`` if ``user`` sees that case; DoesNotExist otherwise."""
    return access.feedbacks(user).select_related(
        "case__procedure", "case__unit", "entered_by", "complaint_marked_by", "nonconformity"
    ).get(case__reference=reference)


def feedback_ratings(*, feedback: Feedback) -> QuerySet[Rating]:
    return feedback.ratings.select_related("criterion").order_by("criterion__position", "criterion__code")


def case_for_entry(*, user: User, reference: str) -> Case:
    """The case ``reference`` if ``user`` sees it, for typing in its paper form; DoesNotExist otherwise."""
    return case_get(user=user, reference=reference)


def feedback_obstacle(*, case: Case) -> str | None:
    """Why feedback on ``case`` cannot be given now, or None: it is given once, after the result
    (or the refusal, which is a result the applicant may judge too) went back to the applicant."""
    if case.state not in Case.RESOLVED_STATES:
        return _("Dossier %(case)s has not been resolved yet: feedback is given once the result is returned.") % {
            "case": case.reference
        }
    if Feedback.objects.filter(case=case).exists():
        return _("Feedback on dossier %(case)s has already been given. Thank you.") % {"case": case.reference}
    return None


def kiosk_case(*, reference: str) -> Case | None:
    """The case a kiosk visitor names, or None; only its reference and procedure are ever shown."""
    return Case.objects.select_related("procedure").filter(reference=reference.strip()).first()


def criteria_asked() -> QuerySet[Criterion]:
    """The criteria the form asks, in order."""
    return Criterion.objects.filter(is_active=True).order_by("position", "code")
