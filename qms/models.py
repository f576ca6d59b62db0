"""The quality management system's own controlled documents: its scope and context (ISO 9001:2015
clauses 4.1 to 4.3) and its quality policy (5.2), each a series of controlled revisions, and the
staff's acknowledgement of the policy in force."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from iso.models import Clause, OrgUnit
from iso.revisions.models import ControlledRevision, revision_constraints, revision_permissions
from processes.models import Procedure

#: Requirements that ISO 9001:2015 clause 4.3 lets an organisation declare not applicable (they must
#: not affect its ability to ensure the conformity of its services), with their subclauses.
EXCLUDABLE_CLAUSES = ("7.1.5", "8.3", "8.4", "8.5.3", "8.5.5")


def is_excludable(number: str) -> bool:
    return any(number == prefix or number.startswith(f"{prefix}.") for prefix in EXCLUDABLE_CLAUSES)


def excludable_clauses() -> models.QuerySet[Clause]:
    condition = models.Q(pk__in=[])
    for prefix in EXCLUDABLE_CLAUSES:
        condition |= models.Q(number=prefix) | models.Q(number__startswith=f"{prefix}.")
    return Clause.objects.filter(condition)


class QmsDocument(models.Model):
    """A controlled document of the management system itself; the organisation keeps one of each kind."""

    class Kind(models.TextChoices):
        SCOPE = "scope", _("Scope and context of the QMS")
        POLICY = "policy", _("Quality policy")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, unique=True)
    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("For example STCL-01."))
    title = models.CharField(_("title"), max_length=300)
    #: The last time the organisation announced its QMS conformant to TCVN ISO 9001:2015 (công bố);
    #: a scope that changed since must be announced again.
    last_announced_on = models.DateField(_("last announcement of conformity"), null=True, blank=True)
    announcement_reference = models.CharField(
        _("announcement decision"), max_length=150, blank=True, help_text=_("For example Quyết định số 15/QĐ-UBND.")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("QMS document")
        verbose_name_plural = _("QMS documents")
        ordering = ["kind"]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse(f"qms:{self.kind}_detail")

    @property
    def revision_model(self) -> type["ScopeRevision | PolicyRevision"]:
        return REVISION_MODELS[self.kind]

    @property
    def revisions(self) -> models.QuerySet:
        return self.revision_model.objects.filter(document=self)


class QmsRevision(ControlledRevision):
    """A revision of a QMS document; ``kind`` says which."""

    kind: str = ""
    document_field = "document"

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(f"qms:{self.kind}_revision_detail", args=[self.number])

    def _document_content(self) -> dict:
        return {
            "document": {"code": self.document.code, "title": self.document.title},
            "number": self.number,
            "change_summary": self.change_summary,
        }


class RevisionRow(models.Model):
    """A row of a revision's content: written with the revision while it is a draft, frozen after."""

    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.revision.ensure_editable()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.revision.ensure_editable()
        return super().delete(*args, **kwargs)


class ScopeRevision(QmsRevision):
    """A revision of the scope and context: the scope statement, the units and procedures in scope,
    the requirements not applicable, the internal and external issues and the interested parties."""

    kind = QmsDocument.Kind.SCOPE
    content_fields = ("statement",)

    document = models.ForeignKey(
        QmsDocument, verbose_name=_("document"), on_delete=models.PROTECT, related_name="scope_revisions",
        limit_choices_to={"kind": QmsDocument.Kind.SCOPE},
    )
    statement = models.TextField(
        _("scope statement"), blank=True,
        help_text=_("The services and sites the QMS covers, as announced (ISO 9001:2015 clause 4.3)."),
    )
    units = models.ManyToManyField(OrgUnit, verbose_name=_("units in scope"), blank=True, related_name="+")
    procedures = models.ManyToManyField(
        Procedure, verbose_name=_("procedures in scope"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("scope revision")
        verbose_name_plural = _("scope revisions")
        ordering = ["number"]
        constraints = revision_constraints(
            "document", number_unique="qms_scope_revision_number_unique", one_effective="qms_one_effective_scope_revision"
        )
        permissions = revision_permissions("scoperevision")

    def validate_for_review(self) -> None:
        """A scope is reviewed with its statement, at least one unit, and a justification for every
        requirement declared not applicable."""
        errors = []
        if not self.statement.strip():
            errors.append(gettext("Write the scope statement before the revision is reviewed."))
        if not self.units.exists():
            errors.append(gettext("Name at least one unit in the scope."))
        for excluded in self.excluded_clauses.select_related("clause"):
            if not excluded.justification.strip():
                errors.append(
                    gettext("Clause %(number)s is declared not applicable without a justification.")
                    % {"number": excluded.clause.number}
                )
        if errors:
            raise ValidationError(errors)

    def signed_content(self) -> dict:
        """The scope as approved: statement, units, procedures, exclusions, issues and parties."""
        return {
            **self._document_content(),
            "statement": self.statement,
            "units": sorted(self.units.values_list("code", flat=True)),
            "procedures": sorted(self.procedures.values_list("code", flat=True)),
            "excluded_clauses": [
                {"clause": e.clause.number, "justification": e.justification}
                for e in self.excluded_clauses.select_related("clause")
            ],
            "issues": [
                {"position": i.position, "kind": i.kind, "description": i.description, "effect": i.effect}
                for i in self.issues.all()
            ],
            "parties": [
                {"position": p.position, "party": p.party, "requirements": p.requirements, "monitoring": p.monitoring}
                for p in self.parties.all()
            ],
        }


class ExcludedClause(RevisionRow):
    """A requirement of ISO 9001:2015 the organisation declares not applicable, and why."""

    revision = models.ForeignKey(
        ScopeRevision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="excluded_clauses"
    )
    clause = models.ForeignKey(Clause, verbose_name=_("clause"), on_delete=models.PROTECT, related_name="+")
    justification = models.TextField(
        _("justification"), help_text=_("Why the requirement does not apply and does not affect conformity.")
    )

    class Meta:
        verbose_name = _("requirement not applicable")
        verbose_name_plural = _("requirements not applicable")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["revision", "clause"], name="qms_clause_excluded_once")]

    def __str__(self):
        return str(self.clause)

    def clean(self):
        errors = {}
        if self.clause_id and not is_excludable(self.clause.number):
            errors["clause"] = gettext(
                "Clause %(number)s cannot be declared not applicable: ISO 9001:2015 clause 4.3 allows it only for "
                "requirements that do not affect the conformity of services (%(allowed)s)."
            ) % {"number": self.clause.number, "allowed": ", ".join(EXCLUDABLE_CLAUSES)}
        # An empty one is refused by the field itself; only spaces are not a justification either.
        if self.justification and not self.justification.strip():
            errors["justification"] = gettext("Say why this requirement does not apply.")
        if errors:
            raise ValidationError(errors)


class ContextIssue(RevisionRow):
    """An internal or external issue relevant to the organisation's purpose (clause 4.1)."""

    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal")
        EXTERNAL = "external", _("External")

    revision = models.ForeignKey(
        ScopeRevision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="issues"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    description = models.TextField(_("issue"))
    effect = models.TextField(_("effect on the QMS"), blank=True)

    class Meta:
        verbose_name = _("internal or external issue")
        verbose_name_plural = _("internal and external issues")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.description


class InterestedParty(RevisionRow):
    """An interested party, its requirements and how they are monitored (clause 4.2)."""

    revision = models.ForeignKey(
        ScopeRevision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="parties"
    )
    party = models.CharField(_("interested party"), max_length=200)
    requirements = models.TextField(_("requirements"))
    monitoring = models.TextField(_("how they are monitored"), blank=True)

    class Meta:
        verbose_name = _("interested party")
        verbose_name_plural = _("interested parties")
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint(fields=["revision", "party"], name="qms_party_once_per_revision")]

    def __str__(self):
        return self.party


class PolicyRevision(QmsRevision):
    """A revision of the quality policy: its text and, as points, its commitments."""

    kind = QmsDocument.Kind.POLICY
    content_fields = ("text",)

    document = models.ForeignKey(
        QmsDocument, verbose_name=_("document"), on_delete=models.PROTECT, related_name="policy_revisions",
        limit_choices_to={"kind": QmsDocument.Kind.POLICY},
    )
    text = models.TextField(_("quality policy"), blank=True)

    class Meta:
        verbose_name = _("policy revision")
        verbose_name_plural = _("policy revisions")
        ordering = ["number"]
        constraints = revision_constraints(
            "document", number_unique="qms_policy_revision_number_unique",
            one_effective="qms_one_effective_policy_revision",
        )
        permissions = revision_permissions("policyrevision")

    def validate_for_review(self) -> None:
        """A policy is reviewed with its text written."""
        if not self.text.strip():
            raise ValidationError(gettext("Write the text of the policy before the revision is reviewed."))

    def signed_content(self) -> dict:
        """The policy as approved: its text and commitments."""
        return {
            **self._document_content(),
            "text": self.text,
            "commitments": [{"position": c.position, "text": c.text} for c in self.commitments.all()],
        }


class PolicyCommitment(RevisionRow):
    """One commitment of the policy, shown and printed as a numbered point."""

    revision = models.ForeignKey(
        PolicyRevision, verbose_name=_("revision"), on_delete=models.CASCADE, related_name="commitments"
    )
    text = models.TextField(_("commitment"))

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class PolicyAcknowledgement(models.Model):
    """A person confirms that they have read the quality policy in force (clause 5.2.2, 7.3)."""

    revision = models.ForeignKey(
        PolicyRevision, verbose_name=_("revision"), on_delete=models.PROTECT, related_name="acknowledgements"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT,
        related_name="policy_acknowledgements",
    )
    acknowledged_at = models.DateTimeField(_("read on"), default=timezone.now)

    class Meta:
        verbose_name = _("acknowledgement of the policy")
        verbose_name_plural = _("acknowledgements of the policy")
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["revision", "user"], name="qms_policy_read_once")]

    def __str__(self):
        return f"{self.user} – {self.revision}"


REVISION_MODELS: dict[str, type[QmsRevision]] = {
    QmsDocument.Kind.SCOPE: ScopeRevision,
    QmsDocument.Kind.POLICY: PolicyRevision,
}
