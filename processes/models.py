"""Documented procedures and their controlled revisions, with each revision's step graph."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from iso.models import Clause, OrgUnit, Role
from iso.revisions.models import ControlledRevision, revision_constraints, revision_permissions
from iso.uploads import RandomName, validate_upload

from .graph import StepGraph


class Procedure(models.Model):
    """A documented procedure (quy trình), e.g. QT-01, with its series of revisions."""

    class Category(models.TextChoices):
        MANAGEMENT = "management", _("Management procedure")
        ADMINISTRATIVE = "administrative", _("Administrative procedure for citizens")
        SUPPORT = "support", _("Support procedure")

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("For example QT-01."))
    title = models.CharField(_("title"), max_length=300)
    owner_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="procedures"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.MANAGEMENT)
    clauses = models.ManyToManyField(Clause, verbose_name=_("ISO 9001 clauses"), blank=True, related_name="procedures")
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("processes:procedure_detail", args=[self.code])


class ProcedureRevision(ControlledRevision):
    """One controlled revision of a procedure, in the structure agencies use (sections 1 to 7).

    Its content can change only while it is a draft; from review on it is frozen, and a change
    means a new revision.
    """

    document_field = "procedure"
    content_fields = ("purpose", "scope", "references", "definitions", "content", "supplement_restarts_clock")
    transition_refusals = {
        **ControlledRevision.transition_refusals,
        "submit": _("Only a process owner or the ISO secretary may submit a revision."),
    }

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="revisions"
    )
    purpose = models.TextField(_("1. Purpose"), blank=True)
    scope = models.TextField(_("2. Scope"), blank=True)
    references = models.TextField(_("3. References"), blank=True)
    definitions = models.TextField(_("4. Definitions and abbreviations"), blank=True)
    content = models.TextField(
        _("5. Content"),
        blank=True,
        help_text=_("For an administrative procedure: required papers, copies, time limit, where to submit, fees, "
                    "conditions and legal basis. The step table follows from the steps."),
    )
    supplement_restarts_clock = models.BooleanField(
        _("a supplement restarts the time limit"),
        default=True,
        help_text=_("When the applicant completes the dossier, the time limit starts again from zero "
                    "(one-stop-shop rule); otherwise the clock only pauses while waiting."),
    )

    class Meta:
        verbose_name = _("procedure revision")
        verbose_name_plural = _("procedure revisions")
        ordering = ["procedure__code", "number"]
        constraints = revision_constraints(
            "procedure",
            number_unique="revision_number_unique_per_procedure",
            one_effective="one_effective_revision_per_procedure",
        )
        permissions = revision_permissions("procedurerevision")

    def get_absolute_url(self):
        return reverse("processes:revision_detail", args=[self.procedure.code, self.number])

    def step_graph(self) -> StepGraph:
        return StepGraph.from_revision(self)

    def validate_for_review(self) -> None:
        """The step graph must be sound: one start, every step reachable, an end reachable."""
        self.step_graph().validate()

    def signed_content(self) -> dict:
        """What an electronic signature on this revision covers: the controlled document itself
        (number, title, sections 1 to 7, the step graph), not its workflow fields, which change
        on publishing and superseding without changing what was approved."""
        steps = list(self.steps.select_related("responsible_unit").prefetch_related("forms").order_by("position", "code"))
        codes = {step.pk: step.code for step in steps}
        return {
            "procedure": {"code": self.procedure.code, "title": self.procedure.title},
            "number": self.number,
            "sections": {
                "purpose": self.purpose,
                "scope": self.scope,
                "references": self.references,
                "definitions": self.definitions,
                "content": self.content,
            },
            "change_summary": self.change_summary,
            "supplement_restarts_clock": self.supplement_restarts_clock,
            "steps": [
                {
                    "code": step.code,
                    "position": step.position,
                    "name": step.name,
                    "kind": step.kind,
                    "responsible_unit": step.responsible_unit.code if step.responsible_unit else None,
                    "responsible_role": step.responsible_role,
                    "time_limit": step.time_limit,
                    "time_unit": step.time_unit,
                    "forms": sorted(form.code for form in step.forms.all()),
                    "description": step.description,
                }
                for step in steps
            ],
            "edges": sorted(
                ({"source": codes[e.source_id], "target": codes[e.target_id], "action": e.action} for e in self.edges.all()),
                key=lambda edge: (edge["source"], edge["target"]),
            ),
            "forms": [
                {"code": form.code, "title": form.title, "template_file": form.template_file.name or ""}
                for form in self.forms.order_by("code")
            ],
            "records_to_keep": [
                {"position": r.position, "name": r.name, "keeper": r.keeper, "retention_years": r.retention_years}
                for r in self.records_to_keep.order_by("position", "name")
            ],
        }


class FormTemplate(models.Model):
    """A blank form (biểu mẫu) that a revision uses, e.g. BM.01.07, with an optional template file."""

    revision = models.ForeignKey(
        ProcedureRevision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="forms"
    )
    code = models.CharField(_("code"), max_length=32, help_text=_("For example BM.01.07."))
    title = models.CharField(_("title"), max_length=300)
    template_file = models.FileField(
        _("template file"), upload_to=RandomName("forms"), blank=True, max_length=255, validators=[validate_upload]
    )
    #: The name the file had when uploaded; it is stored under a random name.
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["revision", "code"], name="form_code_unique_per_revision")]

    def __str__(self):
        return f"{self.code} {self.title}"


class RecordToKeep(models.Model):
    """A record the procedure produces and keeps (section 7): its name, keeper and retention."""

    revision = models.ForeignKey(
        ProcedureRevision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="records_to_keep"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=300)
    keeper = models.CharField(_("kept by"), max_length=200)
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"), null=True, blank=True, help_text=_("Leave empty to keep it permanently.")
    )

    class Meta:
        verbose_name = _("record to keep")
        verbose_name_plural = _("records to keep")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name

    @property
    def retention_display(self) -> str:
        if self.retention_years is None:
            return gettext("Permanent")
        return gettext("%(years)s years") % {"years": self.retention_years}


class Step(models.Model):
    """A step of a revision's step graph, with who is responsible and its time limit."""

    class Kind(models.TextChoices):
        START = "start", _("Start")
        TASK = "task", _("Step")
        END = "end", _("End: result returned")
        REFUSAL = "refusal", _("End: refused")

    #: Kinds that finish a case: reaching one completes it, or rejects it for a refusal.
    END_KINDS = (Kind.END, Kind.REFUSAL)

    class TimeUnit(models.TextChoices):
        WORKING_DAYS = "working_days", _("working days")
        WORKING_HOURS = "working_hours", _("working hours")

    revision = models.ForeignKey(
        ProcedureRevision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="steps"
    )
    code = models.CharField(_("code"), max_length=16, help_text=_("For example B1; unique within the revision."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.TASK)
    responsible_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("responsible unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible_role = models.CharField(_("responsible role"), max_length=32, choices=Role.choices, blank=True)
    time_limit = models.DecimalField(_("time limit"), max_digits=6, decimal_places=2, default=0)
    time_unit = models.CharField(
        _("time unit"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )
    forms = models.ManyToManyField(FormTemplate, verbose_name=_("forms produced"), blank=True, related_name="steps")
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["revision", "code"], name="step_code_unique_per_revision"),
            models.CheckConstraint(condition=models.Q(time_limit__gte=0), name="step_time_limit_not_negative"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def is_end(self) -> bool:
        return self.kind in self.END_KINDS

    @property
    def time_limit_display(self) -> str:
        if not self.time_limit:
            return "—"
        amount = f"{self.time_limit.normalize():f}"
        return f"{amount} {self.get_time_unit_display()}"


class StepEdge(models.Model):
    """A move allowed between two steps, named as users say it ("request supplement", "reject")."""

    revision = models.ForeignKey(
        ProcedureRevision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="edges"
    )
    source = models.ForeignKey(Step, verbose_name=_("from step"), on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Step, verbose_name=_("to step"), on_delete=models.CASCADE, related_name="incoming")
    action = models.CharField(_("move"), max_length=200)

    class Meta:
        verbose_name = _("move between steps")
        verbose_name_plural = _("moves between steps")
        ordering = ["source__position", "target__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="one_edge_per_pair_of_steps"),
        ]

    def __str__(self):
        return f"{self.source.code} → {self.target.code}: {self.action}"

    def clean(self):
        for field in ("source", "target"):
            step = getattr(self, field, None)
            if step is not None and self.revision_id and step.revision_id != self.revision_id:
                raise ValidationError({field: gettext("Step %(step)s belongs to another revision.") % {"step": step.code}})


class Acknowledgement(models.Model):
    """A person confirms that they have read an effective revision."""

    revision = models.ForeignKey(
        ProcedureRevision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    acknowledged_at = models.DateTimeField(_("read on"), default=timezone.now)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["revision", "user"], name="one_acknowledgement_per_reader")]

    def __str__(self):
        return f"{self.user} – {self.revision}"
