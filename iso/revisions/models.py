"""The abstract controlled revision: its workflow fields, its transitions and their rules."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, transition

from iso.models import Signature, WorkflowModel
from iso.workflows import TransitionPermission


class RevisionPermission(TransitionPermission):
    """The permission ``<app>.<codename>_<model>`` of the concrete revision model, refused with the
    message that model gives for ``transition`` in its ``transition_refusals``."""

    def __init__(self, codename: str, transition: str, *checks):
        super().__init__(codename, "", *checks)
        self.transition = transition

    def permission_for(self, instance) -> str:
        meta = instance._meta
        return f"{meta.app_label}.{self.perm}_{meta.model_name}"

    def message_for(self, instance) -> str:
        return str(instance.transition_refusals[self.transition])


def revision_permissions(model_name: str) -> list[tuple[str, str]]:
    """The workflow permissions of a concrete revision model, for its ``Meta.permissions``."""
    return [
        (f"submit_{model_name}", _("Can submit a revision for review")),
        (f"review_{model_name}", _("Can review a revision and return it to its author")),
        (f"approve_{model_name}", _("Can approve a revision")),
        (f"publish_{model_name}", _("Can publish and supersede revisions")),
        (f"withdraw_{model_name}", _("Can withdraw an effective revision")),
    ]


def revision_constraints(document_field: str, *, number_unique: str, one_effective: str) -> list[models.UniqueConstraint]:
    """The constraints of a concrete revision model, for its ``Meta.constraints``: numbers unique per
    document, and never two effective revisions of one document, whatever races the services lose."""
    return [
        models.UniqueConstraint(fields=[document_field, "number"], name=number_unique),
        models.UniqueConstraint(
            fields=[document_field], condition=models.Q(state=ControlledRevision.State.EFFECTIVE), name=one_effective
        ),
    ]


def _not_the_author(revision, user):
    if revision.author_id == user.pk:
        return gettext(
            "You wrote this revision, so you cannot approve it: an approver must be someone other than its author."
        )
    return None


class ControlledRevision(WorkflowModel):
    """One controlled revision of a document. Its content can change only while it is a draft; from
    review on it is frozen, and a change means a new revision.

    A concrete model sets ``document_field`` (its foreign key to the document), ``content_fields``
    (what a new revision copies from the one in force), ``signed_content()``, and its ``Meta``
    from :func:`revision_permissions` and :func:`revision_constraints`.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")
        EFFECTIVE = "effective", _("Effective")
        SUPERSEDED = "superseded", _("Superseded")
        WITHDRAWN = "withdrawn", pgettext_lazy("revision", "Withdrawn")

    #: States on the way to being effective: a document has at most one revision in them.
    OPEN_STATES = (State.DRAFT, State.IN_REVIEW, State.APPROVED)
    #: States of a published document, readable by everyone.
    PUBLISHED_STATES = (State.EFFECTIVE, State.SUPERSEDED, State.WITHDRAWN)

    #: The name of the foreign key to the document this is a revision of.
    document_field: str = ""
    #: The content fields a new revision starts from, copied from the revision it follows.
    content_fields: tuple[str, ...] = ()
    #: What a user without the permission of each transition is told.
    transition_refusals = {
        "submit": _("Only the ISO secretary may submit a revision."),
        "return_to_author": _("Only a reviewer or an approver may return a revision."),
        "approve": _("Only an approver may approve a revision."),
        "publish": _("Only the ISO secretary may publish a revision."),
        "supersede": _("Only the ISO secretary may supersede a revision."),
        "withdraw": _("Only the ISO secretary may withdraw a revision."),
    }

    number = models.PositiveSmallIntegerField(_("revision number"))
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, protected=True)
    change_summary = models.TextField(_("change summary"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT,
        related_name="%(app_label)s_%(class)s_authored",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    #: Counts the saves of the editor; an edit made on an older count is refused, never merged silently.
    edit_version = models.PositiveIntegerField(_("edit version"), default=0, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="%(app_label)s_%(class)s_approved",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="%(app_label)s_%(class)s_published",
    )
    effective_from = models.DateField(_("effective date"), null=True, blank=True)
    ended_on = models.DateField(_("no longer effective from"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return gettext("%(code)s revision %(number)s") % {"code": self.document.code, "number": self.number}

    @property
    def document_id(self):
        return getattr(self, f"{self.document_field}_id")

    @property
    def document(self):
        return getattr(self, self.document_field)

    def siblings(self) -> QuerySet:
        """Every revision of the same document, this one included."""
        return type(self)._default_manager.filter(**{f"{self.document_field}_id": self.document_id})

    @property
    def is_editable(self) -> bool:
        return self.state == self.State.DRAFT

    def ensure_editable(self) -> None:
        if not self.is_editable:
            raise ValidationError(
                gettext("%(revision)s is %(state)s and can no longer be edited; start a new revision instead.")
                % {"revision": self, "state": self.get_state_display().lower()}
            )

    def validate_for_review(self) -> None:
        """Raise ValidationError when the draft is not complete enough to be reviewed."""

    def signed_content(self) -> dict:
        """What an electronic signature on the revision covers: the controlled document itself, not
        its workflow fields, which change on publishing and superseding."""
        raise NotImplementedError

    # Transitions. Each one is applied through iso.workflows.transition_apply, which logs it.

    @transition(
        field="state",
        source=State.DRAFT,
        target=State.IN_REVIEW,
        permission=RevisionPermission("submit", "submit"),
        custom={"label": _("Submit for review"), "style": "primary"},
    )
    def submit(self, *, by, comment=""):
        """Send the draft for review; it must be complete first (``validate_for_review``)."""
        self.validate_for_review()

    @transition(
        field="state",
        source=State.IN_REVIEW,
        target=State.DRAFT,
        permission=RevisionPermission("review", "return_to_author"),
        custom={"label": _("Return to author"), "asks": "comment", "style": "warning"},
    )
    def return_to_author(self, *, by, comment=""):
        """Send the revision back to its author; the comment says what to change."""
        if not comment.strip():
            raise ValidationError({"comment": gettext("Say what must change before the revision can be approved.")})

    @transition(
        field="state",
        source=State.IN_REVIEW,
        target=State.APPROVED,
        permission=RevisionPermission("approve", "approve", _not_the_author),
        custom={"label": _("Approve"), "style": "primary", "signature": (Signature.Meaning.APPROVED,)},
    )
    def approve(self, *, by, comment=""):
        """Approve the revision for publication (signed electronically)."""
        self.approved_by = by
        self.approved_at = timezone.now()

    @transition(
        field="state",
        source=State.APPROVED,
        target=State.EFFECTIVE,
        permission=RevisionPermission("publish", "publish"),
        custom={
            "label": _("Publish"), "asks": "date", "style": "primary",
            "signature": (Signature.Meaning.APPROVED, Signature.Meaning.REVIEWED),
        },
    )
    def publish(self, *, by, comment="", effective_from=None):
        """Make the revision the one in force. Use iso.revisions.services.revision_publish, which
        supersedes the previous one."""
        self.published_by = by
        self.effective_from = effective_from or timezone.localdate()

    @transition(
        field="state",
        source=State.EFFECTIVE,
        target=State.SUPERSEDED,
        permission=RevisionPermission("publish", "supersede"),
        custom={"label": _("Supersede"), "internal": True},
    )
    def supersede(self, *, by, comment="", ended_on=None):
        """Replaced by a newer revision, published in the same transaction."""
        self.ended_on = ended_on or timezone.localdate()

    @transition(
        field="state",
        source=State.EFFECTIVE,
        target=State.WITHDRAWN,
        permission=RevisionPermission("withdraw", "withdraw"),
        custom={"label": _("Withdraw"), "asks": "comment", "style": "danger"},
    )
    def withdraw(self, *, by, comment=""):
        """Take the document out of force without a replacement; the reason is kept."""
        if not comment.strip():
            raise ValidationError({"comment": gettext("Give the reason for withdrawing the revision.")})
        self.withdrawal_reason = comment
        self.ended_on = timezone.localdate()

    submit.alters_data = True
    return_to_author.alters_data = True
    approve.alters_data = True
    publish.alters_data = True
    supersede.alters_data = True
    withdraw.alters_data = True
