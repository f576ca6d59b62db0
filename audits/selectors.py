"""Read queries of audits and nonconformities: coverage, lists (overdue first), what is due."""

import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models import Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone

from iso import access
from iso.models import Clause, OrgUnit, TransitionLog, User

from .models import Audit, AuditProgramme, CorrectiveAction, Finding, Nonconformity


@dataclass
class Coverage:
    """Which units and clauses of the QMS scope a programme's audits cover, and which they leave out."""

    units_covered: list[OrgUnit]
    units_uncovered: list[OrgUnit]
    clauses_covered: list[Clause]
    clauses_uncovered: list[Clause]

    @property
    def unit_share(self) -> float:
        total = len(self.units_covered) + len(self.units_uncovered)
        return len(self.units_covered) / total if total else 1.0

    @property
    def clause_share(self) -> float:
        total = len(self.clauses_covered) + len(self.clauses_uncovered)
        return len(self.clauses_covered) / total if total else 1.0


def _related(a: str, b: str) -> bool:
    """The same clause, or one inside the other (9.2 covers 9.2.1; auditing 7.1.5 touches 7.1)."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def programme_coverage(*, programme: AuditProgramme) -> Coverage:
    """Coverage over the active units and the clauses 4.1 to 10.3 not excluded from the scope, by
    the programme's audits that are not cancelled."""
    audits = programme.audits.exclude(state=Audit.State.CANCELLED)
    covered_units = set(OrgUnit.objects.filter(audits__in=audits).values_list("pk", flat=True))
    units = list(OrgUnit.objects.filter(is_active=True))
    audited = set(Clause.objects.filter(audits__in=audits).values_list("number", flat=True))
    excluded = set(programme.excluded_clauses.values_list("number", flat=True))
    in_scope = [
        clause for clause in Clause.objects.all()
        if clause.depth == 1 and not any(clause.number == out or clause.number.startswith(out + ".") for out in excluded)
    ]
    covered = [c for c in in_scope if any(_related(c.number, number) for number in audited)]
    return Coverage(
        units_covered=[u for u in units if u.pk in covered_units],
        units_uncovered=[u for u in units if u.pk not in covered_units],
        clauses_covered=covered,
        clauses_uncovered=[c for c in in_scope if c not in covered],
    )


def programme_list(*, user: User) -> QuerySet[AuditProgramme]:
    return access.programmes(user).annotate(
        audit_count=Count("audits", distinct=True),
        closed_count=Count("audits", filter=Q(audits__state=Audit.State.CLOSED), distinct=True),
    ).order_by("-year")


def programme_get(*, user: User, year: int) -> AuditProgramme:
    return access.programmes(user).get(year=year)


def audit_list(*, programme: AuditProgramme | None = None) -> QuerySet[Audit]:
    """The audits of a programme as planned (the programme is communicated to the whole
    organisation); each audit's own page is reached through :func:`audit_get`."""
    audits = Audit.objects.select_related("programme", "lead_auditor").prefetch_related("units", "team").annotate(
        finding_count=Count("findings", distinct=True)
    )
    if programme is not None:
        audits = audits.filter(programme=programme)
    return audits.order_by("planned_start", "reference")


def audit_get(*, user: User, reference: str) -> Audit:
    """The audit ``reference`` if ``user`` may see it; DoesNotExist otherwise."""
    return (
        access.audits(user).select_related("programme", "lead_auditor__unit")
        .prefetch_related("units", "procedures", "clauses", "team__unit")
        .get(reference=reference)
    )


def audit_findings(*, audit: Audit) -> QuerySet[Finding]:
    return audit.findings.select_related("clause", "unit", "procedure", "nonconformity", "audit")


def _overdue_first(today: datetime.date, open_states) -> models.Case:
    """0 overdue, 1 due later, 2 without a date, 3 closed: the order of every list of open items."""
    still_open = Q(state__in=open_states)
    return models.Case(
        When(still_open & Q(due_date__lt=today), then=Value(0)),
        When(still_open & Q(due_date__isnull=False), then=Value(1)),
        When(still_open, then=Value(2)),
        default=Value(3),
    )


def nonconformity_list(*, user: User, filters: dict | None = None) -> QuerySet[Nonconformity]:
    """The nonconformities ``user`` may see, overdue first, then by due date, then the newest.

    ``filters`` may hold ``q``, ``state``, ``unit``, ``source``, ``severity``, ``owner`` and
    ``overdue`` (open and past the due date).
    """
    filters = filters or {}
    today = timezone.localdate()
    items = access.nonconformities(user).select_related("unit", "owner", "finding__audit").annotate(
        urgency=_overdue_first(today, Nonconformity.OPEN_STATES)
    )
    if q := (filters.get("q") or "").strip():
        items = items.filter(Q(reference__icontains=q) | Q(description__icontains=q))
    for name in ("state", "unit", "source", "severity", "owner"):
        if value := filters.get(name):
            items = items.filter(**{name: value})
    if filters.get("overdue"):
        items = items.filter(urgency=0)
    return items.order_by("urgency", "due_date", "-year", "-number")


def nonconformity_get(*, user: User, reference: str) -> Nonconformity:
    """The nonconformity ``reference`` if ``user`` may see it; DoesNotExist otherwise."""
    return access.nonconformities(user).select_related(
        "unit", "owner", "detected_by", "clause", "finding__audit", "case", "plan_accepted_by"
    ).get(reference=reference)


def nonconformity_actions(*, nonconformity: Nonconformity) -> QuerySet[CorrectiveAction]:
    return nonconformity.actions.select_related("owner", "verified_by", "nonconformity", "reissue_of").prefetch_related(
        Prefetch("evidence")
    )


def history(*, obj) -> QuerySet[TransitionLog]:
    return TransitionLog.objects.for_object(obj).select_related("actor")


@dataclass
class DueItems:
    """What one person owns that is open: nonconformities and corrective actions, overdue first."""

    nonconformities: list[Nonconformity]
    actions: list[CorrectiveAction]

    def __bool__(self):
        return bool(self.nonconformities or self.actions)


def due_items(*, user: User, today: datetime.date | None = None, within_days: int | None = None) -> DueItems:
    """Open items owned by ``user``, overdue first; with ``within_days``, only those due by then."""
    today = today or timezone.localdate()
    nonconformities = Nonconformity.objects.filter(owner=user, state__in=Nonconformity.OPEN_STATES).select_related("unit")
    actions = CorrectiveAction.objects.filter(owner=user, state__in=CorrectiveAction.OPEN_STATES).select_related("nonconformity")
    if within_days is not None:
        horizon = today + datetime.timedelta(days=within_days)
        nonconformities = nonconformities.filter(due_date__lte=horizon)
        actions = actions.filter(due_date__lte=horizon)
    return DueItems(
        nonconformities=list(nonconformities.order_by(models.F("due_date").asc(nulls_last=True), "number")),
        actions=list(actions.order_by("due_date", "pk")),
    )


def owners_with_due_items(*, today: datetime.date, within_days: int) -> QuerySet[User]:
    """Active people who own an open nonconformity or action due within ``within_days`` (or overdue)."""
    horizon = today + datetime.timedelta(days=within_days)
    return User.objects.filter(
        Q(owned_nonconformities__state__in=Nonconformity.OPEN_STATES, owned_nonconformities__due_date__lte=horizon)
        | Q(corrective_actions__state__in=CorrectiveAction.OPEN_STATES, corrective_actions__due_date__lte=horizon),
        is_active=True,
    ).distinct().order_by("pk")
