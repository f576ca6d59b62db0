"""Read queries of the risk register: the filtered register, its heat map, a risk's history and
actions, what is due, and the figures the management review and the annual report quote."""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, QuerySet
from django.utils import timezone

from iso import access
from iso.models import TransitionLog, User

from .models import Band, Risk, RiskAction, RiskAssessment, RiskScale


def current_scale() -> RiskScale:
    return RiskScale.objects.current()


def _filtered(risks: QuerySet[Risk], filters: dict, scale: RiskScale) -> QuerySet[Risk]:
    """``risks`` narrowed by the register's filters (see :func:`risk_list`)."""
    if q := (filters.get("q") or "").strip():
        risks = risks.filter(Q(reference__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q))
    for name in ("unit", "kind", "state", "owner", "likelihood", "impact"):
        if value := filters.get(name):
            risks = risks.filter(**{name: value})
    if band := filters.get("band"):
        risks = risks.filter(level__range=scale.band_range(band))
    if filters.get("overdue"):
        risks = risks.filter(state__in=Risk.OPEN_STATES, review_date__lt=timezone.localdate())
    if filters.get("open_only"):
        risks = risks.filter(state__in=Risk.OPEN_STATES)
    return risks


def risk_list(*, user: User, filters: dict | None = None, scale: RiskScale | None = None) -> QuerySet[Risk]:
    """The risks ``user`` may see, overdue reviews first, then the highest level, then the newest;
    each annotated with its ``band`` on the scale, its number of ``open_actions`` and whether its
    review is overdue (``overdue_review``).

    ``filters`` may hold ``q``, ``unit``, ``kind``, ``band``, ``state``, ``owner``, ``likelihood``,
    ``impact``, ``overdue`` (open and past the review date) and ``open_only``.
    """
    scale = scale or current_scale()
    overdue = Q(state__in=Risk.OPEN_STATES, review_date__lt=timezone.localdate())
    risks = _filtered(access.risks(user), filters or {}, scale)
    return (
        risks.select_related("unit", "owner", "procedure")
        .annotate(
            band=scale.band_case(),
            open_actions=Count("actions", filter=Q(actions__state__in=RiskAction.OPEN_STATES)),
            overdue_review=ExpressionWrapper(overdue, output_field=BooleanField()),
        )
        .order_by("-overdue_review", F("level").desc(nulls_last=True), "-year", "-number")
    )


def risk_get(*, user: User, reference: str) -> Risk:
    """The risk ``reference`` if ``user`` may see it; DoesNotExist otherwise."""
    return access.risks(user).select_related("unit", "owner", "procedure", "identified_by").get(reference=reference)


def risk_changeable(*, user: User, risk: Risk) -> bool:
    """Whether ``user`` may edit, assess and plan the treatment of ``risk`` (its owner, the secretary)."""
    return access.risks_changeable(user).filter(pk=risk.pk).exists()


def risk_actions(*, risk: Risk) -> QuerySet[RiskAction]:
    return risk.actions.select_related("owner", "verified_by", "risk__owner")


def risk_assessments(*, risk: Risk) -> QuerySet[RiskAssessment]:
    """The history of the risk's level, oldest first."""
    return risk.assessments.select_related("assessed_by")


def history(*, obj) -> QuerySet[TransitionLog]:
    return TransitionLog.objects.for_object(obj).select_related("actor")


# The heat map


@dataclass
class HeatCell:
    likelihood: int
    impact: int
    level: int
    band: str
    count: int


@dataclass
class HeatMap:
    """Open assessed risks per likelihood (rows, highest first) and impact (columns)."""

    scale: RiskScale
    rows: list[tuple[int, str, list[HeatCell]]]
    total: int
    #: Open risks not assessed yet: they have no cell.
    unrated: int

    @property
    def impacts(self) -> list[tuple[int, str]]:
        return list(zip(self.scale.points(), self.scale.impact_names(), strict=True))


def heat_map(*, user: User, filters: dict | None = None, scale: RiskScale | None = None) -> HeatMap:
    """The heat map of the open risks ``user`` may see under ``filters`` (its own cell filters,
    likelihood and impact, left out), counted in one query."""
    scale = scale or current_scale()
    filters = {k: v for k, v in (filters or {}).items() if k not in ("likelihood", "impact", "page")}
    risks = _filtered(access.risks(user), filters, scale).filter(state__in=Risk.OPEN_STATES)
    counts: Counter = Counter()
    unrated = 0
    for likelihood, impact, number in risks.order_by().values_list("likelihood", "impact").annotate(n=Count("pk")):
        if likelihood is None:
            unrated += number
        else:
            counts[likelihood, impact] += number
    rows = []
    for likelihood, name in reversed(list(zip(scale.points(), scale.likelihood_names(), strict=True))):
        cells = [
            HeatCell(likelihood, impact, likelihood * impact, scale.band(likelihood * impact), counts[likelihood, impact])
            for impact in scale.points()
        ]
        rows.append((likelihood, name, cells))
    return HeatMap(scale=scale, rows=rows, total=sum(counts.values()), unrated=unrated)


# What is due


@dataclass
class DueRisks:
    """What one person owns in the register: risks whose review is due, treatment actions open."""

    risks: list[Risk]
    actions: list[RiskAction]

    def __bool__(self):
        return bool(self.risks or self.actions)

    def __len__(self):
        return len(self.risks) + len(self.actions)


def due_risk_items(*, user: User, today: datetime.date | None = None, within_days: int | None = None) -> DueRisks:
    """Open risks ``user`` owns and open treatment actions they own, the earliest due first; with
    ``within_days``, only those whose review or due date falls by then (or has passed)."""
    today = today or timezone.localdate()
    risks = Risk.objects.filter(owner=user, state__in=Risk.OPEN_STATES).select_related("unit")
    actions = RiskAction.objects.filter(owner=user, state__in=RiskAction.OPEN_STATES).select_related("risk")
    if within_days is not None:
        horizon = today + datetime.timedelta(days=within_days)
        risks = risks.filter(review_date__lte=horizon)
        actions = actions.filter(due_date__lte=horizon)
    return DueRisks(risks=list(risks.order_by("review_date", "pk")), actions=list(actions.order_by("due_date", "pk")))


def owners_with_due_risks(*, today: datetime.date, within_days: int) -> QuerySet[User]:
    """Active people who own an open risk to review, or an open treatment action due, by the horizon."""
    horizon = today + datetime.timedelta(days=within_days)
    return User.objects.filter(
        Q(owned_risks__state__in=Risk.OPEN_STATES, owned_risks__review_date__lte=horizon)
        | Q(risk_actions__state__in=RiskAction.OPEN_STATES, risk_actions__due_date__lte=horizon),
        is_active=True,
    ).distinct()


# Figures for the management review and the annual report


@dataclass
class RegisterSummary:
    """The register as it stood at the end of ``at``: open risks and opportunities by band (the band
    their last assessment by then gave them; "" for those not assessed), open treatment actions,
    and reviews overdue."""

    at: datetime.date
    #: {(kind, band): number of open risks}; band "" for the unassessed.
    by_kind_and_band: dict[tuple[str, str], int] = field(default_factory=dict)
    open_actions: int = 0
    overdue_actions: int = 0
    overdue_reviews: int = 0

    def count(self, *, kind: str | None = None, band: str | None = None) -> int:
        return sum(
            n for (k, b), n in self.by_kind_and_band.items() if (kind is None or k == kind) and (band is None or b == band)
        )

    @property
    def total(self) -> int:
        return self.count()

    def table(self) -> list[tuple[str, str, list[int], int]]:
        """Rows (kind, its label, counts per band from low to critical and unassessed, total)."""
        columns = [*Band.values, ""]
        return [
            (kind, label, [self.count(kind=kind, band=band) for band in columns], self.count(kind=kind))
            for kind, label in Risk.Kind.choices
        ]


def _end_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def register_summary(*, user: User, at: datetime.date) -> RegisterSummary:
    """The register ``user`` may see as it stood at the end of day ``at``: rebuilt from the history
    (assessments, transition log, action dates), so a past date gives the figures of that day."""
    end = _end_of(at)
    risks = list(
        access.risks(user)
        .filter(identified_on__lte=at)
        .exclude(closed_on__lte=at)
        .values_list("pk", "kind", "first_review_date")
    )
    ids = [pk for pk, _kind, _first in risks]
    latest: dict[int, tuple[str, datetime.date]] = {}
    for risk_id, band, next_review in (
        RiskAssessment.objects.filter(risk_id__in=ids, assessed_on__lte=at)
        .order_by("risk_id", "assessed_on", "recorded_at", "pk")
        .values_list("risk_id", "band", "next_review")
    ):
        latest[risk_id] = (band, next_review)  # the last one of each risk wins
    summary = RegisterSummary(at=at)
    counts: Counter = Counter()
    for pk, kind, first_review in risks:
        band, review = latest.get(pk, ("", first_review))
        counts[kind, band] += 1
        summary.overdue_reviews += review < at
    summary.by_kind_and_band = dict(counts)
    # An action was open at the end of ``at`` if it was planned by then and not done by then.
    actions = RiskAction.objects.filter(risk_id__in=ids, planned_at__lt=end).filter(
        Q(completed_at__isnull=True) | Q(completed_at__gte=end)
    )
    figures = actions.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=at)))
    summary.open_actions, summary.overdue_actions = figures["open"], figures["overdue"]
    return summary


@dataclass
class LevelChange:
    """A reassessment that moved a risk's level, or its first assessment (``old_level`` None)."""

    risk: Risk
    assessment: RiskAssessment
    old_level: int | None
    old_band: str | None

    @property
    def new_level(self) -> int:
        return self.assessment.level

    @property
    def new_band(self) -> str:
        return self.assessment.band

    @property
    def direction(self) -> str:
        """"new", "up" or "down"."""
        if self.old_level is None:
            return "new"
        return "up" if self.new_level > self.old_level else "down"


def level_changes(*, user: User, start: datetime.date, end: datetime.date) -> list[LevelChange]:
    """Every change of level recorded from ``start`` to ``end`` (both included) on the risks
    ``user`` may see, in date order; a reassessment that kept the level is not a change."""
    risks = access.risks(user)
    touched = RiskAssessment.objects.filter(risk__in=risks, assessed_on__range=(start, end)).values("risk_id")
    changes, previous = [], {}
    assessments = (
        RiskAssessment.objects.filter(risk_id__in=touched, assessed_on__lte=end)
        .select_related("risk__unit", "risk__owner", "assessed_by")
        .order_by("risk_id", "assessed_on", "recorded_at", "pk")
    )
    for assessment in assessments:
        before = previous.get(assessment.risk_id)
        previous[assessment.risk_id] = assessment
        if assessment.assessed_on < start or (before is not None and before.level == assessment.level):
            continue
        changes.append(LevelChange(
            risk=assessment.risk, assessment=assessment,
            old_level=before.level if before else None, old_band=before.band if before else None,
        ))
    return sorted(changes, key=lambda c: (c.assessment.assessed_on, c.assessment.recorded_at, c.assessment.pk))

