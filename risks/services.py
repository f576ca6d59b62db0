"""Use cases of the risk register; each one transaction, each change kept (transition log, field
changes, the append-only history of assessments)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from iso import trail
from iso.models import OrgUnit, User
from iso.workflows import transition_apply, transition_run
from processes.models import Procedure

from .models import Risk, RiskAction, RiskAssessment, RiskScale

#: The fields of a risk its owner or the secretary may edit (the rating changes only by assessment).
EDITABLE_FIELDS = ("kind", "title", "description", "source", "source_detail", "procedure", "unit", "owner", "treatment")


def _require(user: User, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _check_handles(risk: Risk, by: User) -> None:
    """The rule of the risk's own transitions: a person who handles risks, and its owner or the secretary."""
    refusal = Risk.handle_permission.refusal(risk, by)
    if refusal:
        raise PermissionDenied(refusal)


def _check_open(risk: Risk) -> None:
    if not risk.is_open:
        raise ValidationError(_("%(risk)s is closed.") % {"risk": risk.reference})


def _lock(risk: Risk) -> Risk:
    return Risk.objects.select_for_update().select_related("owner").get(pk=risk.pk)


@transaction.atomic
def risk_identify(
    *,
    by: User,
    kind: str,
    title: str,
    source: str,
    unit: OrgUnit,
    owner: User,
    review_date: datetime.date,
    description: str = "",
    source_detail: str = "",
    procedure: Procedure | None = None,
    treatment: str = "",
    identified_on: datetime.date | None = None,
    likelihood: int | None = None,
    impact: int | None = None,
    note: str = "",
) -> Risk:
    """Enter a risk or an opportunity in the register under the next number of its year
    (RR-2026-001); rated at once when ``likelihood`` and ``impact`` are given."""
    _require(by, "risks.add_risk", _("You may not enter risks in the register."))
    identified_on = identified_on or timezone.localdate()
    if identified_on > timezone.localdate():
        raise ValidationError({"identified_on": _("A risk cannot be identified in the future.")})
    if (likelihood is None) != (impact is None):
        raise ValidationError(_("Rate both the likelihood and the impact, or neither."))
    year = identified_on.year
    # The year's register is numbered without gaps or repeats: lock its last row while numbering.
    list(Risk.objects.select_for_update().filter(year=year).order_by("-number")[:1])
    number = (Risk.objects.filter(year=year).aggregate(last=Max("number"))["last"] or 0) + 1
    risk = Risk(
        reference=f"RR-{year}-{number:03d}", year=year, number=number, kind=kind, title=title.strip(),
        description=description.strip(), source=source, source_detail=source_detail.strip(), procedure=procedure,
        unit=unit, owner=owner, treatment=treatment, review_date=review_date, first_review_date=review_date,
        identified_on=identified_on, identified_by=by,
    )
    risk.full_clean()
    risk.save()
    if likelihood is not None:
        _record_assessment(
            risk=risk, by=by, likelihood=likelihood, impact=impact, next_review=review_date, note=note,
            assessed_on=identified_on,
        )
    return risk


def _record_assessment(
    *, risk: Risk, by: User, likelihood: int, impact: int, next_review: datetime.date, note: str,
    assessed_on: datetime.date,
) -> RiskAssessment:
    scale = RiskScale.objects.current()
    errors = {
        name: _("Rate from 1 to %(size)s.") % {"size": scale.size}
        for name, value in (("likelihood", likelihood), ("impact", impact))
        if not 1 <= int(value) <= scale.size
    }
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    last = risk.assessments.order_by("-assessed_on", "-recorded_at").first()
    earliest = max(risk.identified_on, last.assessed_on) if last else risk.identified_on
    if not earliest <= assessed_on <= today:
        raise ValidationError({"assessed_on": _("The assessment date must lie between %(earliest)s and today.") % {
            "earliest": earliest.strftime("%d/%m/%Y")
        }})
    if next_review <= assessed_on:
        raise ValidationError({"next_review": _("The next review comes after the assessment.")})
    level = likelihood * impact
    assessment = RiskAssessment.objects.create(
        risk=risk, assessed_on=assessed_on, assessed_by=by, likelihood=likelihood, impact=impact, level=level,
        band=scale.band(level), next_review=next_review, note=note.strip(),
    )
    before = trail.snapshot(risk)
    risk.likelihood, risk.impact, risk.level, risk.review_date = likelihood, impact, level, next_review
    if risk.state == Risk.State.IDENTIFIED:
        transition_run(risk, "assess", by=by, internal=True, comment=note.strip())
    risk.save()
    trail.record_changes(risk, before=before, by=by)
    return assessment


@transaction.atomic
def risk_assess(
    *,
    risk: Risk,
    by: User,
    likelihood: int,
    impact: int,
    next_review: datetime.date,
    note: str = "",
    assessed_on: datetime.date | None = None,
) -> RiskAssessment:
    """Rate a risk again (or for the first time) at a review: a new entry of its history, never an
    overwrite; the risk takes the new rating and its next review date. ``assessed_on`` (today by
    default) records a review held earlier, never before the last one."""
    risk = _lock(risk)
    _check_handles(risk, by)
    _check_open(risk)
    return _record_assessment(
        risk=risk, by=by, likelihood=likelihood, impact=impact, next_review=next_review, note=note,
        assessed_on=assessed_on or timezone.localdate(),
    )


@transaction.atomic
def risk_update(*, risk: Risk, by: User, **changes) -> Risk:
    """Edit what a risk says (title, description, source, unit, owner, treatment); each changed field
    is kept as a field change."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {', '.join(sorted(unknown))}")
    risk = _lock(risk)
    _check_handles(risk, by)
    _check_open(risk)
    before = trail.snapshot(risk)
    for name, value in changes.items():
        setattr(risk, name, value.strip() if isinstance(value, str) else value)
    risk.full_clean()
    risk.save()
    trail.record_changes(risk, before=before, by=by)
    return risk


def risk_transition(*, risk: Risk, name: str, by: User, comment: str = "") -> Risk:
    """Start the treatment, monitor, accept without treatment or close a risk."""
    return transition_apply(risk, name, by=by, comment=comment)


@transaction.atomic
def risk_action_plan(*, risk: Risk, by: User, description: str, owner: User, due_date: datetime.date) -> RiskAction:
    """Add a treatment action to an assessed risk, under the risk's next action number."""
    _require(by, "risks.handle_risk", _("You may not plan treatment actions."))
    risk = _lock(risk)
    _check_handles(risk, by)
    if risk.state not in (Risk.State.ASSESSED, Risk.State.IN_TREATMENT, Risk.State.MONITORED):
        raise ValidationError(
            _("Actions are planned for an assessed risk that is not closed; %(risk)s is %(state)s.")
            % {"risk": risk.reference, "state": risk.get_state_display().lower()}
        )
    number = (risk.actions.aggregate(last=Max("number"))["last"] or 0) + 1
    action = RiskAction(risk=risk, number=number, description=description.strip(), owner=owner, due_date=due_date)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def risk_scale_update(*, by: User, **values) -> RiskScale:
    """Change the scale or where its bands begin (the ISO secretary); the bands of the register
    follow at once, the history keeps the band of its day. Each change is kept as a field change."""
    _require(by, "risks.change_riskscale", _("Only the ISO secretary may change the risk scale."))
    scale = RiskScale.objects.current()
    scale = RiskScale.objects.select_for_update().get(pk=scale.pk)
    before = trail.snapshot(scale)
    for name, value in values.items():
        setattr(scale, name, value)
    scale.full_clean()
    scale.save()
    trail.record_changes(scale, before=before, by=by)
    return scale
