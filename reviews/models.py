"""Management review (ISO 9001:2015 clause 9.3): the meeting, its agenda of inputs frozen as they
were presented, its decisions and actions, and the notes of the annual QMS report."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from iso.models import Signature, TrackedAction, WorkflowModel
from iso.workflows import TransitionPermission


def _is_the_chair(review, user):
    if review.chair_id != user.pk:
        return gettext("Only the chair of %(review)s (%(chair)s) may approve its minutes.") % {
            "review": review.reference, "chair": review.chair,
        }
    return None


class ManagementReview(WorkflowModel):
    """A management review meeting (họp xem xét của lãnh đạo) over a period, through to its minutes
    approved and signed by the chair."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        MINUTES_APPROVED = "minutes_approved", _("Minutes approved")

    reference = models.CharField(_("reference"), max_length=32, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    #: Numbered within the year of the meeting, as the minutes are: "Số: 01/BB-XXLĐ".
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=300)
    period_start = models.DateField(_("period reviewed from"))
    period_end = models.DateField(_("period reviewed to"))
    meeting_at = models.DateTimeField(_("date and time of the meeting"))
    place = models.CharField(_("place"), max_length=200)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("chair"), on_delete=models.PROTECT, related_name="chaired_reviews"
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("secretary of the meeting"), on_delete=models.PROTECT,
        related_name="+",
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("attendees"), blank=True, related_name="attended_reviews"
    )
    guests = models.TextField(_("other participants"), blank=True, help_text=_("One a line: name and position."))
    conclusion = models.TextField(_("conclusion of the chair"), blank=True)
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.PLANNED, protected=True)
    held_at = models.DateTimeField(_("recorded as held at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("prepared by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("management review")
        verbose_name_plural = _("management reviews")
        ordering = ["-meeting_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="review_number_unique_per_year"),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="review_period_ends_after_it_starts"
            ),
        ]
        permissions = [("approve_minutes", _("Can chair a management review and approve its minutes"))]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self):
        return reverse("reviews:review_detail", args=[self.reference])

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": gettext("The end of the period is before its start.")})

    @property
    def minutes_number(self) -> str:
        """The number and symbol printed on the minutes."""
        return f"{self.number:02d}/BB-XXLĐ"

    @property
    def is_editable(self) -> bool:
        """The agenda and the minutes change until the chair signs them."""
        return self.state != self.State.MINUTES_APPROVED

    def signed_content(self) -> dict:
        """What the chair signs: the meeting, the agenda as presented (each input's frozen snapshot
        and its discussion), the decisions and the actions decided with owners and due dates; not
        the actions' later progress."""
        return {
            "reference": self.reference,
            "title": self.title,
            "period": [self.period_start, self.period_end],
            "meeting_at": self.meeting_at,
            "place": self.place,
            "chair": self.chair.username,
            "secretary": self.secretary.username,
            "attendees": sorted(user.username for user in self.attendees.all()),
            "guests": self.guests,
            "conclusion": self.conclusion,
            "agenda": [
                {
                    "position": item.position,
                    "input": item.input_key,
                    "title": item.title,
                    "summary": item.summary,
                    "snapshot": item.snapshot,
                    "discussion": item.discussion,
                    "conclusion": item.conclusion,
                }
                for item in self.agenda_items.order_by("position", "pk")
            ],
            "decisions": [
                {"number": d.number, "category": d.category, "text": d.text}
                for d in self.decisions.order_by("number")
            ],
            "actions": [
                {
                    "number": a.number,
                    "decision": a.decision.number if a.decision_id else None,
                    "description": a.description,
                    "owner": a.owner.username,
                    "due_date": a.due_date,
                }
                for a in self.actions.select_related("decision", "owner").order_by("number")
            ],
        }

    @transition(
        field=state, source=State.PLANNED, target=State.HELD,
        permission=TransitionPermission(
            "reviews.change_managementreview", _("Only the ISO secretary may record that the meeting was held.")
        ),
        custom={"label": _("Record as held"), "style": "primary"},
    )
    def hold(self, *, by, comment=""):
        """The meeting took place with the agenda as gathered; its inputs are frozen from now on."""
        if self.meeting_at > timezone.now():
            raise ValidationError(gettext("The meeting is planned for later; it cannot be recorded as held before it takes place."))
        if not self.agenda_items.exists():
            raise ValidationError(gettext("Gather the inputs of the review before the meeting."))
        self.held_at = timezone.now()

    @transition(
        field=state, source=State.HELD, target=State.MINUTES_APPROVED,
        permission=TransitionPermission(
            "reviews.approve_minutes", _("Only an approver who chairs the review may approve its minutes."),
            _is_the_chair,
        ),
        custom={"label": _("Approve the minutes"), "style": "primary", "signature": (Signature.Meaning.APPROVED,)},
    )
    def approve_minutes(self, *, by, comment=""):
        """The chair approves the minutes, signed electronically; agenda, decisions and actions are fixed."""
        if not self.conclusion.strip():
            raise ValidationError({"conclusion": gettext("Write the conclusion of the chair before approving the minutes.")})
        self.approved_at = timezone.now()

    hold.alters_data = approve_minutes.alters_data = True


class AgendaItem(models.Model):
    """One item of the agenda: an input of clause 9.3.2 as gathered (frozen), or an item the
    secretary added; with what was presented, discussed and concluded."""

    review = models.ForeignKey(
        ManagementReview, verbose_name=_("management review"), on_delete=models.PROTECT, related_name="agenda_items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    #: The key of the provider that gathered it (reviews.inputs); empty for an item added by hand.
    input_key = models.CharField(_("input"), max_length=40, blank=True, editable=False)
    clause = models.CharField(_("clause"), max_length=16, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary of the data"), blank=True, editable=False)
    #: The figures and tables as gathered: kept, so the minutes show what was presented even after
    #: the data changes.
    snapshot = models.JSONField(_("data as gathered"), default=dict, blank=True, editable=False)
    gathered_at = models.DateTimeField(_("gathered at"), null=True, blank=True, editable=False)
    discussion = models.TextField(_("presentation and discussion"), blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["review", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "input_key"], condition=~models.Q(input_key=""), name="one_agenda_item_per_input"
            ),
        ]

    def __str__(self):
        return f"{self.review.reference} {self.position}. {self.title}"

    @property
    def figures(self) -> list[dict]:
        return self.snapshot.get("figures", []) if isinstance(self.snapshot, dict) else []

    @property
    def tables(self) -> list[dict]:
        return self.snapshot.get("tables", []) if isinstance(self.snapshot, dict) else []


class Decision(models.Model):
    """A decision of the review, in one of the output categories of clause 9.3.3."""

    class Category(models.TextChoices):
        IMPROVEMENT = "improvement", _("Opportunity for improvement")
        QMS_CHANGE = "qms_change", _("Change to the quality management system")
        RESOURCES = "resources", _("Resource needs")

    review = models.ForeignKey(
        ManagementReview, verbose_name=_("management review"), on_delete=models.PROTECT, related_name="decisions"
    )
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    text = models.TextField(_("decision"))

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="decision_number_unique_per_review")]

    def __str__(self):
        return f"{self.review.reference}/{self.number}"


class ReviewAction(TrackedAction):
    """An action decided by a management review, with its owner and due date, carried out and then
    verified effective by someone else, through the lifecycle every tracked action shares
    (:class:`iso.models.TrackedAction`). Its open actions are an input of the next review."""

    review = models.ForeignKey(
        ManagementReview, verbose_name=_("management review"), on_delete=models.PROTECT, related_name="actions"
    )
    decision = models.ForeignKey(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, null=True, blank=True, related_name="actions"
    )
    number = models.PositiveSmallIntegerField(_("number"), editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="review_actions"
    )

    work_permission = TransitionPermission(
        "reviews.carry_out_reviewaction", _("Only staff may carry out the actions of a management review.")
    )
    verify_permission = TransitionPermission(
        "reviews.verify_reviewaction",
        _("Only the ISO secretary or an approver may verify the actions of a management review."),
    )

    class Meta:
        verbose_name = _("management review action")
        verbose_name_plural = _("management review actions")
        ordering = ["review", "number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="review_action_number_unique_per_review")]
        indexes = [models.Index(fields=["owner", "state", "due_date"], name="review_action_owner_state_due")]
        permissions = [
            ("carry_out_reviewaction", _("Can carry out the actions of a management review")),
            ("verify_reviewaction", _("Can verify the actions of a management review")),
        ]

    def __str__(self):
        return f"{self.label} {self.description[:60]}"

    def get_absolute_url(self):
        return f"{self.review.get_absolute_url()}#action-{self.pk}"

    @property
    def label(self) -> str:
        return f"{self.review.reference}/{self.number}"

    def signed_content(self) -> dict:
        """What the verifier signs: the action, what was done, and the verdict."""
        return {"review": self.review.reference, **self.action_content()}

    def check_start(self) -> None:
        """Work begins once the minutes that decided the action are approved."""
        if self.review.state != ManagementReview.State.MINUTES_APPROVED:
            raise ValidationError(
                gettext("The actions of %(review)s start once its minutes are approved.") % {"review": self.review.reference}
            )


class AnnualReport(models.Model):
    """What the annual QMS report to the supervising body says besides the figures it computes."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    recipient = models.CharField(_("to"), max_length=300, blank=True, help_text=_("The supervising body, e.g. the Department of Science and Technology."))
    proposals = models.TextField(_("proposals and recommendations"), blank=True)
    signer_title = models.CharField(_("signer's position"), max_length=200, blank=True)
    signer_name = models.CharField(_("signer"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("annual QMS report")
        verbose_name_plural = _("annual QMS reports")
        ordering = ["-year"]

    def __str__(self):
        return gettext("Annual QMS report %(year)s") % {"year": self.year}
