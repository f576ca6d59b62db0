"""Cases (hồ sơ): runs of an effective procedure revision, step by step, against the clock."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from iso.models import OrgUnit, WorkflowModel
from iso.workflows import TransitionPermission
from processes.models import Procedure, ProcedureRevision, Step


class Timing(models.TextChoices):
    """How a case or a step finished against its time limit (Circular 01/2018, indices 1 and 2)."""

    EARLY = "early", _("Early")
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")


class Case(WorkflowModel):
    """A dossier handed in by an applicant and handled under one revision of a procedure.

    The revision it started on stays its rule book even after a newer revision is published.
    """

    class State(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("case state", "Received")
        IN_PROGRESS = "in_progress", pgettext_lazy("case", "In progress")
        WAITING_SUPPLEMENT = "waiting_supplement", _("Waiting for a supplement")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", pgettext_lazy("case", "Withdrawn")

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        POST = "post", _("By post")
        ONLINE = "online", _("Online")

    class ApplicantKind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    #: States in which the case is still being handled.
    OPEN_STATES = (State.RECEIVED, State.IN_PROGRESS, State.WAITING_SUPPLEMENT)
    #: States in which a result (the outcome or a refusal) went back to the applicant.
    RESOLVED_STATES = (State.COMPLETED, State.REJECTED)

    reference = models.CharField(_("dossier code"), max_length=64, unique=True)
    procedure = models.ForeignKey(Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="cases")
    revision = models.ForeignKey(
        ProcedureRevision, verbose_name=_("revision applied"), on_delete=models.PROTECT, related_name="cases"
    )
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("number in the year's register"), editable=False)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="cases"
    )
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.RECEIVED, protected=True)
    applicant_name = models.CharField(_("applicant"), max_length=200)
    applicant_kind = models.CharField(
        _("applicant is a"), max_length=16, choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_contact = models.CharField(_("contact"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.IN_PERSON)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("received by"), on_delete=models.PROTECT, related_name="received_cases"
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    current_step = models.ForeignKey(
        Step, verbose_name=_("current step"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    timing = models.CharField(_("timing"), max_length=10, choices=Timing.choices, blank=True)
    #: Working hours spent waiting for supplements; they do not count against the time limit.
    paused_hours = models.DecimalField(_("hours waiting for supplements"), max_digits=9, decimal_places=2, default=0)
    outcome_note = models.TextField(_("result or reason"), blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "year", "sequence"], name="case_number_unique_per_procedure_year"),
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True) | models.Q(resolved_at__gte=models.F("received_at")),
                name="case_resolved_after_received",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "received_at"], name="case_unit_received"),
            models.Index(fields=["procedure", "received_at"], name="case_procedure_received"),
            models.Index(fields=["state", "due_at"], name="case_state_due"),
            models.Index(fields=["assignee", "state", "due_at"], name="case_assignee_state_due"),
            # The case list reads pages by keyset on (due date, id): running cases first, then the rest.
            models.Index(
                fields=["due_at", "id"], condition=models.Q(state__in=["received", "in_progress"]), name="case_running_due"
            ),
            models.Index(fields=["due_at", "id"], name="case_due"),
            models.Index(fields=["unit", "due_at", "id"], name="case_unit_due"),
            models.Index(fields=["procedure", "due_at", "id"], name="case_procedure_due"),
            # The list's "late" filter reads the cases resolved late along this one.
            models.Index(fields=["due_at", "id"], condition=models.Q(timing="late"), name="case_late_due"),
        ]
        permissions = [
            ("handle_case", _("Can receive cases and move them through their steps")),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("cases:case_detail", args=[self.reference])

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.state in (self.State.RECEIVED, self.State.IN_PROGRESS) and self.due_at < timezone.now()

    # Transitions, applied through cases.services (which lock the row, check the graph and log).

    @transition(
        field=state,
        source=State.RECEIVED,
        target=State.IN_PROGRESS,
        permission=TransitionPermission("cases.handle_case", _("Only staff who handle cases may move a case.")),
        custom={"label": _("Start handling")},
    )
    def begin(self, *, by, comment=""):
        """The first move out of reception: the case is now being handled."""

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.IN_PROGRESS,
        permission=TransitionPermission("cases.handle_case", _("Only staff who handle cases may move a case.")),
        custom={"label": _("Move to the next step")},
    )
    def move(self, *, by, comment=""):
        """A move between two steps of the graph; the step visit records which."""

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.WAITING_SUPPLEMENT,
        permission=TransitionPermission("cases.handle_case", _("Only staff who handle cases may request a supplement.")),
        custom={"label": _("Request a supplement"), "asks": "comment"},
    )
    def request_supplement(self, *, by, comment=""):
        """Ask the applicant, once and for everything missing, to complete the dossier; the clock stops."""
        if not comment.strip():
            raise ValidationError({"comment": gettext("List everything that is missing from the dossier.")})

    @transition(
        field=state,
        source=State.WAITING_SUPPLEMENT,
        target=State.IN_PROGRESS,
        permission=TransitionPermission("cases.handle_case", _("Only staff who handle cases may record a supplement.")),
        custom={"label": _("Supplement received")},
    )
    def receive_supplement(self, *, by, comment=""):
        """The applicant completed the dossier; the clock runs again."""

    @transition(
        field=state,
        source=State.IN_PROGRESS,
        target=State.COMPLETED,
        permission=TransitionPermission("cases.handle_case", _("Only staff who handle cases may complete a case.")),
        custom={"label": _("Return the result")},
    )
    def complete(self, *, by, comment=""):
        """The result goes back to the applicant."""

    @transition(
        field=state,
        source=[State.RECEIVED, State.IN_PROGRESS],
        target=State.REJECTED,
        permission=TransitionPermission("cases.handle_case", _("Only staff who handle cases may refuse a case.")),
        custom={"label": _("Refuse"), "asks": "comment"},
    )
    def reject(self, *, by, comment=""):
        """The dossier is refused; the applicant is told why in writing."""
        if not comment.strip():
            raise ValidationError({"comment": gettext("Give the reason for refusing the dossier.")})

    @transition(
        field=state,
        source=[State.RECEIVED, State.IN_PROGRESS, State.WAITING_SUPPLEMENT],
        target=State.WITHDRAWN,
        permission=TransitionPermission("cases.handle_case", _("Only staff who handle cases may record a withdrawal.")),
        custom={"label": _("Applicant withdrew"), "asks": "comment", "style": "danger"},
    )
    def withdraw(self, *, by, comment=""):
        """The applicant withdrew the dossier."""

    begin.alters_data = True
    move.alters_data = True
    request_supplement.alters_data = True
    receive_supplement.alters_data = True
    complete.alters_data = True
    reject.alters_data = True
    withdraw.alters_data = True


class StepVisit(models.Model):
    """One stay of a case on one step: who handled it, when it came and left, and whether on time."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="visits")
    step = models.ForeignKey(Step, verbose_name=_("step"), on_delete=models.PROTECT, related_name="visits")
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handled by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="step_visits",
    )
    entered_at = models.DateTimeField(_("received at"))
    due_at = models.DateTimeField(_("due"))
    left_at = models.DateTimeField(_("handed on at"), null=True, blank=True)
    left_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("handed on by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    action = models.CharField(_("move"), max_length=200, blank=True)
    #: Working hours the step took (supplement waits excluded) and the hours it was allowed.
    hours_spent = models.DecimalField(_("working hours spent"), max_digits=9, decimal_places=2, null=True, blank=True)
    hours_allowed = models.DecimalField(_("working hours allowed"), max_digits=9, decimal_places=2, default=0)
    timing = models.CharField(_("timing"), max_length=10, choices=Timing.choices, blank=True)

    class Meta:
        verbose_name = _("step visit")
        verbose_name_plural = _("step visits")
        ordering = ["entered_at", "pk"]
        constraints = [
            # A case stands on one step at a time.
            models.UniqueConstraint(fields=["case"], condition=models.Q(left_at__isnull=True), name="one_open_visit_per_case"),
        ]
        indexes = [models.Index(fields=["step", "left_at"], name="visit_step_left")]

    def __str__(self):
        return f"{self.case} · {self.step.code}"


class SupplementRequest(models.Model):
    """The single request to the applicant to complete the dossier, and when they did."""

    case = models.ForeignKey(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="supplement_requests")
    step = models.ForeignKey(Step, verbose_name=_("at step"), on_delete=models.PROTECT, related_name="+")
    missing = models.TextField(_("what is missing"))
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    received_at = models.DateTimeField(_("supplement received at"), null=True, blank=True)

    class Meta:
        verbose_name = _("request to supplement")
        verbose_name_plural = _("requests to supplement")
        ordering = ["requested_at"]

    def __str__(self):
        return f"{self.case}: {self.missing[:60]}"


class Apology(models.Model):
    """The apology and new appointment (Phiếu xin lỗi và hẹn lại ngày trả kết quả); once per case."""

    case = models.OneToOneField(Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="apology")
    reason = models.TextField(_("reason for the delay"))
    new_due_at = models.DateTimeField(_("new appointment"))
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    #: Issued no later than one working day before the due date, as the rule asks.
    in_good_time = models.BooleanField(_("issued in good time"), default=True)

    class Meta:
        verbose_name = _("apology and new appointment")
        verbose_name_plural = _("apologies and new appointments")

    def __str__(self):
        return f"{self.case}: {self.new_due_at:%Y-%m-%d}"


class CaseCounts(models.Model):
    """Counts of the cases one unit received under one procedure in one period, by how they stand."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    received = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    early = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    withdrawn = models.IntegerField(default=0)

    class Meta:
        abstract = True


class StepCounts(models.Model):
    """The finished step visits, per step, of the cases one unit received under one procedure in
    one period: how many, the working hours they took and were allowed, how many were late."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    procedure = models.ForeignKey(Procedure, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    step = models.ForeignKey(Step, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    visits = models.IntegerField(default=0)
    hours_spent = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    hours_allowed = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    late = models.IntegerField(default=0)

    class Meta:
        abstract = True


class CaseTally(CaseCounts):
    """The cases received on one day (in settings.TIME_ZONE) at one unit under one procedure.

    The dashboard sums these rows, and `CaseMonthTally` for whole months, instead of counting
    millions of cases. The database keeps both (cases/tallies.py: triggers on the case table, in
    the transaction that writes the case, by every path: services, imports, bulk loads);
    ``manage.py rebuild_case_tallies`` recounts them.
    """

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "procedure", "day"], name="case_tally_unique")]
        indexes = [
            models.Index(fields=["day"], name="case_tally_day"),
            models.Index(fields=["procedure", "day"], name="case_tally_procedure_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.unit_id}/{self.procedure_id}: {self.received}"


class CaseMonthTally(CaseCounts):
    """`CaseTally` by month of receipt (``month`` is its first day): a year is twelve rows per
    unit and procedure, not two hundred and fifty."""

    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "procedure", "month"], name="case_month_tally_unique")]
        indexes = [
            models.Index(fields=["month"], name="case_month_tally_month"),
            models.Index(fields=["procedure", "month"], name="case_month_tally_procedure"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.unit_id}/{self.procedure_id}: {self.received}"


class StepTally(StepCounts):
    """The step figures of the cases received on one day; kept and rebuilt like `CaseTally`."""

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "procedure", "day", "step"], name="step_tally_unique")]
        indexes = [
            models.Index(fields=["day"], name="step_tally_day"),
            models.Index(fields=["procedure", "day"], name="step_tally_procedure_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.unit_id}/{self.procedure_id} step {self.step_id}: {self.visits}"


class StepMonthTally(StepCounts):
    """`StepTally` by month of receipt (``month`` is its first day)."""

    month = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "procedure", "month", "step"], name="step_month_tally_unique")
        ]
        indexes = [
            models.Index(fields=["month"], name="step_month_tally_month"),
            models.Index(fields=["procedure", "month"], name="step_month_tally_procedure"),
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.unit_id}/{self.procedure_id} step {self.step_id}: {self.visits}"
