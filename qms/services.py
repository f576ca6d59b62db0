"""Use cases on the scope, the quality policy and its acknowledgement; each runs in one transaction.

Submitting, returning, approving, publishing (which supersedes the revision in force) and
withdrawing are the lifecycle every controlled document shares, in iso.revisions.services.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from iso import trail
from iso.models import User
from iso.revisions.services import revision_open

from .models import PolicyAcknowledgement, PolicyRevision, QmsDocument, QmsRevision, ScopeRevision

State = QmsRevision.State


@transaction.atomic
def qms_document_create(*, kind: str, code: str, title: str, by: User) -> QmsDocument:
    """Register the scope or the policy document (the ISO secretary, ``by``) and open its revision 0
    as a draft written by ``by``."""
    if not by.has_perm("qms.add_qmsdocument"):
        raise PermissionDenied(_("Only the ISO secretary may register a document of the management system."))
    document = QmsDocument(kind=kind, code=code.strip(), title=title.strip())
    document.full_clean()
    document.save()
    document.revision_model.objects.create(document=document, number=0, author=by)
    return document


def qms_revision_start(*, document: QmsDocument, by: User) -> QmsRevision:
    """Open the next revision of the scope or the policy as a draft, copying the effective one (or,
    failing that, the latest) with all its rows."""
    model = document.revision_model
    if not by.has_perm(f"qms.add_{model._meta.model_name}"):
        raise PermissionDenied(_("Only the ISO secretary may start a revision of %(document)s.") % {"document": document})
    copy_rows = _copy_scope_rows if model is ScopeRevision else _copy_policy_rows
    return revision_open(model=model, document=document, by=by, copy_rows=copy_rows)


def _copy(rows: QuerySet, draft: QmsRevision, *fields: str) -> None:
    rows.model.objects.bulk_create(
        rows.model(revision=draft, **{name: getattr(row, name) for name in ("position", *fields)}) for row in rows
    )


def _copy_scope_rows(source: ScopeRevision, draft: ScopeRevision) -> None:
    draft.units.set(source.units.all())
    draft.procedures.set(source.procedures.all())
    _copy(source.excluded_clauses.all(), draft, "clause_id", "justification")
    _copy(source.issues.all(), draft, "kind", "description", "effect")
    _copy(source.parties.all(), draft, "party", "requirements", "monitoring")


def _copy_policy_rows(source: PolicyRevision, draft: PolicyRevision) -> None:
    _copy(source.commitments.all(), draft, "text")


@transaction.atomic
def scope_announcement_record(
    *, document: QmsDocument, announced_on: datetime.date, reference: str, by: User
) -> QmsDocument:
    """Record the latest announcement of conformity of the QMS (công bố HTQLCL phù hợp TCVN ISO
    9001:2015): its date and the decision that made it. The scope in force is what was announced;
    a scope published after this date must be announced again."""
    if not by.has_perm("qms.change_qmsdocument"):
        raise PermissionDenied(_("Only the ISO secretary may record an announcement of conformity."))
    document = QmsDocument.objects.select_for_update().get(pk=document.pk)
    if document.kind != QmsDocument.Kind.SCOPE:
        raise ValidationError(_("Conformity is announced for the scope of the management system."))
    if not document.scope_revisions.filter(state=State.EFFECTIVE).exists():
        raise ValidationError(_("Publish the scope before recording an announcement of conformity."))
    if announced_on > timezone.localdate():
        raise ValidationError({"last_announced_on": _("An announcement cannot be dated in the future.")})
    if document.last_announced_on and announced_on < document.last_announced_on:
        raise ValidationError({"last_announced_on": _(
            "The last announcement recorded is of %(date)s; a new one cannot be older."
        ) % {"date": document.last_announced_on.strftime("%d/%m/%Y")}})
    before = trail.snapshot(document)
    document.last_announced_on = announced_on
    document.announcement_reference = reference.strip()
    document.full_clean()
    document.save(update_fields=["last_announced_on", "announcement_reference"])
    trail.record_changes(document, before=before, by=by)
    return document


def policy_acknowledge(*, revision: PolicyRevision, user: User) -> PolicyAcknowledgement:
    """Record that ``user`` has read the quality policy in force (once per revision; pressing again
    changes nothing). A new revision in force asks everyone again."""
    if not (user.is_authenticated and user.is_active):
        raise PermissionDenied(_("Only an active account can acknowledge the quality policy."))
    if revision.state != State.EFFECTIVE:
        raise ValidationError(_("Only the quality policy in force can be acknowledged."))
    acknowledgement, _created = PolicyAcknowledgement.objects.get_or_create(revision=revision, user=user)
    return acknowledgement

