"""Internal audits (ISO 9001 clause 9.2) and nonconformities with their corrective actions (10.2)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from iso.models import Clause, OrgUnit, Role, Signature, TrackedAction, WorkflowModel
from iso.uploads import RandomName, validate_upload
from iso.versioning import EditVersioned
from iso.workflows import TransitionPermission
from processes.models import Procedure


def _is_lead_auditor(audit, user):
    if audit.lead_auditor_id != user.pk and not user.has_role(Role.ISO_SECRETARY):
        return gettext("Only the lead auditor of %(audit)s or the ISO secretary may do this.") % {"audit": audit}
    return None


class AuditProgramme(WorkflowModel):
    """The audit programme of one year: its objectives and the audits it plans."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        IN_PROGRESS = "in_progress", pgettext_lazy("audit", "In progress")
        COMPLETED = "completed", _("Completed")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=300)
    objectives = models.TextField(_("objectives"), blank=True)
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, protected=True)
    #: Clauses outside the QMS scope (for example 8.3 where nothing is designed); coverage leaves them out.
    excluded_clauses = models.ManyToManyField(
        Clause, verbose_name=_("clauses outside the scope"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit programme")
        verbose_name_plural = _("audit programmes")
        ordering = ["-year"]
        permissions = [("approve_auditprogramme", _("Can approve an audit programme"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("audits:programme_detail", args=[self.year])

    def signed_content(self) -> dict:
        """What the approval of the programme covers: its objectives and scope, and the audits it
        plans (which units, when); not the audits' progress."""
        audits = self.audits.prefetch_related("units").order_by("reference")
        return {
            "year": self.year,
            "title": self.title,
            "objectives": self.objectives,
            "excluded_clauses": sorted(clause.number for clause in self.excluded_clauses.all()),
            "audits": [
                {
                    "reference": audit.reference,
                    "title": audit.title,
                    "units": sorted(unit.code for unit in audit.units.all()),
                    "planned_start": audit.planned_start,
                    "planned_end": audit.planned_end,
                }
                for audit in audits
            ],
        }

    @transition(
        field=state, source=State.DRAFT, target=State.APPROVED,
        permission=TransitionPermission("audits.approve_auditprogramme", _("Only an approver may approve an audit programme.")),
        custom={"label": _("Approve"), "style": "primary", "signature": (Signature.Meaning.APPROVED,)},
    )
    def approve(self, *, by, comment=""):
        """Top management approves the year's programme (signed electronically)."""
        if not self.audits.exists():
            raise ValidationError(gettext("The programme plans no audit yet."))
        self.approved_by = by
        self.approved_at = timezone.now()

    @transition(
        field=state, source=State.APPROVED, target=State.IN_PROGRESS,
        permission=TransitionPermission("audits.change_auditprogramme", _("Only the ISO secretary may start the programme.")),
        custom={"label": _("Start"), "style": "primary"},
    )
    def start(self, *, by, comment=""):
        """The first audit of the programme begins."""

    @transition(
        field=state, source=State.IN_PROGRESS, target=State.COMPLETED,
        permission=TransitionPermission("audits.change_auditprogramme", _("Only the ISO secretary may complete the programme.")),
        custom={"label": _("Complete"), "style": "primary"},
    )
    def complete(self, *, by, comment=""):
        """Every planned audit is closed or cancelled."""
        open_audits = self.audits.exclude(state__in=[Audit.State.CLOSED, Audit.State.CANCELLED])
        if open_audits.exists():
            raise ValidationError(
                gettext("These audits are neither closed nor cancelled: %(audits)s.")
                % {"audits": ", ".join(a.reference for a in open_audits)}
            )

    approve.alters_data = start.alters_data = complete.alters_data = True


class Audit(WorkflowModel):
    """One internal audit: its scope, criteria, dates and team, its checklist and findings."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PREPARED = "prepared", _("Prepared")
        IN_PROGRESS = "in_progress", pgettext_lazy("audit", "In progress")
        REPORTED = "reported", _("Reported")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey(
        AuditProgramme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="audits"
    )
    reference = models.CharField(_("reference"), max_length=32, unique=True, help_text=_("For example ĐG-2026-01."))
    title = models.CharField(_("title"), max_length=300)
    units = models.ManyToManyField(OrgUnit, verbose_name=_("audited units"), related_name="audits")
    procedures = models.ManyToManyField(Procedure, verbose_name=_("procedures"), blank=True, related_name="audits")
    clauses = models.ManyToManyField(Clause, verbose_name=_("clauses"), blank=True, related_name="audits")
    criteria = models.TextField(_("criteria"), blank=True)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    lead_auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lead auditor"), on_delete=models.PROTECT, related_name="led_audits"
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("audit team"), blank=True, related_name="audit_teams"
    )
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED, protected=True)
    summary = models.TextField(_("summary of the report"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["planned_start", "reference"]
        constraints = [
            models.CheckConstraint(condition=models.Q(planned_end__gte=models.F("planned_start")), name="audit_ends_after_it_starts"),
        ]
        permissions = [("conduct_audit", _("Can conduct internal audits"))]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("audits:audit_detail", args=[self.reference])

    def signed_content(self) -> dict:
        """What the signature on the audit report covers: scope, team, the checklist as answered,
        the findings with their evidence, and the summary; not the auditee's later responses."""
        return {
            "reference": self.reference,
            "title": self.title,
            "units": sorted(unit.code for unit in self.units.all()),
            "procedures": sorted(procedure.code for procedure in self.procedures.all()),
            "clauses": sorted(clause.number for clause in self.clauses.all()),
            "criteria": self.criteria,
            "planned_start": self.planned_start,
            "planned_end": self.planned_end,
            "lead_auditor": self.lead_auditor.username,
            "team": sorted(member.username for member in self.team.all()),
            "summary": self.summary,
            "checklist": [
                {
                    "position": item.position,
                    "clause": item.clause.number if item.clause else None,
                    "question": item.question,
                    "result": item.result,
                    "evidence": item.evidence,
                }
                for item in self.checklist_items.select_related("clause").order_by("position", "pk")
            ],
            "findings": [
                {
                    "number": f.number,
                    "kind": f.kind,
                    "clause": f.clause.number,
                    "unit": f.unit.code,
                    "procedure": f.procedure.code if f.procedure else None,
                    "statement": f.statement,
                    "evidence": f.evidence,
                    "auditee_representative": f.auditee_representative,
                }
                for f in self.findings.select_related("clause", "unit", "procedure").order_by("number")
            ],
        }

    def auditors(self):
        """The lead auditor and the team, without repeats."""
        people = {self.lead_auditor_id: self.lead_auditor}
        people.update((member.pk, member) for member in self.team.all())
        return list(people.values())

    def closing_obstacles(self) -> list[str]:
        """What stops the audit from closing: findings not dealt with, nonconformities without an owner."""
        obstacles = []
        for finding in self.findings.select_related("nonconformity"):
            if not finding.is_dealt_with:
                obstacles.append(gettext("Finding %(finding)s is not dealt with.") % {"finding": finding.label})
        for nc in Nonconformity.objects.filter(finding__audit=self):
            if nc.state in (Nonconformity.State.CLOSED, Nonconformity.State.REJECTED):
                continue
            if nc.owner_id is None or nc.due_date is None:
                obstacles.append(
                    gettext("Nonconformity %(nc)s is still open and has no owner and due date.") % {"nc": nc.reference}
                )
        return obstacles

    _permission = TransitionPermission("audits.conduct_audit", _("Only internal auditors may conduct audits."), _is_lead_auditor)

    @transition(field=state, source=State.PLANNED, target=State.PREPARED, permission=_permission,
                custom={"label": _("Mark as prepared"), "style": "primary"})
    def prepare(self, *, by, comment=""):
        """The plan and the checklist are ready."""
        if not self.checklist_items.exists():
            raise ValidationError(gettext("Prepare the checklist before marking the audit as prepared."))

    @transition(field=state, source=State.PREPARED, target=State.IN_PROGRESS, permission=_permission,
                custom={"label": _("Start the audit"), "style": "primary"})
    def start(self, *, by, comment=""):
        """The opening meeting is held; the audit is under way."""

    @transition(field=state, source=State.IN_PROGRESS, target=State.REPORTED, permission=_permission,
                custom={"label": _("Issue the report"), "style": "primary",
                        "signature": (Signature.Meaning.APPROVED, Signature.Meaning.REVIEWED)})
    def report(self, *, by, comment=""):
        """The audit report is issued with its summary, signed electronically by the lead auditor."""
        if not self.summary.strip():
            raise ValidationError({"summary": gettext("Write the summary of the report first.")})
        self.reported_at = timezone.now()

    @transition(field=state, source=State.REPORTED, target=State.CLOSED, permission=_permission,
                custom={"label": _("Close the audit"), "style": "primary"})
    def close(self, *, by, comment=""):
        """Every finding is dealt with and every nonconformity closed or handed over."""
        obstacles = self.closing_obstacles()
        if obstacles:
            raise ValidationError(obstacles)

    @transition(
        field=state, source=[State.PLANNED, State.PREPARED], target=State.CANCELLED,
        permission=TransitionPermission("audits.change_audit", _("Only the ISO secretary may cancel an audit.")),
        custom={"label": _("Cancel"), "asks": "comment", "style": "danger"},
    )
    def cancel(self, *, by, comment=""):
        """The audit will not take place; the reason is kept."""
        if not comment.strip():
            raise ValidationError({"comment": gettext("Give the reason for cancelling the audit.")})

    prepare.alters_data = start.alters_data = report.alters_data = close.alters_data = cancel.alters_data = True


class ChecklistTemplate(models.Model):
    """A reusable set of audit questions for a clause (and, optionally, a procedure)."""

    title = models.CharField(_("title"), max_length=300)
    clause = models.ForeignKey(Clause, verbose_name=_("clause"), on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["clause__sort_key", "title"]

    def __str__(self):
        return f"{self.clause.number} {self.title}"


class ChecklistTemplateQuestion(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    question = models.TextField(_("question"))

    class Meta:
        verbose_name = _("checklist question")
        verbose_name_plural = _("checklist questions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.question[:80]


class ChecklistItem(EditVersioned):
    """One question of an audit's checklist, with what the auditor found."""

    class Result(models.TextChoices):
        CONFORMS = "conforms", _("Conforms")
        NONCONFORMITY = "nonconformity", _("Nonconformity")
        OBSERVATION = "observation", _("Observation")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    audit = models.ForeignKey(Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="checklist_items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    clause = models.ForeignKey(Clause, verbose_name=_("clause"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    question = models.TextField(_("question"))
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, blank=True)
    evidence = models.TextField(_("evidence seen"), blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.question[:80]


class Finding(EditVersioned):
    """What an audit found, with its evidence; a nonconformity finding opens a nonconformity."""

    class Kind(models.TextChoices):
        MAJOR = "major", _("Major nonconformity")
        MINOR = "minor", _("Minor nonconformity")
        OBSERVATION = "observation", _("Observation")
        IMPROVEMENT = "improvement", _("Opportunity for improvement")
        GOOD_PRACTICE = "good_practice", _("Good practice")

    NONCONFORMITY_KINDS = (Kind.MAJOR, Kind.MINOR)

    audit = models.ForeignKey(Audit, verbose_name=_("audit"), on_delete=models.PROTECT, related_name="findings")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    clause = models.ForeignKey(Clause, verbose_name=_("clause"), on_delete=models.PROTECT, related_name="findings")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="findings")
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    checklist_item = models.ForeignKey(
        ChecklistItem, verbose_name=_("checklist item"), on_delete=models.PROTECT, null=True, blank=True, related_name="findings"
    )
    statement = models.TextField(_("statement"))
    evidence = models.TextField(_("evidence"))
    auditee_representative = models.CharField(_("auditee representative"), max_length=200, blank=True)
    #: How an observation or an opportunity for improvement was taken up by the auditee.
    response = models.TextField(_("auditee's response"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["audit", "number"]
        constraints = [models.UniqueConstraint(fields=["audit", "number"], name="finding_number_unique_per_audit")]

    def __str__(self):
        return f"{self.label} {self.get_kind_display()}"

    @property
    def label(self) -> str:
        return f"{self.audit.reference}/{self.number:02d}"

    @property
    def is_nonconformity(self) -> bool:
        return self.kind in self.NONCONFORMITY_KINDS

    @property
    def is_dealt_with(self) -> bool:
        """A nonconformity finding has its nonconformity; an observation or opportunity has a response."""
        if self.is_nonconformity:
            return hasattr(self, "nonconformity")
        return self.kind == self.Kind.GOOD_PRACTICE or bool(self.response.strip())


def _handles_the_unit(nonconformity, user):
    if user.has_role(Role.ISO_SECRETARY) or user.unit_id == nonconformity.unit_id or nonconformity.owner_id == user.pk:
        return None
    return gettext("Only the ISO secretary, the owner or a member of %(unit)s may do this.") % {"unit": nonconformity.unit}


def _accepts_the_plan(nonconformity, user):
    audit = nonconformity.finding.audit if nonconformity.finding_id else None
    if user.has_role(Role.ISO_SECRETARY) or (audit and audit.lead_auditor_id == user.pk):
        return None
    return gettext("Only the ISO secretary or the lead auditor of the audit may accept the action plan.")


class Nonconformity(EditVersioned, WorkflowModel):
    """A nonconformity (NC-2026-001), from an audit or elsewhere, through to its verified correction."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ANALYSED = "analysed", _("Analysed")
        ACTION_PLANNED = "action_planned", _("Action planned")
        IN_ACTION = "in_action", _("In action")
        AWAITING_VERIFICATION = "awaiting_verification", _("Awaiting verification")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        INTERNAL_AUDIT = "internal_audit", _("Internal audit")
        EXTERNAL_AUDIT = "external_audit", _("External audit or inspection")
        COMPLAINT = "complaint", _("Complaint")
        PROCESS_MONITORING = "process_monitoring", _("Process monitoring")
        MANAGEMENT_REVIEW = "management_review", _("Management review")
        OTHER = "other", _("Other")

    class Severity(models.TextChoices):
        MAJOR = "major", _("Major")
        MINOR = "minor", _("Minor")

    OPEN_STATES = (State.OPEN, State.ANALYSED, State.ACTION_PLANNED, State.IN_ACTION, State.AWAITING_VERIFICATION)

    reference = models.CharField(_("reference"), max_length=32, unique=True)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    number = models.PositiveIntegerField(_("number"), editable=False)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MINOR)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="nonconformities")
    clause = models.ForeignKey(Clause, verbose_name=_("clause"), on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    description = models.TextField(_("description"))
    detected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("detected by"), on_delete=models.PROTECT, related_name="+")
    detected_on = models.DateField(_("detected on"), default=timezone.localdate)
    finding = models.OneToOneField(
        Finding, verbose_name=_("finding"), on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformity"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, null=True, blank=True, related_name="nonconformities"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, null=True, blank=True, related_name="owned_nonconformities"
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    state = FSMField(_("state"), max_length=24, choices=State.choices, default=State.OPEN, protected=True)
    correction = models.TextField(_("correction (immediate fix)"), blank=True)
    #: The five whys, in order; the last answer is the root cause.
    whys = models.JSONField(_("five whys"), default=list, blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    extent = models.TextField(_("extent: does it exist elsewhere?"), blank=True)
    plan_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("plan accepted by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan_accepted_at = models.DateTimeField(_("plan accepted at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("nonconformity")
        verbose_name_plural = _("nonconformities")
        ordering = ["-year", "-number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="nonconformity_number_unique_per_year")]
        indexes = [models.Index(fields=["state", "due_date"], name="nc_state_due"), models.Index(fields=["unit", "state"], name="nc_unit_state")]
        permissions = [("handle_nonconformity", _("Can analyse nonconformities and plan their actions"))]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("audits:nonconformity_detail", args=[self.reference])

    def signed_content(self) -> dict:
        """What accepting the action plan covers: the problem, its analysis and the planned actions
        with their owners and due dates. Reissues of ineffective actions come later, under the
        verifier's signature, and are not part of the accepted plan."""
        return {
            "reference": self.reference,
            "unit": self.unit.code,
            "clause": self.clause.number if self.clause else None,
            "severity": self.severity,
            "description": self.description,
            "correction": self.correction,
            "whys": self.whys,
            "root_cause": self.root_cause,
            "extent": self.extent,
            "actions": [
                {"number": a.number, "description": a.description, "owner": a.owner.username, "due_date": a.due_date}
                for a in self.actions.filter(reissue_of__isnull=True).select_related("owner").order_by("number")
            ],
        }

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date is not None and self.due_date < timezone.localdate()

    _handle = TransitionPermission(
        "audits.handle_nonconformity", _("Only staff who handle nonconformities may do this."), _handles_the_unit
    )

    @transition(field=state, source=State.OPEN, target=State.ANALYSED, permission=_handle,
                custom={"label": _("Record the analysis"), "style": "primary"})
    def analyse(self, *, by, comment=""):
        """The correction is made and the root cause found."""
        missing = [
            name for name, value in (("correction", self.correction), ("root_cause", self.root_cause or "".join(self.whys)))
            if not str(value).strip()
        ]
        if missing:
            raise ValidationError({
                name: gettext("Record the correction and the root cause (five whys or text) first.") for name in missing
            })

    @transition(field=state, source=State.ANALYSED, target=State.ACTION_PLANNED, permission=_handle,
                custom={"label": _("Submit the action plan"), "style": "primary"})
    def plan(self, *, by, comment=""):
        """The corrective actions are proposed, each with an owner and a due date."""
        if not self.actions.exists():
            raise ValidationError(gettext("Plan at least one corrective action first."))

    @transition(
        field=state, source=State.ACTION_PLANNED, target=State.IN_ACTION,
        permission=TransitionPermission("audits.conduct_audit", _("Only the ISO secretary or the lead auditor may accept the action plan."), _accepts_the_plan),
        custom={"label": _("Accept the action plan"), "style": "primary",
                "signature": (Signature.Meaning.APPROVED, Signature.Meaning.REVIEWED)},
    )
    def accept_plan(self, *, by, comment=""):
        """The secretary or the lead auditor accepts the plan (signed electronically); work may start."""
        self.plan_accepted_by = by
        self.plan_accepted_at = timezone.now()

    @transition(field=state, source=State.IN_ACTION, target=State.AWAITING_VERIFICATION, permission=_handle,
                custom={"label": _("Ask for verification"), "style": "primary"})
    def request_verification(self, *, by, comment=""):
        """Every action is done; its effectiveness is to be verified."""
        unfinished = self.actions.filter(state__in=CorrectiveAction.OPEN_STATES)
        if unfinished.exists():
            raise ValidationError(
                gettext("These actions are not done yet: %(actions)s.") % {"actions": ", ".join(a.label for a in unfinished)}
            )

    @transition(
        field=state, source=State.AWAITING_VERIFICATION, target=State.IN_ACTION,
        permission=TransitionPermission("audits.verify_correctiveaction", _("Only an internal auditor or the ISO secretary may verify an action.")),
        custom={"label": _("Back to action"), "internal": True},
    )
    def reopen(self, *, by, comment=""):
        """An action proved ineffective (part of its verification): a reissued action is needed."""

    @transition(
        field=state, source=State.AWAITING_VERIFICATION, target=State.CLOSED,
        permission=TransitionPermission("audits.verify_correctiveaction", _("Only an internal auditor or the ISO secretary may close a nonconformity.")),
        custom={"label": _("Close"), "style": "primary"},
    )
    def close(self, *, by, comment=""):
        """Every action was verified effective."""
        current = self.actions.filter(reissue__isnull=True)
        unverified = current.exclude(state=CorrectiveAction.State.VERIFIED_EFFECTIVE)
        if not current.exists() or unverified.exists():
            raise ValidationError(
                gettext("A nonconformity closes only when all its actions are verified effective; not yet: %(actions)s.")
                % {"actions": ", ".join(a.label for a in unverified) or "—"}
            )
        self.closed_at = timezone.now()

    @transition(
        field=state, source=State.OPEN, target=State.REJECTED,
        permission=TransitionPermission("audits.verify_correctiveaction", _("Only an internal auditor or the ISO secretary may reject a nonconformity.")),
        custom={"label": _("Not a nonconformity"), "asks": "comment", "style": "danger"},
    )
    def reject(self, *, by, comment=""):
        """It is not a nonconformity; the reason is kept."""
        if not comment.strip():
            raise ValidationError({"comment": gettext("Give the reason why this is not a nonconformity.")})
        self.rejection_reason = comment

    analyse.alters_data = plan.alters_data = accept_plan.alters_data = True
    request_verification.alters_data = reopen.alters_data = close.alters_data = reject.alters_data = True


class CorrectiveAction(TrackedAction):
    """An action against the root cause of a nonconformity, verified effective by someone else.

    Its lifecycle, and the rules that the owner carries it out and someone else verifies it, come
    from :class:`iso.models.TrackedAction`.
    """

    nonconformity = models.ForeignKey(Nonconformity, verbose_name=_("nonconformity"), on_delete=models.PROTECT, related_name="actions")
    number = models.PositiveSmallIntegerField(_("number"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="corrective_actions")
    #: An ineffective action is reissued under a new number; the reissue replaces it.
    reissue_of = models.OneToOneField(
        "self", verbose_name=_("reissue of"), on_delete=models.PROTECT, null=True, blank=True, related_name="reissue"
    )

    work_permission = TransitionPermission("audits.handle_nonconformity", _("Only staff who handle nonconformities may do this."))
    verify_permission = TransitionPermission(
        "audits.verify_correctiveaction", _("Only an internal auditor or the ISO secretary may verify an action.")
    )

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["nonconformity", "number"]
        constraints = [models.UniqueConstraint(fields=["nonconformity", "number"], name="action_number_unique_per_nonconformity")]
        indexes = [models.Index(fields=["owner", "state", "due_date"], name="action_owner_state_due")]
        permissions = [("verify_correctiveaction", _("Can verify the effectiveness of corrective actions"))]

    def __str__(self):
        return f"{self.label} {self.description[:60]}"

    @property
    def label(self) -> str:
        return f"{self.nonconformity.reference}/{self.number}"

    def signed_content(self) -> dict:
        """What the verifier signs: the action, what was done with its evidence, and the verdict."""
        return {
            "nonconformity": self.nonconformity.reference,
            **self.action_content(),
            "evidence": sorted(e.file.name for e in self.evidence.all()),
        }

    def check_start(self) -> None:
        """Work begins only once the nonconformity's action plan is accepted."""
        if self.nonconformity.state != Nonconformity.State.IN_ACTION:
            raise ValidationError(gettext("The action plan of %(nc)s is not accepted yet.") % {"nc": self.nonconformity})


class ActionEvidence(models.Model):
    """A file that proves a corrective action was carried out."""

    action = models.ForeignKey(CorrectiveAction, verbose_name=_("action"), on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("file"), upload_to=RandomName("evidence"), max_length=255, validators=[validate_upload])
    #: The name the file had when uploaded; it is stored under a random name.
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence of completion")
        verbose_name_plural = _("evidence of completion")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.description or self.original_filename or self.file.name
