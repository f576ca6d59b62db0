"""Read queries of management reviews, and the red flags of the quality system for a year."""

import datetime

from django.db.models import Case, Count, Exists, OuterRef, Prefetch, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import Audit, Nonconformity
from iso import access
from iso.models import TransitionLog, User
from processes.models import Procedure, ProcedureRevision

from .models import AgendaItem, ManagementReview, ReviewAction

#: States in which a review's meeting has taken place.
HELD_STATES = (ManagementReview.State.HELD, ManagementReview.State.MINUTES_APPROVED)
#: Inspection findings must be answered with corrective action within this many days (two months,
#: Circular 26/2014).
INSPECTION_RESPONSE_DAYS = 61


def review_list(*, user: User) -> QuerySet[ManagementReview]:
    """The reviews ``user`` may read, latest meeting first, with their chair and counts."""
    return (
        access.management_reviews(user)
        .select_related("chair", "secretary")
        .annotate(decision_count=Count("decisions", distinct=True))
        .order_by("-meeting_at", "-pk")
    )


def review_get(*, user: User, reference: str) -> ManagementReview:
    """The review ``reference`` if ``user`` may read it; DoesNotExist otherwise."""
    return (
        access.management_reviews(user)
        .select_related("chair", "secretary", "created_by")
        .prefetch_related(Prefetch("attendees", queryset=User.objects.order_by("full_name", "username")))
        .get(reference=reference)
    )


def review_agenda(*, review: ManagementReview) -> QuerySet[AgendaItem]:
    return review.agenda_items.order_by("position", "pk")


def review_decisions(*, review: ManagementReview):
    return review.decisions.order_by("number")


def review_actions(*, review: ManagementReview) -> QuerySet[ReviewAction]:
    return review.actions.select_related("owner", "decision", "verified_by").order_by("number")


def review_action_list(*, user: User, filters: dict | None = None) -> QuerySet[ReviewAction]:
    """The actions of the reviews ``user`` may read, open ones first, by due date; ``filters`` may
    hold ``mine`` (the user's own), ``open`` (not verified yet) and ``overdue``."""
    filters = filters or {}
    actions = access.review_actions(user).select_related("review", "owner", "decision")
    if filters.get("mine"):
        actions = actions.filter(owner=user)
    if filters.get("open"):
        actions = actions.filter(state__in=[*ReviewAction.OPEN_STATES, ReviewAction.State.DONE])
    if filters.get("overdue"):
        actions = actions.filter(state__in=ReviewAction.OPEN_STATES, due_date__lt=timezone.localdate())
    closed = [ReviewAction.State.VERIFIED_EFFECTIVE, ReviewAction.State.NOT_EFFECTIVE]
    return actions.annotate(closed=Case(When(state__in=closed, then=Value(1)), default=Value(0))).order_by(
        "closed", "due_date", "review__reference", "number"
    )


def reviews_held(*, start: datetime.date, end: datetime.date) -> QuerySet[ManagementReview]:
    """The reviews whose meeting took place between ``start`` and ``end`` (local dates, both included)."""
    from .inputs import period_bounds

    first, after = period_bounds(start, end)
    return (
        ManagementReview.objects.filter(state__in=HELD_STATES, meeting_at__gte=first, meeting_at__lt=after)
        .select_related("chair")
        .annotate(decision_count=Count("decisions", distinct=True))
        .order_by("meeting_at", "pk")
    )


def history(*, obj) -> QuerySet[TransitionLog]:
    return TransitionLog.objects.for_object(obj).select_related("actor")


def procedures_without_effective_revision() -> QuerySet[Procedure]:
    """The procedures of the system with no revision in force."""
    effective = ProcedureRevision.objects.filter(procedure=OuterRef("pk"), state=ProcedureRevision.State.EFFECTIVE)
    return Procedure.objects.filter(~Exists(effective)).order_by("code")


def red_flags(*, year: int, today: datetime.date | None = None) -> list[str]:
    """What the supervising body's inspection would hold against the system in ``year`` (DOMAIN:
    an internal audit and a management review at least once a year, every procedure in force,
    inspection findings answered within two months), each as one sentence."""
    today = today or timezone.localdate()
    flags = []
    audits = Audit.objects.filter(
        planned_start__year=year, state__in=[Audit.State.IN_PROGRESS, Audit.State.REPORTED, Audit.State.CLOSED]
    )
    if not audits.exists():
        flags.append(_("No internal audit was carried out in %(year)s.") % {"year": year})
    if not reviews_held(start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31)).exists():
        flags.append(_("No management review was held in %(year)s.") % {"year": year})
    missing = list(procedures_without_effective_revision().values_list("code", flat=True))
    if missing:
        flags.append(_("Procedures with no effective revision: %(codes)s.") % {"codes": ", ".join(missing)})
    late = list(
        Nonconformity.objects.filter(
            source=Nonconformity.Source.EXTERNAL_AUDIT, state__in=Nonconformity.OPEN_STATES,
            detected_on__lt=today - datetime.timedelta(days=INSPECTION_RESPONSE_DAYS),
        ).order_by("reference").values_list("reference", flat=True)
    )
    if late:
        flags.append(_("Inspection findings open for more than two months: %(references)s.") % {"references": ", ".join(late)})
    overdue = [
        action.label
        for action in ReviewAction.objects.filter(state__in=ReviewAction.OPEN_STATES, due_date__lt=today)
        .select_related("review").order_by("review__reference", "number")
    ]
    if overdue:
        flags.append(_("Actions of management reviews past their due date: %(actions)s.") % {"actions": ", ".join(overdue)})
    return flags
