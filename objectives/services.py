"""Use cases of quality objectives: set one, enter or correct a month's value, and raise a
nonconformity for one missed; each one transaction."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import Nonconformity
from audits.services import nonconformity_raise
from iso import trail
from iso.models import Clause, OrgUnit, Role, User
from processes.models import Procedure

from .indicators import INDICATORS
from .models import MonthlyValue, Objective
from .selectors import objective_performance

#: The clause a missed objective is a nonconformity against: quality objectives and planning to achieve them.
OBJECTIVES_CLAUSE = "6.2"
CENTS = Decimal("0.01")


def _require(user: User, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _amount(value) -> Decimal:
    """A value as it is stored, two decimals, so the history shows 2.00 → 3.00 rather than 2.00 → 3."""
    return Decimal(value).quantize(CENTS)


def _unit_of_measure(indicator: str, given: str) -> str:
    """An automatic indicator's values come in its own unit; a manual objective says its own."""
    if indicator and indicator in INDICATORS:
        return INDICATORS[indicator].unit_of_measure
    return given.strip()


@transaction.atomic
def objective_create(
    *,
    by: User,
    year: int,
    name: str,
    target: Decimal,
    owner: User,
    direction: str = Objective.Direction.AT_LEAST,
    due_date: datetime.date | None = None,
    unit: OrgUnit | None = None,
    indicator: str = "",
    procedure: Procedure | None = None,
    unit_of_measure: str = "",
    aggregation: str = Objective.Aggregation.SUM,
) -> Objective:
    """Set a quality objective for ``year`` (due on 31 December unless told otherwise), numbered
    MT-<year>-NN in the order objectives are set."""
    _require(by, "objectives.add_objective", _("Only the ISO secretary may set quality objectives."))
    # The year's objectives are numbered without gaps or repeats: lock its last row while numbering.
    list(Objective.objects.select_for_update().filter(year=year).order_by("-number")[:1])
    number = (Objective.objects.filter(year=year).aggregate(last=Max("number"))["last"] or 0) + 1
    objective = Objective(
        year=year, number=number, reference=f"MT-{year}-{number:02d}", name=name.strip(), target=_amount(target), owner=owner,
        direction=direction, due_date=due_date or datetime.date(year, 12, 31), unit=unit, indicator=indicator,
        procedure=procedure, unit_of_measure=_unit_of_measure(indicator, unit_of_measure), aggregation=aggregation,
        created_by=by,
    )
    objective.full_clean()
    objective.save()
    return objective


#: What objective_update may change; the year and the number stay.
UPDATABLE = (
    "name", "target", "direction", "owner", "due_date", "unit", "indicator", "procedure", "unit_of_measure", "aggregation",
)


@transaction.atomic
def objective_update(*, objective: Objective, by: User, **fields) -> Objective:
    """Change what an objective aims at or how it is measured; each changed field is kept as a
    field change (old value, new value, who, when)."""
    _require(by, "objectives.change_objective", _("Only the ISO secretary may change quality objectives."))
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    if objective.nonconformity_id is not None:
        raise ValidationError(
            _("Objective %(objective)s was missed and nonconformity %(nc)s raised for it; it can no longer change.")
            % {"objective": objective.reference, "nc": objective.nonconformity.reference}
        )
    before = trail.snapshot(objective)
    for name, value in fields.items():
        setattr(objective, name, value.strip() if isinstance(value, str) else value)
    objective.target = _amount(objective.target)
    objective.unit_of_measure = _unit_of_measure(objective.indicator, objective.unit_of_measure)
    objective.full_clean()
    objective.save()
    trail.record_changes(objective, before=before, by=by)
    return objective


def _may_enter_values(objective: Objective, user: User) -> str | None:
    """Why ``user`` may not enter ``objective``'s values; None when they may (its owner, the secretary)."""
    if not user.has_perm("objectives.record_objective_value"):
        return _("You may not enter the values of objectives.")
    if objective.owner_id != user.pk and not user.has_role(Role.ISO_SECRETARY):
        return _("Only the owner of %(objective)s (%(owner)s) or the ISO secretary may enter its values.") % {
            "objective": objective.reference, "owner": objective.owner,
        }
    return None


def may_enter_values(*, objective: Objective, user: User) -> bool:
    return _may_enter_values(objective, user) is None


@transaction.atomic
def objective_value_record(
    *, objective: Objective, by: User, month: int, value: Decimal, note: str = "", today: datetime.date | None = None
) -> MonthlyValue:
    """Enter the value of a manually measured objective for one month of its year, by its owner or
    the ISO secretary, once the month has begun. Entering a month again corrects it: the value is
    overwritten, and the old one kept as a field change with who corrected it and when."""
    objective = Objective.objects.select_for_update().select_related("owner").get(pk=objective.pk)
    refusal = _may_enter_values(objective, by)
    if refusal:
        raise PermissionDenied(refusal)
    if objective.nonconformity_id is not None:
        raise ValidationError(
            _("Objective %(objective)s was missed and nonconformity %(nc)s raised for it; its values can no longer "
              "change.") % {"objective": objective.reference, "nc": objective.nonconformity.reference}
        )
    if not objective.is_manual:
        raise ValidationError(
            _("%(objective)s is measured by an indicator computed from the tracker; it takes no values entered by hand.")
            % {"objective": objective.reference}
        )
    today = today or timezone.localdate()
    if not 1 <= month <= 12:
        raise ValidationError({"month": _("A month is a number from 1 to 12.")})
    first_day = datetime.date(objective.year, month, 1)
    if first_day > today:
        raise ValidationError({"month": _("%(month)02d/%(year)s has not begun; its value cannot be entered yet.")
                               % {"month": month, "year": objective.year}})
    if first_day > objective.due_date:
        raise ValidationError({"month": _("%(month)02d/%(year)s is after the due date of %(objective)s (%(due)s).")
                               % {"month": month, "year": objective.year, "objective": objective.reference,
                                  "due": objective.due_date.strftime("%d/%m/%Y")}})
    entry = MonthlyValue.objects.select_for_update().filter(objective=objective, month=month).first()
    if entry is None:
        entry = MonthlyValue(objective=objective, month=month, value=_amount(value), note=note.strip(), entered_by=by)
        entry.full_clean()
        entry.save()
        return entry
    before = trail.snapshot(entry)
    entry.value = _amount(value)
    entry.note = note.strip()
    entry.entered_by = by
    entry.entered_at = timezone.now()
    entry.full_clean()
    entry.save()
    trail.record_changes(entry, before=before, by=by)
    return entry


def _nonconformity_unit(objective: Objective) -> OrgUnit:
    """The unit answerable for a missed objective: its own, else its owner's, else the organisation's top."""
    unit = objective.unit or objective.owner.unit or OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    if unit is None:
        raise ValidationError(_("No unit can answer for %(objective)s: give it a unit or an owner with a unit.")
                              % {"objective": objective.reference})
    return unit


@transaction.atomic
def objective_raise_nonconformity(*, objective: Objective, by: User, today: datetime.date | None = None) -> Nonconformity:
    """Raise the nonconformity of an objective missed at its due date, in one action, linked to it.

    Refused while the objective is not missed, and when its nonconformity was raised already; the
    objective's row is locked, so two people pressing the button at once raise one, not two. The
    nonconformity comes from process monitoring, against clause 6.2, owned by the objective's owner.
    """
    _require(by, "objectives.raise_objective_nonconformity",
             _("Only the ISO secretary or an approver may raise a nonconformity for a missed objective."))
    objective = Objective.objects.select_for_update().get(pk=objective.pk)
    if objective.nonconformity_id is not None:
        raise ValidationError(
            _("Nonconformity %(nc)s was already raised for objective %(objective)s “%(name)s”.")
            % {"nc": objective.nonconformity.reference, "objective": objective.reference, "name": objective.name}
        )
    today = today or timezone.localdate()
    performance = objective_performance(objective, as_of=today)
    if performance.status != Objective.Status.MISSED:
        raise ValidationError(
            _("Objective %(objective)s “%(name)s” is not missed (%(status)s): a nonconformity is raised only once its "
              "due date has passed without reaching the target.")
            % {"objective": objective.reference, "name": objective.name, "status": performance.status_label.lower()}
        )
    description = _(
        "Quality objective %(objective)s “%(name)s” for %(year)s was missed: target %(target)s, achieved %(value)s "
        "by its due date %(due)s (%(measured_by)s)."
    ) % {
        "objective": objective.reference, "name": objective.name, "year": objective.year,
        "target": objective.target_display, "value": performance.value_display,
        "due": objective.due_date.strftime("%d/%m/%Y"), "measured_by": objective.measured_by,
    }
    nonconformity = nonconformity_raise(
        by=by, source=Nonconformity.Source.PROCESS_MONITORING, unit=_nonconformity_unit(objective),
        description=description, clause=Clause.objects.filter(number=OBJECTIVES_CLAUSE).first(), owner=objective.owner,
        detected_on=today,
    )
    objective.nonconformity = nonconformity
    objective.save(update_fields=["nonconformity"])
    return nonconformity
