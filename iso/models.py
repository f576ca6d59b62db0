"""The core every app shares: organisation units, users and their roles, the ISO 9001:2015 clause
catalogue, the append-only transition log, the electronic signatures, and the lifecycle every
tracked action shares (corrective, risk treatment and management review actions)."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, models, router, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMFieldMixin, FSMModelMixin, transition

from . import chain
from .versioning import EditVersioned


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
    #: Wrong passwords given when signing, in a row; at SIGNATURE_MAX_FAILURES the user cannot sign
    #: until the ISO secretary resets it. A correct signature sets it back to zero.
    failed_signatures = models.PositiveSmallIntegerField(_("failed signatures in a row"), default=0, editable=False)
    last_failed_signature_at = models.DateTimeField(_("last failed signature"), null=True, blank=True, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        permissions = [("reset_signature_lock", _("Can let a user sign again after failed signatures"))]

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
    def signature_locked(self) -> bool:
        return self.failed_signatures >= settings.SIGNATURE_MAX_FAILURES

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


class AppendOnlyQuerySet(models.QuerySet):
    """Rows are only ever added: no update, no delete, no upsert; a bulk insert extends the chain."""

    def _refuse(self, what: str):
        raise TypeError(f"{self.model.append_only_name} is append-only; entries cannot be {what}.")

    def bulk_create(self, objs, *args, update_conflicts=False, ignore_conflicts=False, **kwargs):
        if update_conflicts or ignore_conflicts:
            self._refuse("overwritten")
        objs = list(objs)
        with transaction.atomic(using=self.db):
            self.model.chain_extend(objs, using=self.db)
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        self._refuse("updated")

    def delete(self):
        self._refuse("deleted")

    def for_object(self, obj):
        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class ChainedEntry(models.Model):
    """An append-only entry of a hash chain (see iso/chain.py): position, previous hash, own hash.

    Subclasses name the fields the hash covers in ``chain_fields``. Appending takes the chain's
    lock, reads its head and inserts, in one transaction, so concurrent appends never fork it.
    """

    #: Position in the chain, 1, 2, 3...: a removed entry leaves a gap that names it.
    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True, editable=False)
    previous_hash = models.CharField(_("hash of the previous entry"), max_length=64, editable=False)
    entry_hash = models.CharField(_("hash"), max_length=64, editable=False)

    chain_fields: tuple[str, ...] = ()
    append_only_name = "This log"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError(f"{self.append_only_name} is append-only; entries cannot be updated.")
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            type(self).chain_extend([self], using=using)
            # An INSERT, never the UPDATE Django would try for a given primary key: a reused id fails.
            kwargs["force_insert"] = True
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{self.append_only_name} is append-only; entries cannot be deleted.")

    @classmethod
    def chain_extend(cls, entries, *, using: str) -> None:
        """Give ``entries`` the next positions and hashes after the head, under the chain's lock.

        Call inside the transaction that inserts them, right before inserting them.
        """
        if not entries:
            return
        chain.lock(connections[using], cls._meta.db_table)
        head = cls._base_manager.using(using).order_by("-pk").values_list("seq", "entry_hash").first()
        seq, previous = head if head else (0, chain.GENESIS)
        for entry in entries:
            seq += 1
            entry.seq = seq
            entry.previous_hash = previous
            entry.entry_hash = previous = entry.compute_hash()

    @classmethod
    def chain_payload(cls, values) -> dict:
        """The canonical content of an entry from its values (a dict keyed by attribute name)."""
        return chain.payload(values, cls.chain_fields, content_type_label)

    def compute_hash(self) -> str:
        values = {name: getattr(self, name) for name in self.chain_fields}
        return chain.digest(self.chain_payload(values), self.previous_hash)


def content_type_label(content_type_id: int) -> str:
    content_type = ContentType.objects.get_for_id(content_type_id)
    return f"{content_type.app_label}.{content_type.model}"


class TransitionLog(ChainedEntry):
    """One state change of one object: who did what, when, from which state to which, and why.

    Written by a single post_transition receiver; never updated, never deleted. Each entry is
    chained to the one before it (iso/chain.py); ``manage.py verify_transition_log`` checks it.
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

    objects = AppendOnlyQuerySet.as_manager()

    chain_fields = chain.TRANSITION_LOG_FIELDS
    append_only_name = "The transition log"

    class Meta:
        verbose_name = _("transition log entry")
        verbose_name_plural = _("transition log")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "at"])]

    def __str__(self):
        return f"{self.object_repr}: {self.source} → {self.target} ({self.transition})"

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


class SignatureQuerySet(AppendOnlyQuerySet):
    def for_objects(self, objs):
        """The signatures of several objects of one model, in one query."""
        objs = list(objs)
        if not objs:
            return self.none()
        return self.filter(content_type=ContentType.objects.get_for_model(objs[0]), object_id__in=[o.pk for o in objs])


class Signature(ChainedEntry):
    """An electronic signature (21 CFR Part 11, EU GMP Annex 11): who signed what, when, meaning what.

    The signer re-entered their password at the moment of signing. ``content_sha256`` is the
    SHA-256 of the canonical JSON of the signed object's ``signed_content()`` at that moment, kept
    with the JSON itself; when the object's content differs later, the signature shows as broken.
    Written by iso.signatures; never updated, never deleted, and chained like the transition log
    (iso/chain.py), so that a signature row edited or removed behind the application's back is named
    by ``manage.py verify_transition_log``.
    """

    class Meaning(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REVIEWED = "reviewed", _("Reviewed")
        VERIFIED = "verified", _("Verified")

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("signed object"), max_length=200)
    #: The transition or use case signed, e.g. "approve", "publish", "accept_plan", "dispose".
    action = models.CharField(_("action signed"), max_length=64)
    meaning = models.CharField(_("meaning"), max_length=16, choices=Meaning.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signer"), on_delete=models.PROTECT, related_name="signatures"
    )
    #: The signer's name, job title and roles as they were when signing: a later change of the
    #: account does not rewrite what was signed.
    signer_name = models.CharField(_("signer's name"), max_length=150)
    signer_title = models.CharField(_("signer's job title"), max_length=150, blank=True)
    signer_roles = models.CharField(_("signer's roles"), max_length=200, blank=True)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    content_sha256 = models.CharField(_("SHA-256 of the signed content"), max_length=64)
    content = models.TextField(_("signed content (canonical JSON)"))

    objects = SignatureQuerySet.as_manager()

    chain_fields = chain.SIGNATURE_FIELDS
    append_only_name = "The register of electronic signatures"

    class Meta:
        verbose_name = _("electronic signature")
        verbose_name_plural = _("electronic signatures")
        ordering = ["signed_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "signed_at"])]

    def __str__(self):
        return f"{self.object_repr}: {self.signer_name}, {self.get_meaning_display()}"

    @property
    def action_label(self) -> str:
        """The action signed as users name it: the transition's label, or the model's own name for
        a signed use case that is not a transition (``SIGNED_ACTIONS``)."""
        from .workflows import transition_label  # workflows imports this module

        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        label = transition_label(model, self.action)
        return str(getattr(model, "SIGNED_ACTIONS", {}).get(self.action, label))

    @property
    def signer_roles_display(self) -> str:
        labels = dict(Role.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.signer_roles.split(",") if code)

    @property
    def signer_position(self) -> str:
        """The job title at the time of signing, or else the roles."""
        return self.signer_title or self.signer_roles_display


class CalendarDay(EditVersioned):
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


class FieldChange(ChainedEntry):
    """One changed field of a controlled record (revision, finding, nonconformity, action): the old
    value, the new value, who changed it and when. Written by the services that edit those records
    (iso/trail.py); never updated, never deleted, chained like the transition log in its own chain.

    Values are stored as text: a related object as it was named at the time, a choice by its key
    (shown with its label), a list one item a line.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("record"), max_length=200)
    field_name = models.CharField(_("field"), max_length=64)
    old_value = models.TextField(_("old value"), blank=True)
    new_value = models.TextField(_("new value"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    chain_fields = chain.FIELD_CHANGE_FIELDS
    append_only_name = "The history of field changes"

    class Meta:
        verbose_name = _("field change")
        verbose_name_plural = _("field changes")
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "changed_at"])]

    def __str__(self):
        return f"{self.object_repr}: {self.field_name}"

    def _field(self) -> models.Field | None:
        model = ContentType.objects.get_for_id(self.content_type_id).model_class()
        try:
            return model._meta.get_field(self.field_name) if model else None
        except FieldDoesNotExist:
            return None

    @property
    def field_label(self) -> str:
        field = self._field()
        return str(field.verbose_name) if field is not None else self.field_name

    def _display(self, value: str) -> str:
        field = self._field()
        if field is None or value == "":
            return value
        if isinstance(field, models.BooleanField):
            return gettext("Yes") if value == "true" else gettext("No")
        if field.choices and not field.is_relation:
            return str(dict(field.flatchoices).get(value, value))
        return value

    @property
    def old_display(self) -> str:
        return self._display(self.old_value)

    @property
    def new_display(self) -> str:
        return self._display(self.new_value)


def job_result_path(job: "Job", filename: str) -> str:
    # A random name: a result is reachable only through the permission-checked download view,
    # never by guessing its address under MEDIA_URL.
    return f"jobs/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{Path(filename).suffix}"


class Job(models.Model):
    """A long piece of work done by a background worker (iso.jobs), with its progress and result.

    States are plain (queued → running → done | failed) and change by conditional UPDATEs in
    iso.jobs, not through the transition log: a job is plumbing, not a quality record, and a queue
    that delivers a job twice must find it already running.
    """

    class Kind(models.TextChoices):
        EVIDENCE_PACK = "evidence_pack", _("Evidence pack")
        CASE_EXPORT = "case_export", _("Case export")
        DUE_DIGEST = "due_digest", _("Reminder digests")

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", pgettext_lazy("job state", "Done")
        FAILED = "failed", _("Failed")

    FINISHED_STATES = (State.DONE, State.FAILED)

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="jobs", help_text=_("Empty for scheduled jobs."),
    )
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    #: The language of the page that asked: the worker writes the result and messages in it.
    language = models.CharField(_("language"), max_length=16, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.QUEUED)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    progress_message = models.CharField(_("progress"), max_length=300, blank=True)
    result = models.FileField(_("result"), upload_to=job_result_path, blank=True, max_length=255)
    result_name = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["requested_by", "-created_at"], name="iso_job_requester_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress_done__lte=models.F("progress_total")) | models.Q(progress_total=0),
                name="iso_job_progress_within_total",
            )
        ]
        permissions = [("request_evidence_pack", _("Can request the evidence pack"))]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def get_absolute_url(self):
        return reverse("job_detail", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED_STATES

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    def visible_to(self, user) -> bool:
        """Only the requester and the ISO secretary see a job and its result."""
        return user.is_authenticated and (self.requested_by_id == user.pk or user.has_role(Role.ISO_SECRETARY))


class DelegatedPermission:
    """The permission of a transition declared on an abstract model.

    django-fsm keeps one permission per transition, shared by every concrete model that inherits
    it; this one asks the concrete model for its own rule (a ``TransitionPermission`` stored in the
    class attribute ``attribute``), then applies the base's own ``checks``, each returning the
    message of a refusal or None.
    """

    def __init__(self, attribute: str, *checks):
        self.attribute = attribute
        self.checks = checks

    def __call__(self, instance, user) -> bool:
        return self.refusal(instance, user) is None

    def refusal(self, instance, user) -> str | None:
        message = getattr(type(instance), self.attribute).refusal(instance, user)
        if message:
            return str(message)
        for check in self.checks:
            message = check(instance, user)
            if message:
                return str(message)
        return None


def _owner_or_secretary(action, user) -> str | None:
    if action.owner_id == user.pk or user.has_role(Role.ISO_SECRETARY):
        return None
    return gettext("Only the owner of the action (%(owner)s) or the ISO secretary may do this.") % {"owner": action.owner}


def _not_the_owner(action, user) -> str | None:
    if action.owner_id == user.pk:
        return gettext("You own this action, so you cannot verify it: effectiveness is verified by someone else.")
    return None


class TrackedAction(WorkflowModel):
    """An action with an owner and a due date, carried out, then verified effective by someone else.

    The lifecycle planned → in_progress → done → verified_effective | not_effective, shared by
    corrective actions, risk treatment actions and the actions of a management review. A concrete
    model adds its ``owner`` (with its own related name), what the action belongs to, its
    ``signed_content()`` and two rules, each an ``iso.workflows.TransitionPermission``:
    ``work_permission`` (start, finish; the owner or the ISO secretary besides) and
    ``verify_permission`` (the verdict; never the owner). It may override :meth:`check_start`.
    """

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("action", "In progress")
        DONE = "done", _("Done")
        VERIFIED_EFFECTIVE = "verified_effective", _("Verified effective")
        NOT_EFFECTIVE = "not_effective", _("Not effective")

    OPEN_STATES = (State.PLANNED, State.IN_PROGRESS)

    description = models.TextField(_("action"))
    due_date = models.DateField(_("due date"))
    state = FSMField(_("state"), max_length=24, choices=State.choices, default=State.PLANNED, protected=True)
    completion_note = models.TextField(_("what was done"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verified by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verification_note = models.TextField(_("verification"), blank=True)

    #: The rules of the concrete model (iso.workflows.TransitionPermission), set by each subclass.
    work_permission = None
    verify_permission = None
    #: The setting that holds how many days after completion effectiveness may first be judged.
    verification_delay_setting = "CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS"

    class Meta:
        abstract = True

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.state in self.OPEN_STATES and self.due_date < timezone.localdate()

    @property
    def verification_delay_days(self) -> int:
        return getattr(settings, self.verification_delay_setting)

    def verifiable_from(self):
        """The first moment its effectiveness may be judged: a configured delay after completion."""
        if self.completed_at is None:
            return None
        return self.completed_at + timezone.timedelta(days=self.verification_delay_days)

    def action_content(self) -> dict:
        """What every verifier signs of an action (its number and owner come from the concrete
        model): the action, what was done, and the verdict. ``signed_content()`` adds what it belongs to."""
        return {
            "number": self.number,
            "description": self.description,
            "owner": self.owner.username,
            "due_date": self.due_date,
            "completion_note": self.completion_note,
            "effective": self.state == self.State.VERIFIED_EFFECTIVE if self.verified_by_id else None,
            "verification_note": self.verification_note,
        }

    def check_start(self) -> None:
        """Raise ValidationError when work may not begin yet; the concrete model says when."""

    @transition(field="state", source=State.PLANNED, target=State.IN_PROGRESS,
                permission=DelegatedPermission("work_permission", _owner_or_secretary),
                custom={"label": _("Start"), "style": "primary"})
    def start(self, *, by, comment=""):
        """Work on the action begins, once :meth:`check_start` allows it."""
        self.check_start()

    @transition(field="state", source=State.IN_PROGRESS, target=State.DONE,
                permission=DelegatedPermission("work_permission", _owner_or_secretary),
                custom={"label": _("Mark as done"), "asks": "comment", "style": "primary"})
    def finish(self, *, by, comment=""):
        """The action is carried out; the note says what was done."""
        if not comment.strip():
            raise ValidationError({"comment": gettext("Say what was done.")})
        self.completion_note = comment
        self.completed_at = timezone.now()

    @transition(field="state", source=State.DONE, target=State.VERIFIED_EFFECTIVE,
                permission=DelegatedPermission("verify_permission", _not_the_owner),
                custom={"label": _("Verified effective"), "asks": "comment", "style": "primary",
                        "signature": (Signature.Meaning.VERIFIED,)})
    def verify_effective(self, *, by, comment=""):
        """Someone other than the owner finds, after the delay, that the action worked (signed)."""
        self._check_verification(by, comment)

    @transition(field="state", source=State.DONE, target=State.NOT_EFFECTIVE,
                permission=DelegatedPermission("verify_permission", _not_the_owner),
                custom={"label": _("Not effective"), "asks": "comment", "style": "danger",
                        "signature": (Signature.Meaning.VERIFIED,)})
    def verify_not_effective(self, *, by, comment=""):
        """Someone other than the owner finds that the action did not work (signed)."""
        self._check_verification(by, comment)

    def _check_verification(self, by, comment):
        earliest = self.verifiable_from()
        if earliest and timezone.now() < earliest:
            raise ValidationError(
                gettext("Effectiveness can be verified from %(date)s, %(days)s days after the action was done.")
                % {"date": timezone.localtime(earliest).strftime("%d/%m/%Y"), "days": self.verification_delay_days}
            )
        if not comment.strip():
            raise ValidationError({"comment": gettext("Record what the verification found.")})
        self.verified_by = by
        self.verified_at = timezone.now()
        self.verification_note = comment

    start.alters_data = finish.alters_data = verify_effective.alters_data = verify_not_effective.alters_data = True
