"""The register of risks and opportunities (ISO 9001:2015 clause 6.1): each rated for likelihood and
impact on the organisation's scale, every reassessment kept, treated by tracked actions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from iso.models import OrgUnit, Role, TrackedAction, WorkflowModel
from iso.workflows import TransitionPermission
from processes.models import Procedure


class Band(models.TextChoices):
    """The bands a level falls in, from the thresholds of the scale."""

    LOW = "low", _("Low")
    MEDIUM = "medium", pgettext_lazy("risk level", "Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class RiskScaleQuerySet(models.QuerySet):
    def current(self) -> "RiskScale":
        """The organisation's scale: the one row, made with the defaults (5 × 5) when missing."""
        scale = self.order_by("pk").first()
        return scale if scale is not None else self.create()


class RiskScale(models.Model):
    """The scale likelihood and impact are rated on (1 to ``size``), and where the bands of the
    level (likelihood × impact) begin. Data, kept by the ISO secretary; one per organisation."""

    size = models.PositiveSmallIntegerField(
        _("points on each axis"), default=5, help_text=_("Likelihood and impact are each rated from 1 to this number.")
    )
    medium_from = models.PositiveSmallIntegerField(_("medium from level"), default=5)
    high_from = models.PositiveSmallIntegerField(_("high from level"), default=10)
    critical_from = models.PositiveSmallIntegerField(_("critical from level"), default=15)
    likelihood_labels = models.TextField(
        _("names of the likelihood points"), blank=True, help_text=_("One per line, from 1 upwards; optional.")
    )
    impact_labels = models.TextField(
        _("names of the impact points"), blank=True, help_text=_("One per line, from 1 upwards; optional.")
    )

    objects = RiskScaleQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk scale")
        verbose_name_plural = _("risk scales")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(size__gte=2, size__lte=10)
                & models.Q(medium_from__gt=1)
                & models.Q(high_from__gt=models.F("medium_from"))
                & models.Q(critical_from__gt=models.F("high_from")),
                name="risk_scale_bands_ascend",
            )
        ]

    def __str__(self):
        return gettext("%(size)s × %(size)s scale") % {"size": self.size}

    def clean(self):
        errors = {}
        if not 2 <= (self.size or 0) <= 10:
            errors["size"] = gettext("A scale has from 2 to 10 points on each axis.")
        elif not 1 < self.medium_from < self.high_from < self.critical_from <= self.size * self.size:
            errors["critical_from"] = gettext(
                "The bands must begin in rising order: 1 < medium < high < critical ≤ %(top)s (the highest level)."
            ) % {"top": self.size * self.size}
        elif self.pk:
            highest = Risk.objects.aggregate(top=models.Max(Greatest("likelihood", "impact")))["top"]
            if highest and highest > self.size:
                errors["size"] = gettext(
                    "Risks are rated up to %(top)s; the scale cannot have fewer points. Reassess them first."
                ) % {"top": highest}
        if errors:
            raise ValidationError(errors)

    def band(self, level: int | None) -> str | None:
        """The band of ``level`` on this scale; None for a risk not assessed yet."""
        if level is None:
            return None
        if level >= self.critical_from:
            return Band.CRITICAL
        if level >= self.high_from:
            return Band.HIGH
        if level >= self.medium_from:
            return Band.MEDIUM
        return Band.LOW

    def band_range(self, band: str) -> tuple[int, int]:
        """The lowest and highest level of ``band``."""
        bounds = {
            Band.LOW: (1, self.medium_from - 1),
            Band.MEDIUM: (self.medium_from, self.high_from - 1),
            Band.HIGH: (self.high_from, self.critical_from - 1),
            Band.CRITICAL: (self.critical_from, self.size * self.size),
        }
        return bounds[band]

    def band_case(self, field: str = "level") -> models.Case:
        """The band of each row's ``field`` as an SQL expression, for filtering and counting."""
        return models.Case(
            *(
                models.When(**{f"{field}__gte": low, f"{field}__lte": high}, then=models.Value(band))
                for band in Band
                for low, high in [self.band_range(band)]
            ),
            default=models.Value(""),
            output_field=models.CharField(),
        )

    @staticmethod
    def _labels(text: str, size: int) -> list[str]:
        names = [line.strip() for line in text.splitlines() if line.strip()]
        return [names[point - 1] if point <= len(names) else "" for point in range(1, size + 1)]

    def likelihood_names(self) -> list[str]:
        return self._labels(self.likelihood_labels, self.size)

    def impact_names(self) -> list[str]:
        return self._labels(self.impact_labels, self.size)

    def points(self) -> range:
        return range(1, self.size + 1)


def _owns_or_keeps_the_register(risk, user):
    if risk.owner_id == user.pk or user.has_role(Role.ISO_SECRETARY):
        return None
    return gettext("Only the owner of the risk (%(owner)s) or the ISO secretary may do this.") % {"owner": risk.owner}


class Risk(WorkflowModel):
    """A risk or an opportunity: where it comes from, who owns it, how likely and how serious it is
    now (its last assessment), when it is next reviewed, and how it is treated."""

    class Kind(models.TextChoices):
        RISK = "risk", _("Risk")
        OPPORTUNITY = "opportunity", _("Opportunity")

    class Source(models.TextChoices):
        INTERNAL_ISSUE = "internal_issue", _("Internal issue")
        EXTERNAL_ISSUE = "external_issue", _("External issue")
        PROCESS = "process", _("Process or procedure")
        INTERESTED_PARTY = "interested_party", _("Interested party")

    class Treatment(models.TextChoices):
        REDUCE = "reduce", _("Reduce")
        AVOID = "avoid", _("Avoid")
        TRANSFER = "transfer", _("Share or transfer")
        ACCEPT = "accept", _("Accept")
        EXPLOIT = "exploit", _("Pursue the opportunity")

    class State(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        ASSESSED = "assessed", _("Assessed")
        IN_TREATMENT = "in_treatment", _("In treatment")
        MONITORED = "monitored", _("Monitored")
        CLOSED = "closed", pgettext_lazy("risk", "Closed")

    OPEN_STATES = (State.IDENTIFIED, State.ASSESSED, State.IN_TREATMENT, State.MONITORED)

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.RISK)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    source_detail = models.CharField(
        _("source in words"), max_length=300, blank=True,
        help_text=_("The issue, process or interested party it comes from, as the context document names it."),
    )
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, null=True, blank=True, related_name="risks"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="risks")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="owned_risks"
    )
    #: The last assessment's rating; the history is in RiskAssessment.
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), null=True, blank=True, editable=False)
    impact = models.PositiveSmallIntegerField(_("impact"), null=True, blank=True, editable=False)
    level = models.PositiveSmallIntegerField(_("level"), null=True, blank=True, editable=False)
    treatment = models.CharField(_("treatment"), max_length=16, choices=Treatment.choices, blank=True)
    state = FSMField(_("state"), max_length=16, choices=State.choices, default=State.IDENTIFIED, protected=True)
    review_date = models.DateField(_("next review"))
    #: The review date set when the risk was identified, before any assessment moved it.
    first_review_date = models.DateField(_("first review date"), editable=False)
    identified_on = models.DateField(_("identified on"), default=timezone.localdate)
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("identified by"), on_delete=models.PROTECT, related_name="+"
    )
    closure_reason = models.TextField(_("reason for closing"), blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("risk or opportunity")
        verbose_name_plural = _("risks and opportunities")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="risk_number_unique_per_year"),
            models.CheckConstraint(
                condition=models.Q(level__isnull=True) | models.Q(level=models.F("likelihood") * models.F("impact")),
                name="risk_level_is_likelihood_times_impact",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "review_date"], name="risk_state_review"),
            models.Index(fields=["unit", "state"], name="risk_unit_state"),
        ]
        permissions = [("handle_risk", _("Can assess risks and plan their treatment"))]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("risks:risk_detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def review_overdue(self) -> bool:
        return self.is_open and self.review_date < timezone.localdate()

    #: The rule of every transition of a risk, and of assessing, editing and planning its treatment.
    handle_permission = TransitionPermission(
        "risks.handle_risk", _("Only staff who handle risks may do this."), _owns_or_keeps_the_register
    )

    @transition(field=state, source=State.IDENTIFIED, target=State.ASSESSED, permission=handle_permission,
                custom={"label": _("Assess"), "internal": True})
    def assess(self, *, by, comment=""):
        """The first rating of likelihood and impact (part of recording an assessment)."""
        if self.level is None:
            raise ValidationError(gettext("Rate the likelihood and the impact first."))

    @transition(field=state, source=[State.ASSESSED, State.MONITORED], target=State.IN_TREATMENT, permission=handle_permission,
                custom={"label": _("Start the treatment"), "style": "primary"})
    def treat(self, *, by, comment=""):
        """The treatment begins: at least one action is planned and not yet done."""
        if not self.actions.filter(state__in=RiskAction.OPEN_STATES).exists():
            raise ValidationError(gettext("Plan at least one treatment action first."))

    @transition(field=state, source=State.IN_TREATMENT, target=State.MONITORED, permission=handle_permission,
                custom={"label": _("Monitor"), "style": "primary"})
    def monitor(self, *, by, comment=""):
        """Every treatment action is carried out and verified; the risk is watched at its reviews."""
        pending = self.actions.exclude(state__in=RiskAction.VERIFIED_STATES)
        if pending.exists():
            raise ValidationError(
                gettext("These actions are not verified yet: %(actions)s.") % {"actions": ", ".join(a.label for a in pending)}
            )

    @transition(field=state, source=State.ASSESSED, target=State.MONITORED, permission=handle_permission,
                custom={"label": _("Accept and monitor"), "asks": "comment", "style": "secondary"})
    def accept(self, *, by, comment=""):
        """The level is acceptable without treatment; the reason is kept."""
        if not comment.strip():
            raise ValidationError({"comment": gettext("Say why the risk is accepted without treatment.")})

    @transition(field=state, source=list(OPEN_STATES), target=State.CLOSED, permission=handle_permission,
                custom={"label": _("Close"), "asks": "comment", "style": "danger"})
    def close(self, *, by, comment=""):
        """The risk no longer exists, or the opportunity is taken or gone; the reason is kept."""
        if not comment.strip():
            raise ValidationError({"comment": gettext("Give the reason for closing.")})
        if self.actions.filter(state__in=RiskAction.OPEN_STATES).exists():
            raise ValidationError(gettext("Finish or verify its open treatment actions first."))
        self.closure_reason = comment
        self.closed_on = timezone.localdate()

    assess.alters_data = treat.alters_data = monitor.alters_data = accept.alters_data = close.alters_data = True


class RiskAssessmentQuerySet(models.QuerySet):
    """Assessments are only ever added: the history of a level is never rewritten."""

    def update(self, **kwargs):
        raise TypeError("The history of risk assessments is append-only; entries cannot be updated.")

    def delete(self):
        raise TypeError("The history of risk assessments is append-only; entries cannot be deleted.")


class RiskAssessment(models.Model):
    """One rating of a risk, kept for ever: when, by whom, likelihood, impact, the level and its band
    on the scale of that day, the next review it set, and why."""

    risk = models.ForeignKey(Risk, verbose_name=_("risk"), on_delete=models.PROTECT, related_name="assessments")
    assessed_on = models.DateField(_("assessed on"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood"))
    impact = models.PositiveSmallIntegerField(_("impact"))
    level = models.PositiveSmallIntegerField(_("level"))
    band = models.CharField(_("band"), max_length=16, choices=Band.choices)
    next_review = models.DateField(_("next review"))
    note = models.TextField(_("note"), blank=True)

    objects = RiskAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk assessment")
        verbose_name_plural = _("risk assessments")
        ordering = ["assessed_on", "recorded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=models.F("likelihood") * models.F("impact")),
                name="risk_assessment_level_is_product",
            ),
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, impact__gte=1), name="risk_assessment_ratings_positive"
            ),
        ]
        indexes = [models.Index(fields=["risk", "assessed_on"], name="risk_assessment_risk_date")]

    def __str__(self):
        return f"{self.risk.reference} {self.assessed_on:%d/%m/%Y}: {self.likelihood} × {self.impact} = {self.level}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The history of risk assessments is append-only; entries cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The history of risk assessments is append-only; entries cannot be deleted.")


def _owns_or_oversees_the_risk(action, user):
    if action.risk.owner_id == user.pk or user.has_role(Role.ISO_SECRETARY) or user.has_role(Role.APPROVER):
        return None
    return gettext("Only the owner of the risk (%(owner)s), the ISO secretary or an approver may verify its actions.") % {
        "owner": action.risk.owner
    }


class RiskAction(TrackedAction):
    """An action that treats a risk or pursues an opportunity, verified effective by someone other
    than its owner; its lifecycle is the one every tracked action shares (iso.models.TrackedAction)."""

    VERIFIED_STATES = (TrackedAction.State.VERIFIED_EFFECTIVE, TrackedAction.State.NOT_EFFECTIVE)

    risk = models.ForeignKey(Risk, verbose_name=_("risk"), on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveSmallIntegerField(_("number"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="risk_actions"
    )
    planned_at = models.DateTimeField(_("planned at"), default=timezone.now, editable=False)

    work_permission = TransitionPermission("risks.handle_risk", _("Only staff who handle risks may do this."))
    verify_permission = TransitionPermission(
        "risks.verify_riskaction",
        _("Only the owner of the risk, the ISO secretary or an approver may verify a treatment action."),
        _owns_or_oversees_the_risk,
    )

    class Meta:
        verbose_name = _("risk treatment action")
        verbose_name_plural = _("risk treatment actions")
        ordering = ["risk", "number"]
        constraints = [models.UniqueConstraint(fields=["risk", "number"], name="risk_action_number_unique_per_risk")]
        indexes = [models.Index(fields=["owner", "state", "due_date"], name="risk_action_owner_state_due")]
        permissions = [("verify_riskaction", _("Can verify the effectiveness of risk treatment actions"))]

    def __str__(self):
        return f"{self.label} {self.description[:60]}"

    @property
    def label(self) -> str:
        return f"{self.risk.reference}/{self.number}"

    def get_absolute_url(self):
        return self.risk.get_absolute_url()

    def signed_content(self) -> dict:
        """What the verifier signs: the action, what was done, and the verdict."""
        return {"risk": self.risk.reference, **self.action_content()}

    def check_start(self) -> None:
        """Work begins once the risk's treatment has started."""
        if self.risk.state != Risk.State.IN_TREATMENT:
            raise ValidationError(
                gettext("The treatment of %(risk)s has not started yet.") % {"risk": self.risk.reference}
            )
