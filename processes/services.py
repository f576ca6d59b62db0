"""Use cases on procedures and revisions; each runs in one transaction.

The lifecycle of a revision (submit, return, approve, publish, withdraw, saving the editor) is the
one every controlled document shares, in iso.revisions.services; it is imported here so that the
procedure's use cases are read in one place.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from iso.models import OrgUnit, User
from iso.revisions.services import (  # noqa: F401 (the procedure's use cases, from the shared lifecycle)
    OPEN_STATES,
    REVISION_TRANSITIONS,
    revision_approve,
    revision_open,
    revision_publish,
    revision_return,
    revision_save_edits,
    revision_submit,
    revision_withdraw,
)

from .models import (
    Acknowledgement,
    FormTemplate,
    Procedure,
    ProcedureRevision,
    RecordToKeep,
    StepEdge,
)


@transaction.atomic
def procedure_create(
    *,
    code: str,
    title: str,
    owner_unit: OrgUnit,
    category: str,
    by: User,
    author: User | None = None,
    clauses=(),
    **content,
) -> Procedure:
    """Register a procedure (the secretary, ``by``) and open its first revision, number 0, as a
    draft written by ``author`` (``by`` unless given)."""
    if not by.has_perm("processes.add_procedure"):
        raise PermissionDenied(_("Only the ISO secretary may register a procedure."))
    procedure = Procedure(code=code.strip(), title=title.strip(), owner_unit=owner_unit, category=category)
    procedure.full_clean()
    procedure.save()
    procedure.clauses.set(clauses)
    revision = ProcedureRevision(procedure=procedure, number=0, author=author or by, **content)
    revision.full_clean()
    revision.save()
    return procedure


def revision_start(*, procedure: Procedure, by: User) -> ProcedureRevision:
    """Open the next revision as a draft, copying the effective one (or, failing that, the latest)
    with its forms, steps, moves and records to keep."""
    if not by.has_perm("processes.add_procedurerevision"):
        raise PermissionDenied(_("Only a process owner or the ISO secretary may start a revision."))
    return revision_open(model=ProcedureRevision, document=procedure, by=by, copy_rows=_copy_rows)


def _copy_rows(source: ProcedureRevision, draft: ProcedureRevision) -> None:
    forms = {}
    for form in source.forms.all():
        forms[form.pk] = FormTemplate.objects.create(
            revision=draft, code=form.code, title=form.title, template_file=form.template_file,
            original_filename=form.original_filename,
        )
    RecordToKeep.objects.bulk_create(
        RecordToKeep(revision=draft, position=r.position, name=r.name, keeper=r.keeper, retention_years=r.retention_years)
        for r in source.records_to_keep.all()
    )
    steps = {}
    for step in source.steps.prefetch_related("forms"):
        old_forms = [forms[f.pk] for f in step.forms.all()]
        old_pk = step.pk
        step.pk = None
        step.revision = draft
        step.save()
        step.forms.set(old_forms)
        steps[old_pk] = step
    StepEdge.objects.bulk_create(
        StepEdge(revision=draft, source=steps[e.source_id], target=steps[e.target_id], action=e.action)
        for e in source.edges.all()
    )


def revision_acknowledge(*, revision: ProcedureRevision, user: User) -> Acknowledgement:
    """Record that ``user`` has read an effective revision (once; pressing again changes nothing)."""
    if revision.state != ProcedureRevision.State.EFFECTIVE:
        raise ValidationError(_("Only an effective revision can be acknowledged."))
    acknowledgement, _created = Acknowledgement.objects.get_or_create(revision=revision, user=user)
    return acknowledgement

