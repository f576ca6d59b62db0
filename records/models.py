"""The register of quality records (ISO 9001 clause 7.5.3): what is kept, where, for how long, and
how it was disposed of. Nothing here is ever deleted: a disposed record keeps its metadata and hash."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from iso.models import WorkflowModel
from iso.uploads import RandomName, validate_upload
from iso.versioning import EditVersioned
from iso.workflows import TransitionPermission
from processes.models import FormTemplate, Procedure


def add_years(value: datetime.date, years: int) -> datetime.date:
    """``value`` moved on by whole years; 29 February becomes 28 February in a common year."""
    try:
        return value.replace(year=value.year + years)
    except ValueError:
        return value.replace(year=value.year + years, day=28)


class RecordType(EditVersioned):
    """A kind of record the system keeps (hồ sơ), e.g. HS-06-01, with its keeper and retention."""

    code = models.CharField(_("code"), max_length=40, unique=True, help_text=_("For example HS-06-01."))
    name = models.CharField(_("name"), max_length=300)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="record_types",
    )
    form = models.ForeignKey(
        FormTemplate, verbose_name=_("form"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    keeper = models.CharField(_("kept by"), max_length=200, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    retention_years = models.PositiveSmallIntegerField(
        _("retention (years)"), null=True, blank=True, help_text=_("Leave empty to keep it permanently.")
    )
    disposal_method = models.CharField(_("disposal method"), max_length=200, blank=True)
    #: The name of the procedure's record this type was made from: synchronisation finds it again
    #: by it even after the secretary renames the type.
    source_name = models.CharField(_("name in the procedure"), max_length=300, blank=True, editable=False)

    class Meta:
        verbose_name = _("record type")
        verbose_name_plural = _("record types")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "source_name"],
                condition=models.Q(procedure__isnull=False) & ~models.Q(source_name=""),
                name="one_record_type_per_procedure_record",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("records:record_type_edit", args=[self.pk])

    @property
    def retention_display(self) -> str:
        if self.retention_years is None:
            return gettext("Permanent")
        return gettext("%(years)s years") % {"years": self.retention_years}

    def retention_end_for(self, record_date: datetime.date | None) -> datetime.date | None:
        if record_date is None or self.retention_years is None:
            return None
        return add_years(record_date, self.retention_years)


class DisposalMinute(models.Model):
    """The minute (biên bản hủy) of one disposal: who approved it, how, and which records went."""

    #: Its signed use case, which is not a transition of its own (see records.services.disposal_approve).
    SIGNED_ACTIONS = {"approve": _("Approve the disposal")}

    number = models.CharField(_("number"), max_length=32, unique=True, help_text=_("For example BB-2026-01."))
    date = models.DateField(_("date"), default=timezone.localdate)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(_("disposal method"), max_length=200)
    members = models.TextField(_("members of the disposal council"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("disposal minute")
        verbose_name_plural = _("disposal minutes")
        ordering = ["-date", "-number"]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("records:minute_detail", args=[self.number])

    def signed_content(self) -> dict:
        """What the approver signs: the minute and the records it disposes of, each with its hash."""
        return {
            "number": self.number,
            "date": self.date,
            "method": self.method,
            "members": self.members,
            "notes": self.notes,
            "records": [
                {"reference": r.reference, "title": r.title, "record_date": r.record_date, "sha256": r.sha256}
                for r in self.records.order_by("reference")
            ],
        }


def _retention_over(record, user):
    if record.retention_end is None:
        return gettext("%(record)s is kept permanently and is never due for disposal.") % {"record": record.reference}
    if record.retention_end > timezone.localdate():
        return gettext("%(record)s must be kept until %(date)s; it cannot be marked due for disposal before then.") % {
            "record": record.reference,
            "date": date_format(record.retention_end, "SHORT_DATE_FORMAT"),
        }
    return None


def _not_who_marked_it(record, user):
    if record.marked_due_by_id is not None and record.marked_due_by_id == user.pk:
        return gettext(
            "You marked %(record)s as due for disposal, so you cannot approve its disposal: another person must."
        ) % {"record": record.reference}
    return None


class KeptRecord(WorkflowModel):
    """One record kept: a file (generated or uploaded) with its hash, its date and its retention."""

    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        ARCHIVED = "archived", _("Archived")
        DUE_FOR_DISPOSAL = "due_for_disposal", _("Due for disposal")
        DISPOSED = "disposed", _("Disposed")

    reference = models.CharField(_("reference"), max_length=48, unique=True, editable=False)
    record_type = models.ForeignKey(
        RecordType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="kept_records"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of object"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("title"), max_length=300)
    file = models.FileField(
        _("file"), upload_to=RandomName("records"), blank=True, max_length=255, validators=[validate_upload]
    )
    #: The name the file had when stored; it is kept under a random name.
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    record_date = models.DateField(_("record date"))
    retention_end = models.DateField(_("kept until"), null=True, blank=True, editable=False)
    state = FSMField(_("state"), max_length=20, choices=State.choices, default=State.ACTIVE, protected=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("stored by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("stored at"), default=timezone.now, editable=False)
    marked_due_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked due by"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )
    disposal_minute = models.ForeignKey(
        DisposalMinute, verbose_name=_("disposal minute"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="records",
    )
    disposed_at = models.DateTimeField(_("disposed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("kept record")
        verbose_name_plural = _("kept records")
        ordering = ["-record_date", "-pk"]
        indexes = [
            models.Index(fields=["state", "retention_end"]),
            models.Index(fields=["content_type", "object_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_end__isnull=True) | models.Q(retention_end__gte=models.F("record_date")),
                name="kept_record_retention_ends_after_its_date",
            ),
        ]
        permissions = [("approve_disposal", _("Can approve the disposal of records"))]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        self.retention_end = self.record_type.retention_end_for(self.record_date)
        super().save(*args, **kwargs)

    @property
    def sha256_short(self) -> str:
        return self.sha256[:12]

    @property
    def is_retention_over(self) -> bool:
        return self.retention_end is not None and self.retention_end <= timezone.localdate()

    # Transitions, applied through records.services (iso.workflows), which logs them.

    @transition(
        field=state, source=State.ACTIVE, target=State.ARCHIVED,
        permission=TransitionPermission("records.change_keptrecord", _("Only the ISO secretary may archive a record.")),
        custom={"label": _("Archive"), "style": "secondary"},
    )
    def archive(self, *, by, comment=""):
        """The record is no longer in use and goes to the archive."""

    @transition(
        field=state, source=State.ARCHIVED, target=State.DUE_FOR_DISPOSAL,
        permission=TransitionPermission(
            "records.change_keptrecord", _("Only the ISO secretary may mark a record as due for disposal."),
            _retention_over,
        ),
        custom={"label": _("Mark due for disposal"), "style": "warning"},
    )
    def mark_due(self, *, by, comment=""):
        """Its retention has passed; it waits for an approver's disposal minute."""
        self.marked_due_by = by

    @transition(
        field=state, source=State.DUE_FOR_DISPOSAL, target=State.DISPOSED,
        permission=TransitionPermission(
            "records.approve_disposal", _("Only an approver may approve the disposal of records."), _not_who_marked_it,
        ),
        custom={"label": _("Dispose"), "style": "danger", "internal": True},
    )
    def dispose(self, *, by, comment="", minute: DisposalMinute):
        """Disposed under ``minute``; the row, its metadata and its hash stay."""
        self.disposal_minute = minute
        self.disposed_at = timezone.now()

    archive.alters_data = mark_due.alters_data = dispose.alters_data = True
