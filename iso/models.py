"""The core every app shares: organisation units, users and their roles, the ISO 9001:2015 clause
catalogue and the append-only transition log."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMFieldMixin, FSMModelMixin


class Role(models.TextChoices):
    """The roles of a quality system; each is a Django group of the same name."""

    ISO_SECRETARY = "iso_secretary", _("ISO secretary")
    APPROVER = "approver", _("Approver")
    PROCESS_OWNER = "process_owner", _("Process owner")
    STAFF = "staff", _("Staff")
    INTERNAL_AUDITOR = "internal_auditor", _("Internal auditor")
    VIEWER = "viewer", _("Viewer")


class WorkflowModel(FSMModelMixin, models.Model):
    """Base of every model whose state is a protected FSM field.

    Validation leaves the state field alone: it is never user input, and assigning it (as
    ``clean_fields`` does) is refused on a protected field.
    """

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude=set(exclude or ()) | self._get_protected_fsm_fields())


class OrgUnitQuerySet(models.QuerySet):
    def organisation_name(self) -> str:
        """The name printed on documents: the ORGANISATION_NAME setting, or the top unit's name."""
        from django.conf import settings

        if settings.ORGANISATION_NAME:
            return settings.ORGANISATION_NAME
        top = self.filter(parent__isnull=True).order_by("pk").first()
        return top.name if top else ""

    def with_descendants(self, unit_ids) -> set[int]:
        """The ids of the given units and of every unit below them, read in one query."""
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in self.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, stack = set(), [pk for pk in unit_ids if pk is not None]
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(children.get(pk, []))
        return found


class OrgUnit(models.Model):
    """A unit of the organisation: agency → department, or district → commune, as a tree."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("Agency")
        DEPARTMENT = "department", _("Department")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")
        SECTION = "section", _("Section")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation unit")
        verbose_name_plural = _("organisation units")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk:
                raise ValidationError(
                    {"parent": gettext("A unit cannot be placed under itself or one of its own sub-units.")}
                )
            ancestor = ancestor.parent


class User(AbstractUser):
    """A person who signs in. Roles are the Django groups named after `Role`."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name()

    def get_full_name(self):
        # Vietnamese names are written family name first, so one field holds the whole name.
        return self.full_name or super().get_full_name() or self.username

    def has_role(self, role: Role) -> bool:
        return self.is_superuser or role in self.roles

    @property
    def role_labels(self) -> list[str]:
        return [str(role.label) for role in Role if role in self.roles]

    @property
    def roles(self) -> set[str]:
        if not hasattr(self, "_roles"):
            self._roles = set(self.groups.values_list("name", flat=True))
        return self._roles


class Clause(models.Model):
    """A clause of ISO 9001:2015 (TCVN ISO 9001:2015), loaded by a data migration."""

    number = models.CharField(_("number"), max_length=16, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent clause"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    #: Sort key that orders 4.10 after 4.9 (text order would not).
    sort_key = models.CharField(max_length=64, editable=False, db_index=True)

    class Meta:
        verbose_name = _("ISO 9001 clause")
        verbose_name_plural = _("ISO 9001 clauses")
        ordering = ["sort_key"]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        self.sort_key = self.make_sort_key(self.number)
        super().save(*args, **kwargs)

    @staticmethod
    def make_sort_key(number: str) -> str:
        return ".".join(part.zfill(3) for part in number.split("."))

    @property
    def title(self) -> str:
        return self.title_vi if (get_language() or "").startswith("vi") else self.title_en

    @property
    def depth(self) -> int:
        return self.number.count(".")


class TransitionLogQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:
            raise TypeError("The transition log is append-only; entries cannot be overwritten.")
        return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        raise TypeError("The transition log is append-only; entries cannot be updated.")

    def delete(self):
        raise TypeError("The transition log is append-only; entries cannot be deleted.")

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class TransitionLog(models.Model):
    """One state change of one object: who did what, when, from which state to which, and why.

    Written by a single post_transition receiver; never updated, never deleted.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("object"), max_length=200)
    transition = models.CharField(_("transition"), max_length=64)
    source = models.CharField(_("from"), max_length=32)
    target = models.CharField(_("to"), max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    objects = TransitionLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.object_repr}: {self.source} → {self.target} ({self.transition})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The transition log is append-only; entries cannot be updated.")
        # An INSERT, never the UPDATE Django would try for a given primary key: a reused id fails.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The transition log is append-only; entries cannot be deleted.")

    def _state_labels(self) -> dict[str, str]:
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        field = next((f for f in model._meta.concrete_fields if isinstance(f, FSMFieldMixin)), None)
        return dict(field.choices) if field else {}

    @property
    def source_label(self) -> str:
        return self._state_labels().get(self.source, self.source)

    @property
    def target_label(self) -> str:
        return self._state_labels().get(self.target, self.target)

    @property
    def transition_label(self) -> str:
        from .workflows import transition_label  # workflows imports this module

        return transition_label(ContentType.objects.get_for_id(self.content_type_id).model_class(), self.transition)


class CalendarDay(models.Model):
    """An exception to the ordinary working week: a public holiday on a weekday, or a make-up
    working day on a weekend. Weekends and office hours themselves are settings."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        MAKE_UP_WORKING_DAY = "working_day", _("Make-up working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("working calendar")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"
