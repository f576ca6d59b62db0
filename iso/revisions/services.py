"""Use cases on controlled revisions of any kind; each runs in one transaction."""

import datetime
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from iso import trail
from iso.models import User
from iso.signatures import SignatureRequest, signature_record, transition_signing
from iso.versioning import edit_lock, edit_stamp
from iso.workflows import TransitionRefused, transition_apply, transition_refusal, transition_run

from .models import ControlledRevision

State = ControlledRevision.State
#: Revisions in these states are still on their way to being effective; only one at a time.
OPEN_STATES = ControlledRevision.OPEN_STATES


@transaction.atomic
def revision_open(
    *,
    model: type[ControlledRevision],
    document: models.Model,
    by: User,
    copy_rows: Callable[[ControlledRevision, ControlledRevision], None] | None = None,
) -> ControlledRevision:
    """Open the next revision of ``document`` as a draft written by ``by``: a copy of the effective
    revision (or, failing that, the latest), its ``content_fields`` and, through ``copy_rows(source,
    draft)``, the rows that belong to it. The caller has checked that ``by`` may.

    Refused while another revision of the document is still a draft, in review or approved.
    """
    type(document)._default_manager.select_for_update().get(pk=document.pk)
    revisions = model._default_manager.filter(**{model.document_field: document})
    open_revision = revisions.filter(state__in=OPEN_STATES).first()
    if open_revision is not None:
        raise ValidationError(
            _("%(revision)s is still %(state)s; finish it before starting another revision.")
            % {"revision": open_revision, "state": open_revision.get_state_display().lower()}
        )
    source = revisions.filter(state=State.EFFECTIVE).first() or revisions.order_by("-number").first()
    number = (revisions.aggregate(last=Max("number"))["last"] or 0) + (1 if source else 0)
    draft = model(**{model.document_field: document}, number=number, author=by)
    if source is not None:
        for name in model.content_fields:
            setattr(draft, name, getattr(source, name))
    draft.save()
    if source is not None and copy_rows is not None:
        copy_rows(source, draft)
    return draft


@transaction.atomic
def revision_save_edits(*, revision: ControlledRevision, by: User, forms, edit_version: int) -> ControlledRevision:
    """Save the editor's form and formsets (already validated) if the revision is still a draft and
    nobody saved it since the editor was opened at ``edit_version``.

    Two people editing the same draft never overwrite each other silently: the row is locked, and
    the second save, made on an older version, is refused with a message saying so. Each changed
    content field is kept with its old and new value (iso/trail.py).
    """
    current = edit_lock(revision, edit_version=edit_version)
    current.ensure_editable()
    before = trail.snapshot(current)
    for form in forms:
        form.save()
    # The content form saved the revision when it is among ``forms``; the version moves on either way.
    stamped = edit_stamp(current, by=by)
    type(revision)._default_manager.filter(pk=revision.pk).update(**{name: getattr(current, name) for name in stamped})
    revision.edit_version = current.edit_version
    trail.record_changes(revision, before=before, by=by)
    return revision


def revision_submit(*, revision: ControlledRevision, by: User, comment: str = "") -> ControlledRevision:
    """Send a draft for review. Refused unless it is complete (the model's ``validate_for_review``)."""
    return transition_apply(revision, "submit", by=by, comment=comment)


def revision_return(*, revision: ControlledRevision, by: User, comment: str) -> ControlledRevision:
    """Return a revision in review to its author with a mandatory comment."""
    return transition_apply(revision, "return_to_author", by=by, comment=comment)


def revision_approve(
    *, revision: ControlledRevision, by: User, signature: SignatureRequest | None, comment: str = ""
) -> ControlledRevision:
    """Approve a revision in review, signed electronically by ``by`` (never its author).

    The password is checked first; the approval and its signature are written in one transaction.
    """
    signing = transition_signing(revision, "approve", by=by, signature=signature)
    return transition_apply(revision, "approve", by=by, comment=comment, signing=signing)


def revision_publish(
    *,
    revision: ControlledRevision,
    by: User,
    signature: SignatureRequest | None,
    effective_from: datetime.date | None = None,
    comment: str = "",
) -> ControlledRevision:
    """Make an approved revision effective, signed electronically by ``by``, and supersede the one
    it replaces, all in one transaction.

    The password is checked before the transaction (a wrong one is counted and nothing changes).
    The document row is locked first, so two publishes of the same document run one after the
    other and a document never has two effective revisions.
    """
    model = type(revision)
    signing = transition_signing(revision, "publish", by=by, signature=signature)
    with transaction.atomic():
        document_model = model._meta.get_field(model.document_field).related_model
        document_model._default_manager.select_for_update().get(pk=revision.document_id)
        revision = model._default_manager.select_for_update().get(pk=revision.pk)
        refusal = transition_refusal(revision, "publish", by)
        if refusal:
            raise TransitionRefused(refusal)
        previous = revision.siblings().filter(state=State.EFFECTIVE).first()
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


def revision_withdraw(*, revision: ControlledRevision, by: User, comment: str) -> ControlledRevision:
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
