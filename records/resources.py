"""Import and export through django-import-export resources, keyed by natural keys only.

Every resource identifies rows and related objects by what people write (unit code, username,
clause number, procedure code, references), never by database ids. Exports neutralise formula
-looking cells (see `SafeModelResource`); imports are checked whole and written in one
transaction, or not at all (see `import_all_or_nothing`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import tablib
from django.contrib.auth.models import Group
from django.core.exceptions import NON_FIELD_ERRORS, FieldError, ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from audits.models import Audit, AuditProgramme, CorrectiveAction, Finding, Nonconformity
from cases.models import Case
from iso.imports import RowError
from iso.models import CalendarDay, Clause, OrgUnit, User
from processes.models import Procedure, ProcedureRevision, RecordToKeep, Step

#: A cell starting with one of these is read as a formula (or DDE) by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000


def neutralise(value):
    """``"=1+1"`` → ``"'=1+1"``; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore(value):
    """Undo `neutralise`: drop the apostrophe we put in front of a formula-looking text."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


# Widgets ------------------------------------------------------------------------------------


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key by natural key; an unknown key is a ValueError (reported by column)."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, str):
            value = value.strip()
        try:
            return super().clean(value, row=row, **kwargs)
        except ObjectDoesNotExist:
            raise ValueError(
                _("no %(model)s with %(field)s “%(value)s”")
                % {"model": force_str(self.model._meta.verbose_name), "field": self.field, "value": value}
            ) from None
        except self.model.MultipleObjectsReturned:
            raise ValueError(
                _("“%(value)s” matches more than one %(model)s")
                % {"value": value, "model": force_str(self.model._meta.verbose_name)}
            ) from None


class NaturalKeysWidget(widgets.ManyToManyWidget):
    """Many-to-many by natural keys separated by commas; an unknown key is a ValueError."""

    def clean(self, value, row=None, **kwargs):
        if not value:
            return self.model.objects.none()
        keys = [k.strip() for k in str(value).split(self.separator) if k.strip()]
        found = self.model.objects.filter(**{f"{self.field}__in": keys})
        missing = sorted(set(keys) - {str(getattr(o, self.field)) for o in found})
        if missing:
            raise ValueError(
                _("no %(model)s with %(field)s %(values)s")
                % {"model": force_str(self.model._meta.verbose_name), "field": self.field, "values": ", ".join(missing)}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        # value.all() reads the prefetched objects when the export queryset prefetched them.
        return self.separator.join(str(getattr(o, self.field)) for o in value.all())


class RevisionWidget(NaturalKeyWidget):
    """A procedure revision, by its number, within the procedure named in the ``procedure`` column."""

    def __init__(self, procedure_column="procedure"):
        self.procedure_column = procedure_column
        super().__init__(ProcedureRevision, field="number")

    def get_queryset(self, value, row, *args, **kwargs):
        return ProcedureRevision.objects.filter(procedure__code=str((row or {}).get(self.procedure_column) or "").strip())


def fk(model, field, column=None, attribute=None, **kwargs):
    return fields.Field(attribute=attribute, column_name=column, widget=NaturalKeyWidget(model, field=field), **kwargs)


def m2m(model, field, column=None, attribute=None):
    return fields.Field(attribute=attribute, column_name=column, widget=NaturalKeysWidget(model, field=field))


# Base resource -------------------------------------------------------------------------------


class SafeModelResource(resources.ModelResource):
    """Base of every resource here.

    Formula neutralising: on export, any string cell that begins with ``=``, ``+``, ``-``, ``@``, a
    tab or a carriage return gets a leading apostrophe (``'=HYPERLINK(...)``), so a spreadsheet shows
    it as text instead of running it. On import, that apostrophe is removed again, so the value
    round-trips unchanged.

    Protected FSM state fields are export-only: they are never set by an import.
    Model validation (``full_clean``) runs for each row; fields the model marks as not editable or
    protected are left out of it.
    """

    #: False for resources that only export (the import command refuses them).
    importable = True
    #: select_related / prefetch_related for exports, so a row costs no query.
    select_related: tuple = ()
    prefetch_related: tuple = ()

    class Meta:
        abstract = True
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        model = self._meta.model
        protected = set(model()._get_protected_fsm_fields()) if hasattr(model, "_get_protected_fsm_fields") else set()
        for field in self.fields.values():
            if field.attribute in protected:
                field.readonly = True

    # Export
    def get_queryset(self):
        return self.optimise(super().get_queryset())

    def filter_export(self, queryset, **kwargs):
        # The admin hands over its changelist queryset: join the related rows there too.
        return self.optimise(super().filter_export(queryset, **kwargs))

    def optimise(self, qs):
        # A model without an ordering (users) would come out in whatever order the database reads it.
        if not qs.ordered:
            qs = qs.order_by("pk")
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    def get_chunk_size(self):
        return CHUNK_SIZE

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))

    def iter_rows(self, queryset=None):
        """Export rows one by one from ``queryset.iterator()``, without building a Dataset.

        When every column is a database value (a field, or a related object's natural key) the rows
        come from ``values_list``: no model instance is built, which is what a million-row export
        spends most of its time on. Columns that need the instance (many-to-many, custom widgets,
        dehydrate methods) keep the ordinary path.
        """
        queryset = self.get_queryset() if queryset is None else self.optimise(queryset)
        fields_ = self.get_export_fields()
        paths = self._value_paths(fields_)
        if paths is not None:
            try:
                values = queryset.values_list(*paths)
            except FieldError:
                values = None
            if values is not None:
                renderers = [self._raw_renderer(field) for field in fields_]
                for row in values.iterator(chunk_size=CHUNK_SIZE):
                    yield [neutralise(render(value)) for render, value in zip(renderers, row, strict=True)]
                return
        for instance in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield [self.export_field(f, instance) for f in fields_]

    def _value_paths(self, fields_) -> list[str] | None:
        """The database path of each column, or None when a column needs the model instance."""
        paths = []
        for field in fields_:
            dehydrate = field.get_dehydrate_method(self.get_field_name(field))
            if not field.attribute or callable(dehydrate) or hasattr(self, dehydrate):
                return None
            widget = field.widget
            if isinstance(widget, widgets.ForeignKeyWidget) and type(widget).render is widgets.ForeignKeyWidget.render:
                paths.append(f"{field.attribute}__{widget.field}")
            elif type(widget).__module__ == widgets.__name__ and not isinstance(
                widget, widgets.ForeignKeyWidget | widgets.ManyToManyWidget
            ):
                paths.append(field.attribute)
            else:
                return None
        return paths

    @staticmethod
    def _raw_renderer(field):
        if isinstance(field.widget, widgets.ForeignKeyWidget):
            return lambda key: "" if key is None else key
        return field.widget.render

    # Import
    def before_import_row(self, row, **kwargs):
        for key, value in list(row.items()):
            row[key] = restore(value)

    def get_instance(self, instance_loader, row):
        # An unknown natural key in an id column means "a new row"; import_instance then reports
        # the bad value against its column instead of failing the row without a column.
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        # Check the many-to-many cells now (they are saved only after the instance).
        for field in self.get_import_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row and not field.readonly:
                try:
                    field.clean(row)
                except ValueError as e:
                    errors[field.attribute] = [force_str(e)]
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        model = self._meta.model
        exclude = set(errors)
        exclude |= {f.name for f in model._meta.concrete_fields if not f.editable}
        if hasattr(instance, "_get_protected_fsm_fields"):
            exclude |= set(instance._get_protected_fsm_fields())
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def column_for(self, attribute: str) -> str:
        for name, field in self.fields.items():
            if field.attribute == attribute or name == attribute:
                return field.column_name
        return attribute


# Resources -----------------------------------------------------------------------------------


class OrgUnitResource(SafeModelResource):
    parent = fk(OrgUnit, "code", "parent", "parent")

    select_related = ("parent",)

    class Meta:
        model = OrgUnit
        fields = ("code", "name", "kind", "parent", "is_active")
        import_id_fields = ("code",)


class UserResource(SafeModelResource):
    """Users by username. The password is never exported nor imported: a new user gets an unusable
    password and signs in after a reset."""

    unit = fk(OrgUnit, "code", "unit", "unit")
    groups = m2m(Group, "name", "groups", "groups")

    select_related = ("unit",)
    prefetch_related = ("groups",)

    class Meta:
        model = User
        fields = ("username", "full_name", "first_name", "last_name", "email", "job_title", "unit", "groups", "is_active")
        import_id_fields = ("username",)

    def import_instance(self, instance, row, **kwargs):
        super_error = None
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            super_error = e
        if not instance.password:
            instance.set_unusable_password()
        if super_error:
            raise super_error


class ClauseResource(SafeModelResource):
    parent = fk(Clause, "number", "parent", "parent")

    select_related = ("parent",)

    class Meta:
        model = Clause
        fields = ("number", "title_en", "title_vi", "parent")
        import_id_fields = ("number",)


class CalendarDayResource(SafeModelResource):
    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")
        import_id_fields = ("date",)


class ProcedureResource(SafeModelResource):
    owner_unit = fk(OrgUnit, "code", "owner_unit", "owner_unit")
    clauses = m2m(Clause, "number", "clauses", "clauses")

    select_related = ("owner_unit",)
    prefetch_related = ("clauses",)

    class Meta:
        model = Procedure
        fields = ("code", "title", "owner_unit", "category", "clauses")
        import_id_fields = ("code",)


class _RevisionKeyed(SafeModelResource):
    """Rows of a revision: keyed by procedure code + revision number (+ their own key)."""

    procedure = fields.Field(attribute="revision__procedure__code", column_name="procedure", readonly=True)
    revision = fields.Field(attribute="revision", column_name="revision", widget=RevisionWidget())

    class Meta:
        abstract = True


class StepResource(_RevisionKeyed):
    responsible_unit = fk(OrgUnit, "code", "responsible_unit", "responsible_unit")

    select_related = ("revision__procedure", "responsible_unit")

    class Meta:
        model = Step
        fields = (
            "procedure", "revision", "code", "position", "name", "kind", "responsible_unit", "responsible_role",
            "time_limit", "time_unit", "description",
        )
        import_id_fields = ("revision", "code")


class RecordToKeepResource(_RevisionKeyed):
    """The records a revision keeps (section 7), standing in for record types."""

    select_related = ("revision__procedure",)

    class Meta:
        model = RecordToKeep
        fields = ("procedure", "revision", "name", "position", "keeper", "retention_years")
        import_id_fields = ("revision", "name")


class CaseResource(SafeModelResource):
    """Cases, export only: cases are imported with ``manage.py import_cases``, and their protected
    state is never an import field."""

    importable = False

    procedure = fk(Procedure, "code", "procedure", "procedure")
    revision = fields.Field(attribute="revision__number", column_name="revision", readonly=True)
    unit = fk(OrgUnit, "code", "unit", "unit")
    received_by = fk(User, "username", "received_by", "received_by")
    assignee = fk(User, "username", "assignee", "assignee")
    current_step = fields.Field(attribute="current_step__code", column_name="current_step", readonly=True)
    state = fields.Field(attribute="state", column_name="state", readonly=True)

    select_related = ("procedure", "revision", "unit", "received_by", "assignee", "current_step")

    class Meta:
        model = Case
        fields = (
            "reference", "procedure", "revision", "unit", "state", "applicant_name", "applicant_kind",
            "applicant_contact", "channel", "received_by", "received_at", "due_at", "current_step", "assignee",
            "resolved_at", "timing", "paused_hours", "outcome_note",
        )
        import_id_fields = ("reference",)

    def import_data(self, *args, **kwargs):
        raise NotImplementedError("Cases are imported with manage.py import_cases.")


class AuditProgrammeResource(SafeModelResource):
    excluded_clauses = m2m(Clause, "number", "excluded_clauses", "excluded_clauses")
    created_by = fk(User, "username", "created_by", "created_by")
    approved_by = fk(User, "username", "approved_by", "approved_by", readonly=True)
    approved_at = fields.Field(attribute="approved_at", column_name="approved_at", readonly=True, widget=widgets.DateTimeWidget())
    state = fields.Field(attribute="state", column_name="state", readonly=True)

    select_related = ("created_by", "approved_by")
    prefetch_related = ("excluded_clauses",)

    class Meta:
        model = AuditProgramme
        fields = ("year", "title", "objectives", "state", "excluded_clauses", "created_by", "approved_by", "approved_at")
        import_id_fields = ("year",)


class AuditResource(SafeModelResource):
    programme = fk(AuditProgramme, "year", "programme", "programme")
    units = m2m(OrgUnit, "code", "units", "units")
    procedures = m2m(Procedure, "code", "procedures", "procedures")
    clauses = m2m(Clause, "number", "clauses", "clauses")
    lead_auditor = fk(User, "username", "lead_auditor", "lead_auditor")
    team = m2m(User, "username", "team", "team")
    state = fields.Field(attribute="state", column_name="state", readonly=True)
    reported_at = fields.Field(attribute="reported_at", column_name="reported_at", readonly=True, widget=widgets.DateTimeWidget())

    select_related = ("programme", "lead_auditor")
    prefetch_related = ("units", "procedures", "clauses", "team")

    class Meta:
        model = Audit
        fields = (
            "reference", "programme", "title", "units", "procedures", "clauses", "criteria", "planned_start",
            "planned_end", "lead_auditor", "team", "state", "summary", "reported_at",
        )
        import_id_fields = ("reference",)


class FindingResource(SafeModelResource):
    audit = fk(Audit, "reference", "audit", "audit")
    clause = fk(Clause, "number", "clause", "clause")
    unit = fk(OrgUnit, "code", "unit", "unit")
    procedure = fk(Procedure, "code", "procedure", "procedure")
    recorded_by = fk(User, "username", "recorded_by", "recorded_by")

    select_related = ("audit", "clause", "unit", "procedure", "recorded_by")

    class Meta:
        model = Finding
        fields = (
            "audit", "number", "kind", "clause", "unit", "procedure", "statement", "evidence",
            "auditee_representative", "response", "recorded_by", "recorded_at",
        )
        import_id_fields = ("audit", "number")


class FindingKeyWidget(NaturalKeyWidget):
    """A finding written as ``AUDIT-REFERENCE#number``."""

    def __init__(self):
        super().__init__(Finding, field="number")

    def clean(self, value, row=None, **kwargs):
        if not value:
            return None
        reference, _, number = str(value).strip().rpartition("#")
        try:
            return Finding.objects.get(audit__reference=reference, number=int(number))
        except (ValueError, Finding.DoesNotExist):
            raise ValueError(_("no finding “%(value)s” (write it as audit reference#number)") % {"value": value}) from None

    def render(self, value, obj=None, **kwargs):
        return f"{value.audit.reference}#{value.number}" if value else ""


class NonconformityResource(SafeModelResource):
    unit = fk(OrgUnit, "code", "unit", "unit")
    clause = fk(Clause, "number", "clause", "clause")
    detected_by = fk(User, "username", "detected_by", "detected_by")
    finding = fields.Field(attribute="finding", column_name="finding", widget=FindingKeyWidget())
    case = fk(Case, "reference", "case", "case")
    owner = fk(User, "username", "owner", "owner")
    state = fields.Field(attribute="state", column_name="state", readonly=True)

    select_related = ("unit", "clause", "detected_by", "finding__audit", "case", "owner")

    class Meta:
        model = Nonconformity
        fields = (
            "reference", "year", "number", "source", "severity", "unit", "clause", "description", "detected_by",
            "detected_on", "finding", "case", "owner", "due_date", "state", "correction", "root_cause", "extent",
        )
        import_id_fields = ("reference",)


class CorrectiveActionResource(SafeModelResource):
    nonconformity = fk(Nonconformity, "reference", "nonconformity", "nonconformity")
    owner = fk(User, "username", "owner", "owner")
    verified_by = fk(User, "username", "verified_by", "verified_by", readonly=True)
    completed_at = fields.Field(attribute="completed_at", column_name="completed_at", readonly=True, widget=widgets.DateTimeWidget())
    verified_at = fields.Field(attribute="verified_at", column_name="verified_at", readonly=True, widget=widgets.DateTimeWidget())
    state = fields.Field(attribute="state", column_name="state", readonly=True)

    select_related = ("nonconformity", "owner", "verified_by")

    class Meta:
        model = CorrectiveAction
        fields = (
            "nonconformity", "number", "description", "owner", "due_date", "state", "completion_note",
            "completed_at", "verified_by", "verified_at", "verification_note",
        )
        import_id_fields = ("nonconformity", "number")


RESOURCES: dict[str, type[SafeModelResource]] = {
    "orgunit": OrgUnitResource,
    "user": UserResource,
    "clause": ClauseResource,
    "calendarday": CalendarDayResource,
    "procedure": ProcedureResource,
    "step": StepResource,
    "recordtokeep": RecordToKeepResource,
    "case": CaseResource,
    "auditprogramme": AuditProgrammeResource,
    "audit": AuditResource,
    "finding": FindingResource,
    "nonconformity": NonconformityResource,
    "correctiveaction": CorrectiveActionResource,
}


class FormCodeWidget(NaturalKeyWidget):
    """A form by its code, in the newest revision of the procedure named in the ``procedure`` column."""

    def __init__(self):
        from processes.models import FormTemplate

        super().__init__(FormTemplate, field="code")

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        procedure = str((row or {}).get("procedure") or "").strip()
        form = (
            self.model.objects.filter(code=value, revision__procedure__code=procedure)
            .order_by("-revision__number").first()
        )
        if form is None:
            raise ValueError(_("no form “%(value)s” in procedure “%(procedure)s”") % {"value": value, "procedure": procedure})
        return form


def _register_record_type():
    """records.RecordType (when that model exists): keyed by its code; procedure by code, form by
    code within that procedure."""
    from django.apps import apps

    try:
        model = apps.get_model("records", "RecordType")
    except LookupError:
        return
    names = {f.name for f in model._meta.concrete_fields}
    wanted = ("code", "name", "procedure", "form", "keeper", "location", "retention_years", "disposal_method")
    attrs = {"__module__": __name__, "__doc__": "Record types by code."}
    related = []
    if "procedure" in names:
        attrs["procedure"] = fk(Procedure, "code", "procedure", "procedure")
        related.append("procedure")
    if "form" in names:
        attrs["form"] = fields.Field(attribute="form", column_name="form", widget=FormCodeWidget())
        related.append("form")
    attrs["select_related"] = tuple(related)
    attrs["Meta"] = type(
        "Meta", (), {"model": model, "fields": tuple(f for f in wanted if f in names), "import_id_fields": ("code",)}
    )
    RESOURCES["recordtype"] = type("RecordTypeResource", (SafeModelResource,), attrs)


_register_record_type()


def resource_for(name: str) -> SafeModelResource:
    try:
        return RESOURCES[name.lower().replace("_", "")]()
    except KeyError:
        raise LookupError(f"unknown model “{name}”; choose one of {', '.join(RESOURCES)}") from None


# Import --------------------------------------------------------------------------------------


class ImportFailed(Exception):
    """Nothing was imported; ``errors`` names every bad row and column."""

    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def result_errors(resource: SafeModelResource, result) -> list[RowError]:
    """Every error of an import result; row numbers as a spreadsheet shows them (header = row 1)."""
    errors = []
    for error in result.base_errors:
        errors.append(RowError(1, None, force_str(error.error)))
    for number, row_errors in result.row_errors():
        for error in row_errors:
            errors.append(RowError(number + 1, None, force_str(error.error)))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = None if attribute == NON_FIELD_ERRORS else resource.column_for(attribute)
            for message in messages:
                errors.append(RowError(invalid.number + 1, column, force_str(message)))
    return sorted(errors, key=lambda e: (e.row, e.column or ""))


def import_all_or_nothing(resource: SafeModelResource, dataset: tablib.Dataset):
    """Check the whole dataset in a dry run; import it for real, in one transaction, only if no row
    has an error. Raises `ImportFailed` with every error otherwise. Returns the import result."""
    if not resource.importable:
        raise ImportFailed([RowError(1, None, _("%(model)s cannot be imported here") % {"model": resource._meta.model._meta.verbose_name})])
    missing = [name for name in resource.get_import_id_fields() if resource.fields[name].column_name not in (dataset.headers or [])]
    if missing:
        raise ImportFailed([RowError(1, resource.fields[m].column_name, _("this key column is missing")) for m in missing])
    options = dict(raise_errors=False, rollback_on_validation_errors=True, use_transactions=True)
    check = resource.import_data(dataset, dry_run=True, **options)
    if check.has_errors() or check.has_validation_errors():
        raise ImportFailed(result_errors(resource, check))
    with transaction.atomic():
        result = type(resource)().import_data(dataset, dry_run=False, **options)
        if result.has_errors() or result.has_validation_errors():
            transaction.set_rollback(True)
            raise ImportFailed(result_errors(resource, result))
    return result


def read_dataset(content: bytes, fmt: str) -> tablib.Dataset:
    fmt = fmt.lower().lstrip(".")
    if fmt == "csv":
        return tablib.Dataset().load(content.decode("utf-8-sig"), format="csv")
    if fmt == "xlsx":
        return tablib.Dataset().load(content, format="xlsx")
    if fmt == "json":
        return tablib.Dataset().load(content.decode("utf-8"), format="json")
    raise ValueError(f"only csv, xlsx and json files can be imported, not “{fmt}”")


# Streaming export ----------------------------------------------------------------------------


#: ``progress(rows_written)``, called every CHUNK_SIZE rows and once at the end.
RowProgress = Callable[[int], None]


def _counted(rows, progress: RowProgress | None):
    count = 0
    for count, row in enumerate(rows, start=1):
        yield row
        if progress and count % CHUNK_SIZE == 0:
            progress(count)
    if progress:
        progress(count)


def export_csv(resource: SafeModelResource, out: io.TextIOBase, queryset=None, progress: RowProgress | None = None) -> int:
    """Write the CSV row by row; returns the number of rows."""
    writer = csv.writer(out)
    writer.writerow(resource.get_export_headers())
    count = 0
    for row in _counted(resource.iter_rows(queryset), progress):
        writer.writerow(["" if v is None else v for v in row])
        count += 1
    return count


def _copy_column(field, column: str, params: list) -> str | None:
    """The SQL that renders ``column`` as ``field``'s widget renders its value in `export_csv`,
    neutralised and empty for NULL; None when the widget has no SQL equivalent here."""
    from django.conf import settings
    from django.utils import timezone
    from django.utils.formats import get_format

    widget = field.widget
    if isinstance(widget, widgets.DateTimeWidget):
        if widget.formats[0] != "%Y-%m-%d %H:%M:%S":
            return None
        params.append(timezone.get_current_timezone_name())
        text = f"to_char({column} AT TIME ZONE %s, 'YYYY-MM-DD HH24:MI:SS')"
    elif isinstance(widget, widgets.DateWidget):
        if widget.formats[0] != "%Y-%m-%d":
            return None
        text = f"to_char({column}, 'YYYY-MM-DD')"
    elif isinstance(widget, widgets.DecimalWidget | widgets.IntegerWidget):
        if getattr(settings, "USE_THOUSAND_SEPARATOR", False):
            return None
        # number_format: the active language's decimal separator, the digits as stored.
        params.append(get_format("DECIMAL_SEPARATOR"))
        text = f"replace({column}::text, '.', %s)"
    elif isinstance(widget, widgets.ForeignKeyWidget) or type(widget) in (widgets.Widget, widgets.CharWidget):
        text = f"{column}::text"
    else:
        return None
    return text


def _copy_neutralised(column: str) -> str:
    """`neutralise` in SQL; NULLIF because COPY writes an empty text as "" and NULL as nothing,
    where the streamed CSV writes nothing for both."""
    prefixes = ", ".join(f"chr({ord(c)})" for c in FORMULA_PREFIXES)
    return f"NULLIF(CASE WHEN left({column}, 1) IN ({prefixes}) THEN chr(39) || {column} ELSE {column} END, '')"


def export_csv_copy(resource: SafeModelResource, out, queryset=None, progress: RowProgress | None = None) -> int:
    """Write the CSV with PostgreSQL's ``COPY (SELECT …) TO STDOUT`` into the binary stream ``out``.

    The same rows (``queryset``, with its access rules, filters and order), columns and cells as
    `export_csv`: natural keys, local times, the language's decimal separator, formula-looking
    cells neutralised, all in SQL; only the lines end in LF instead of CRLF. The database formats
    the rows, so the export runs at the order of the disk's speed. Raises ValueError for a
    resource with a column that needs Python (many-to-many, dehydrate methods) or off PostgreSQL.
    """
    from django.db import connections

    queryset = resource.get_queryset() if queryset is None else resource.optimise(queryset)
    fields_ = resource.get_export_fields()
    paths = resource._value_paths(fields_)
    if paths is None or connections[queryset.db].vendor != "postgresql":
        raise ValueError("This export needs the streamed path (export_csv).")
    aliases = {f"c{index}": models.F(path) for index, path in enumerate(paths)}
    inner, inner_params = queryset.values(**aliases).query.sql_with_params()
    params: list = []
    rendered, columns = [], []
    for index, (field, header) in enumerate(zip(fields_, resource.get_export_headers(), strict=True)):
        expression = _copy_column(field, f"t.c{index}", params)
        if expression is None:
            raise ValueError(f"Column {header} needs the streamed path (export_csv).")
        rendered.append(f"{expression} AS c{index}")
        columns.append(f'{_copy_neutralised(f"r.c{index}")} AS "{header.replace(chr(34), chr(34) * 2)}"')
    sql = (f"COPY (SELECT {', '.join(columns)} FROM (SELECT {', '.join(rendered)} FROM ({inner}) t) r) "
           "TO STDOUT WITH (FORMAT csv, HEADER)")
    with connections[queryset.db].cursor() as cursor:
        with cursor.cursor.copy(sql, [*params, *inner_params]) as copy:
            for chunk in copy:
                out.write(chunk)
        count = cursor.cursor.rowcount
    # Reported once at the end: the connection serves the COPY until it is over (a million rows
    # take seconds), and a progress write on it meanwhile would wait for ever.
    if progress:
        progress(count)
    return count


def export_json(resource: SafeModelResource, out: io.TextIOBase, queryset=None) -> int:
    headers = resource.get_export_headers()
    out.write("[")
    count = 0
    for row in resource.iter_rows(queryset):
        out.write(("," if count else "") + "\n" + json.dumps(dict(zip(headers, row)), ensure_ascii=False, default=str))
        count += 1
    out.write("\n]\n")
    return count


def export_xlsx(resource: SafeModelResource, out, queryset=None, progress: RowProgress | None = None) -> int:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(force_str(resource._meta.model._meta.verbose_name_plural)[:31])
    sheet.append(resource.get_export_headers())
    count = 0
    for row in _counted(resource.iter_rows(queryset), progress):
        sheet.append(["" if v is None else v for v in row])
        count += 1
    book.save(out)
    return count
