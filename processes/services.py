"""Use cases on procedures and revisions; each runs in one transaction."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from iso import trail
from iso.models import OrgUnit, User
from iso.signatures import SignatureRequest, signature_record, transition_signing
from iso.versioning import edit_check, edit_stamp
from iso.workflows import TransitionRefused, transition_apply, transition_refusal, transition_run

from .models import (
    Acknowledgement,
    FormTemplate,
    Procedure,
    ProcedureRevision,
    RecordToKeep,
    StepEdge,
)

#: Revisions in these states are still on their way to being effective; only one at a time.
OPEN_STATES = (ProcedureRevision.State.DRAFT, ProcedureRevision.State.IN_REVIEW, ProcedureRevision.State.APPROVED)


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


@transaction.atomic
def revision_start(*, procedure: Procedure, by: User) -> ProcedureRevision:
    """Open the next revision as a draft, copying the effective one (or, failing that, the latest)."""
    if not by.has_perm("processes.add_procedurerevision"):
        raise PermissionDenied(_("Only a process owner or the ISO secretary may start a revision."))
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    open_revision = procedure.revisions.filter(state__in=OPEN_STATES).first()
    if open_revision is not None:
        raise ValidationError(
            _("%(revision)s is still %(state)s; finish it before starting another revision.")
            % {"revision": open_revision, "state": open_revision.get_state_display().lower()}
        )
    source = (
        procedure.revisions.filter(state=ProcedureRevision.State.EFFECTIVE).first()
        or procedure.revisions.order_by("-number").first()
    )
    number = (procedure.revisions.aggregate(last=Max("number"))["last"] or 0) + (1 if source else 0)
    draft = ProcedureRevision(procedure=procedure, number=number, author=by)
    if source is not None:
        _copy_content(source, draft)
    else:
        draft.save()
    return draft


def _copy_content(source: ProcedureRevision, draft: ProcedureRevision) -> None:
    for name in ("purpose", "scope", "references", "definitions", "content", "supplement_restarts_clock"):
        setattr(draft, name, getattr(source, name))
    draft.save()
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


@transaction.atomic
def revision_save_edits(*, revision: ProcedureRevision, by: User, forms, edit_version: int) -> ProcedureRevision:
    """Save the editor's form and formsets (already validated) if the revision is still a draft and
    nobody saved it since the editor was opened at ``edit_version``.

    Two people editing the same draft never overwrite each other silently: the row is locked, and
    the second save, made on an older version, is refused with a message saying so. Each changed
    content field is kept with its old and new value (iso/trail.py).
    """
    current = ProcedureRevision.objects.select_for_update().get(pk=revision.pk)
    current.ensure_editable()
    edit_check(current, edit_version=edit_version)
    before = trail.snapshot(current)
    for form in forms:
        form.save()
    # The content form saved the revision when it is among ``forms``; the version moves on either way.
    stamped = edit_stamp(current, by=by)
    ProcedureRevision.objects.filter(pk=revision.pk).update(**{name: getattr(current, name) for name in stamped})
    revision.edit_version = current.edit_version
    trail.record_changes(revision, before=before, by=by)
    return revision


def revision_submit(*, revision: ProcedureRevision, by: User, comment: str = "") -> ProcedureRevision:
    """Send a draft for review. Refused unless its step graph has one start, all reachable, ends reachable."""
    return transition_apply(revision, "submit", by=by, comment=comment)


def revision_return(*, revision: ProcedureRevision, by: User, comment: str) -> ProcedureRevision:
    """Return a revision in review to its author with a mandatory comment."""
    return transition_apply(revision, "return_to_author", by=by, comment=comment)


def revision_approve(
    *, revision: ProcedureRevision, by: User, signature: SignatureRequest | None, comment: str = ""
) -> ProcedureRevision:
    """Approve a revision in review, signed electronically by ``by`` (never its author).

    The password is checked first; the approval and its signature are written in one transaction.
    """
    signing = transition_signing(revision, "approve", by=by, signature=signature)
    return transition_apply(revision, "approve", by=by, comment=comment, signing=signing)


def revision_publish(
    *,
    revision: ProcedureRevision,
    by: User,
    signature: SignatureRequest | None,
    effective_from: datetime.date | None = None,
    comment: str = "",
) -> ProcedureRevision:
    """Make an approved revision effective, signed electronically by ``by``, and supersede the one
    it replaces, all in one transaction.

    The password is checked before the transaction (a wrong one is counted and nothing changes).
    The procedure row is locked first, so two publishes of the same procedure run one after the
    other and a procedure never has two effective revisions.
    """
    signing = transition_signing(revision, "publish", by=by, signature=signature)
    with transaction.atomic():
        Procedure.objects.select_for_update().get(pk=revision.procedure_id)
        revision = ProcedureRevision.objects.select_for_update().get(pk=revision.pk)
        refusal = transition_refusal(revision, "publish", by)
        if refusal:
            raise TransitionRefused(refusal)
        previous = ProcedureRevision.objects.filter(
            procedure_id=revision.procedure_id, state=ProcedureRevision.State.EFFECTIVE
        ).first()
        if previous is not None:
            if effective_from and previous.effective_from and effective_from < previous.effective_from:
                raise ValidationError(
                    {"effective_from": _("%(revision)s cannot take effect before %(previous)s did (%(date)s).")
                     % {"revision": revision, "previous": previous,
                        "date": previous.effective_from.strftime("%d/%m/%Y")}}
                )
            transition_apply(
                previous,
                "supersede",
                internal=True,
                by=by,
                comment=_("Superseded by %(revision)s.") % {"revision": revision},
                ended_on=effective_from,
            )
        transition_run(revision, "publish", by=by, comment=comment, signing=signing, effective_from=effective_from)
        revision.save()
        signature_record(obj=revision, signing=signing, action="publish")
    return revision


def revision_withdraw(*, revision: ProcedureRevision, by: User, comment: str) -> ProcedureRevision:
    """Withdraw an effective revision without a replacement; the reason is mandatory."""
    return transition_apply(revision, "withdraw", by=by, comment=comment)


#: The transitions a user can press in the UI, by name, with the service that applies each.
REVISION_TRANSITIONS = {
    "submit": revision_submit,
    "return_to_author": revision_return,
    "approve": revision_approve,
    "publish": revision_publish,
    "withdraw": revision_withdraw,
}


def revision_acknowledge(*, revision: ProcedureRevision, user: User) -> Acknowledgement:
    """Record that ``user`` has read an effective revision (once; pressing again changes nothing)."""
    if revision.state != ProcedureRevision.State.EFFECTIVE:
        raise ValidationError(_("Only an effective revision can be acknowledged."))
    acknowledgement, _created = Acknowledgement.objects.get_or_create(revision=revision, user=user)
    return acknowledgement

