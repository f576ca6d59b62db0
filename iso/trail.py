"""Field changes of controlled records: old value, new value, who and when, kept for the auditor.

A service that edits a controlled record takes a :func:`snapshot` of the row it has locked, makes
its changes, saves, and calls :func:`record_changes` in the same transaction; ``transition_apply``
does the same around every transition, so a field a transition fills in (what was done, what the
verification found) is kept too. Only the fields listed in :data:`TRACKED_FIELDS` are followed:
the content of the record, not its bookkeeping (the state and who approved when are in the
transition log already).
"""

import datetime
import json
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from .models import FieldChange

#: The content fields followed, by model label. Kept here, beside the code that follows them,
#: rather than on each model, so that the whole list an auditor relies on is read in one place.
TRACKED_FIELDS: dict[str, tuple[str, ...]] = {
    "processes.procedurerevision": (
        "purpose", "scope", "references", "definitions", "content", "change_summary", "supplement_restarts_clock",
    ),
    "audits.finding": (
        "kind", "clause", "unit", "procedure", "statement", "evidence", "auditee_representative", "response",
    ),
    "audits.nonconformity": (
        "severity", "unit", "clause", "description", "owner", "due_date", "correction", "whys", "root_cause", "extent",
        "rejection_reason",
    ),
    "audits.correctiveaction": ("description", "owner", "due_date", "completion_note", "verification_note"),
    "objectives.objective": (
        "name", "target", "direction", "owner", "due_date", "unit", "indicator", "procedure", "unit_of_measure",
        "aggregation",
    ),
    "objectives.monthlyvalue": ("value", "note"),
    "qms.qmsdocument": ("last_announced_on", "announcement_reference"),
    "qms.scoperevision": ("statement", "change_summary"),
    "qms.policyrevision": ("text", "change_summary"),
    "reviews.managementreview": (
        "title", "period_start", "period_end", "meeting_at", "place", "chair", "secretary", "guests", "conclusion",
    ),
    "reviews.agendaitem": ("title", "discussion", "conclusion"),
    "reviews.decision": ("category", "text"),
    "reviews.reviewaction": ("description", "owner", "due_date", "completion_note", "verification_note"),
    "risks.risk": (
        "kind", "title", "description", "source", "source_detail", "procedure", "unit", "owner", "likelihood", "impact",
        "level", "treatment", "review_date", "closure_reason",
    ),
    "risks.riskaction": ("description", "owner", "due_date", "completion_note", "verification_note"),
    "risks.riskscale": ("size", "medium_from", "high_from", "critical_from", "likelihood_labels", "impact_labels"),
}


def _tracked(instance: models.Model) -> list[models.Field]:
    names = TRACKED_FIELDS.get(instance._meta.label_lower, ())
    return [instance._meta.get_field(name) for name in names]


def snapshot(instance: models.Model) -> dict[str, object] | None:
    """The raw values of the followed fields of ``instance`` (related objects by id): no query.

    None for a model whose fields are not followed.
    """
    fields = _tracked(instance)
    if not fields:
        return None
    return {field.name: _raw(instance, field) for field in fields}


def _raw(instance, field: models.Field):
    value = getattr(instance, field.attname)
    # A JSON list is copied: the service may change the list in place.
    return json.loads(json.dumps(value)) if isinstance(field, models.JSONField) else value


def record_changes(instance: models.Model, *, before: dict | None, by) -> list[FieldChange]:
    """Write one FieldChange per followed field of ``instance`` that differs from ``before``.

    Call in the transaction that saved ``instance``; nothing is written when nothing changed.
    """
    if before is None:
        return []
    changes = []
    for field in _tracked(instance):
        old, new = before[field.name], _raw(instance, field)
        if old == new:
            continue
        old_text, new_text = _text(field, old), _text(field, new)
        if old_text == new_text:  # None and "" alike
            continue
        changes.append(
            FieldChange(
                content_type=ContentType.objects.get_for_model(instance),
                object_id=instance.pk,
                object_repr=str(instance)[:200],
                field_name=field.name,
                old_value=old_text,
                new_value=new_text,
                actor=by,
            )
        )
    return FieldChange.objects.bulk_create(changes) if changes else []


def _text(field: models.Field, value) -> str:
    """A value as stored in the history: language-neutral text, a related object by its name."""
    if value is None:
        return ""
    if field.is_relation:
        related = field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return str(value)


def field_history(*subjects) -> QuerySet[FieldChange]:
    """The field changes of the given records, oldest first, in one query.

    Each subject is a model instance or a QuerySet of one model (read as a subquery, not loaded).
    """
    ids: dict[ContentType, list] = defaultdict(list)
    condition = Q(pk__in=[])
    for subject in subjects:
        if isinstance(subject, QuerySet):
            content_type = ContentType.objects.get_for_model(subject.model)
            condition |= Q(content_type=content_type, object_id__in=subject.values("pk"))
        elif subject is not None:
            ids[ContentType.objects.get_for_model(subject)].append(subject.pk)
    for content_type, pks in ids.items():
        condition |= Q(content_type=content_type, object_id__in=pks)
    return FieldChange.objects.filter(condition).select_related("actor").order_by("changed_at", "pk")
