"""Quality objectives (ISO 9001:2015 clause 6.2) that measure themselves (9.1.3): each a target for a
year, measured by a value entered monthly or by an automatic indicator computed from the tracker."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from iso.models import OrgUnit
from processes.models import Procedure


def format_value(value: Decimal | None, unit_of_measure: str) -> str:
    """A measured value as people write it: at most two decimals in the language's format, and its
    unit ("98,5%", "4 lớp"); "no data" for none."""
    if value is None:
        return gettext("no data")
    places = min(max(-value.normalize().as_tuple().exponent, 0), 2)
    number = formats.number_format(round(value, places), decimal_pos=places)
    if not unit_of_measure:
        return number
    return f"{number}{unit_of_measure}" if unit_of_measure == "%" else f"{number} {unit_of_measure}"


class Objective(models.Model):
    """A measurable quality objective of one year, for the whole organisation or one unit.

    It is measured either by values its owner enters month by month (``indicator`` empty) or by an
    automatic indicator of :mod:`objectives.indicators`, with the objective's unit and procedure as
    its parameters. Its period runs from 1 January of its year to its due date (at the latest 31
    December); see :meth:`status_of` for when it is met, at risk or missed.
    """

    class Direction(models.TextChoices):
        AT_LEAST = "at_least", _("at least (≥)")
        AT_MOST = "at_most", _("at most (≤)")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("sum of the months")
        AVERAGE = "average", _("average of the months")
        LAST = "last", _("latest month's value")

    class Status(models.TextChoices):
        MET = "met", _("Met")
        AT_RISK = "at_risk", pgettext_lazy("objective", "At risk")
        MISSED = "missed", _("Missed")

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="objectives",
        help_text=_("Leave empty for an objective of the whole organisation."),
    )
    name = models.CharField(_("objective"), max_length=300)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    unit_of_measure = models.CharField(
        _("unit of measure"), max_length=32, blank=True, help_text=_("For example %, days, classes.")
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.AT_LEAST)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="objectives"
    )
    due_date = models.DateField(_("due date"))
    #: The key of an automatic indicator (objectives.indicators); empty for a value entered monthly.
    #: Not a choices field: adding an indicator to the registry needs no migration.
    indicator = models.CharField(_("indicator"), max_length=64, blank=True)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("For an indicator computed per procedure; empty for all procedures."),
    )
    aggregation = models.CharField(
        _("year to date"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM,
        help_text=_("How the monthly values entered make the value of the year to date."),
    )
    nonconformity = models.OneToOneField(
        "audits.Nonconformity", verbose_name=_("nonconformity"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="objective", editable=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("quality objective")
        verbose_name_plural = _("quality objectives")
        ordering = ["-year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="objective_number_unique_per_year"),
        ]
        permissions = [
            ("record_objective_value", _("Can enter the monthly values of the objectives they own")),
            ("raise_objective_nonconformity", _("Can raise a nonconformity for a missed objective")),
        ]

    def __str__(self):
        return f"{self.reference} {self.name}"

    def get_absolute_url(self):
        return reverse("objectives:objective_detail", args=[self.reference])

    def clean(self):
        from .indicators import INDICATORS  # the registry reads this module's choices

        errors = {}
        if self.due_date and self.year and self.due_date.year != self.year:
            errors["due_date"] = gettext("The due date must fall in %(year)s, the objective's year.") % {"year": self.year}
        if self.indicator:
            indicator = INDICATORS.get(self.indicator)
            if indicator is None:
                errors["indicator"] = gettext("There is no indicator “%(key)s”.") % {"key": self.indicator}
            else:
                for name in ("unit", "procedure"):
                    if getattr(self, f"{name}_id") is not None and name not in indicator.parameters:
                        errors[name] = gettext("The indicator “%(indicator)s” does not take a %(parameter)s.") % {
                            "indicator": indicator.label, "parameter": self._meta.get_field(name).verbose_name,
                        }
        elif self.procedure_id is not None:
            errors["procedure"] = gettext("A procedure is a parameter of an automatic indicator; a manual value takes none.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_manual(self) -> bool:
        return not self.indicator

    @property
    def measured_by(self) -> str:
        """What the value comes from, as people read it."""
        if self.is_manual:
            return gettext("Entered monthly (%(aggregation)s)") % {"aggregation": self.get_aggregation_display()}
        from .indicators import INDICATORS

        indicator = INDICATORS.get(self.indicator)
        return str(indicator.label) if indicator else self.indicator

    @property
    def period_start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def period_end(self) -> datetime.date:
        """The day after the objective's period (its due date) ends: periods end exclusive."""
        return self.due_date + datetime.timedelta(days=1)

    @property
    def months_comparable(self) -> bool:
        """Whether one month's value can be held against the target: not for a yearly sum."""
        return not (self.is_manual and self.aggregation == self.Aggregation.SUM)

    def meets(self, value: Decimal | None) -> bool:
        """Whether ``value`` reaches the target in the objective's direction; no value never does."""
        if value is None:
            return False
        return value >= self.target if self.direction == self.Direction.AT_LEAST else value <= self.target

    def status_of(self, value: Decimal | None, as_of: datetime.date) -> "Objective.Status":
        """The rule for being on track, for the year-to-date ``value`` measured up to ``as_of``.

        Met when the value reaches the target in the objective's direction (at least: value ≥
        target; at most: value ≤ target). Otherwise missed once the due date (31 December at the
        latest) has passed on ``as_of``, and at risk before that. No data counts as not reaching the
        target: at risk until the due date, missed after it.
        """
        if self.meets(value):
            return self.Status.MET
        if as_of > self.due_date:
            return self.Status.MISSED
        return self.Status.AT_RISK

    def format(self, value: Decimal | None) -> str:
        return format_value(value, self.unit_of_measure)

    @property
    def target_display(self) -> str:
        sign = "≥" if self.direction == self.Direction.AT_LEAST else "≤"
        return f"{sign} {self.format(self.target)}"


class MonthlyValue(models.Model):
    """The value of a manually measured objective for one month of its year, with who entered it
    and when. A correction overwrites it, and the old value is kept as a field change (iso/trail.py)."""

    objective = models.ForeignKey(Objective, verbose_name=_("objective"), on_delete=models.PROTECT, related_name="values")
    month = models.PositiveSmallIntegerField(_("month"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), default=timezone.now)

    class Meta:
        verbose_name = _("monthly value")
        verbose_name_plural = _("monthly values")
        ordering = ["objective", "month"]
        constraints = [
            models.UniqueConstraint(fields=["objective", "month"], name="one_value_per_objective_month"),
            models.CheckConstraint(condition=models.Q(month__gte=1, month__lte=12), name="monthly_value_month_1_to_12"),
        ]

    def __str__(self):
        return f"{self.objective.reference} {self.month:02d}/{self.objective.year}"
