"""Satisfaction of citizens and businesses (ISO 9001:2015 clause 9.1.2; Decree 61/2018 art. 31):
the applicant's ratings of a resolved case, on criteria that are data, and complaints among them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: The scale of every rating: 1 very dissatisfied … 5 very satisfied.
LOWEST_SCORE, HIGHEST_SCORE = 1, 5
#: Ratings of this score or more count as satisfied in the satisfaction index.
SATISFIED_FROM = 4


class Criterion(models.Model):
    """One thing the applicant rates (return time, staff attitude, …), in the order shown.

    The name and question are stored in English and shown through the translation catalogue, so the
    criteria seeded by the data migration read in Vietnamese and English; a criterion added later
    shows its text as typed until the catalogue has it. A deactivated criterion is no longer asked,
    and the ratings already given on it are kept and still counted for their period.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    question = models.CharField(_("question asked"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("asked"), default=True)

    class Meta:
        verbose_name = _("satisfaction criterion")
        verbose_name_plural = _("satisfaction criteria")
        ordering = ["position", "code"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return gettext(self.name)

    @property
    def question_label(self) -> str:
        return gettext(self.question) if self.question else self.label


class Feedback(models.Model):
    """The applicant's feedback on one resolved case: a rating per criterion, a comment, and
    whether it is a complaint. One per case, kept even if criteria change later."""

    class Channel(models.TextChoices):
        KIOSK = "kiosk", _("Kiosk")
        PAPER = "paper", _("Paper form")

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="feedback"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    #: The day the applicant gave it: today at the kiosk, the date of the paper form otherwise.
    given_on = models.DateField(_("given on"), default=timezone.localdate)
    comment = models.TextField(_("comment"), blank=True)
    is_complaint = models.BooleanField(_("complaint"), default=False)
    #: Who marked it a complaint; empty when the applicant ticked the box.
    complaint_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked a complaint by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    #: Who typed in a paper form; empty for the kiosk.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    nonconformity = models.OneToOneField(
        "audits.Nonconformity", verbose_name=_("nonconformity"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="feedback",
    )

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering = ["-given_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel="kiosk", entered_by__isnull=True)
                | models.Q(channel="paper", entered_by__isnull=False),
                name="feedback_paper_entered_by_staff",
            ),
            models.CheckConstraint(
                condition=models.Q(nonconformity__isnull=True) | models.Q(is_complaint=True),
                name="feedback_nonconformity_only_for_complaint",
            ),
        ]
        indexes = [models.Index(fields=["given_on"], name="feedback_given_on")]
        permissions = [
            ("handle_feedback", _("Can enter feedback from paper forms and mark complaints")),
        ]

    def __str__(self):
        return str(self.case)

    def get_absolute_url(self):
        return reverse("satisfaction:feedback_detail", args=[self.case.reference])


class Rating(models.Model):
    """One score from 1 to 5 given to one criterion in one feedback."""

    feedback = models.ForeignKey(Feedback, verbose_name=_("feedback"), on_delete=models.CASCADE, related_name="ratings")
    criterion = models.ForeignKey(Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(LOWEST_SCORE), MaxValueValidator(HIGHEST_SCORE)]
    )

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(fields=["feedback", "criterion"], name="rating_once_per_criterion"),
            models.CheckConstraint(
                condition=models.Q(score__gte=LOWEST_SCORE, score__lte=HIGHEST_SCORE), name="rating_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.feedback} · {self.criterion.code}: {self.score}"


class KioskFailure(models.Model):
    """A refused kiosk attempt (unknown dossier code or wrong code from the receipt).

    Kept in the database so that every web worker counts the same attempts; the client is stored
    as a keyed hash of its address, never the address itself, and rows older than the window are
    deleted as new ones come.
    """

    client = models.CharField(_("client"), max_length=64)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("refused kiosk attempt")
        verbose_name_plural = _("refused kiosk attempts")
        indexes = [models.Index(fields=["client", "at"], name="kiosk_failure_client_at"),
                   models.Index(fields=["at"], name="kiosk_failure_at")]

    def __str__(self):
        return f"{self.client[:12]} {self.at:%Y-%m-%d %H:%M}"
