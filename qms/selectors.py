"""Read queries on the scope, the policy and its acknowledgement, within the user's reach.

The management review and the annual report read the scope through :func:`scope_effective`,
:func:`scope_units`, :func:`scope_procedures` and :func:`context_changes`.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from iso import access
from iso.models import OrgUnit, User
from processes.models import Procedure

from .models import (
    REVISION_MODELS,
    ContextIssue,
    ExcludedClause,
    InterestedParty,
    PolicyAcknowledgement,
    PolicyRevision,
    QmsDocument,
    QmsRevision,
    ScopeRevision,
)

State = QmsRevision.State

#: What a page of each kind of revision shows with it, read in one query per relation.
_CONTENT = {
    QmsDocument.Kind.SCOPE: (
        Prefetch("units", queryset=OrgUnit.objects.order_by("code")),
        Prefetch("procedures", queryset=Procedure.objects.order_by("code")),
        Prefetch("excluded_clauses", queryset=ExcludedClause.objects.select_related("clause")),
        "issues",
        "parties",
    ),
    QmsDocument.Kind.POLICY: ("commitments",),
}


def document_get(*, kind: str) -> QmsDocument | None:
    """The organisation's document of ``kind`` (every signed-in user may read it), or None."""
    return QmsDocument.objects.filter(kind=kind).first()


@dataclass
class DocumentSummary:
    """One kind of QMS document as the overview shows it: the document (None until it is
    registered), its revision in force and its revision in the making, if any."""

    kind: str
    label: str
    document: QmsDocument | None = None
    effective: QmsRevision | None = None
    open: QmsRevision | None = None


def document_summaries(*, user: User) -> list[DocumentSummary]:
    """Each kind of QMS document with its revision in force and the revision in the making that
    ``user`` may see."""
    documents = {document.kind: document for document in QmsDocument.objects.all()}
    summaries = []
    for kind, label in QmsDocument.Kind.choices:
        summary = DocumentSummary(kind=kind, label=label, document=documents.get(kind))
        if summary.document is not None:
            current = access.qms_revisions(user, REVISION_MODELS[kind]).filter(
                document=summary.document, state__in=(State.EFFECTIVE, *QmsRevision.OPEN_STATES)
            ).select_related("document")
            for revision in current:
                if revision.state == State.EFFECTIVE:
                    summary.effective = revision
                else:
                    summary.open = revision
        summaries.append(summary)
    return summaries


def revision_list(*, user: User, document: QmsDocument) -> QuerySet[QmsRevision]:
    """The revisions of ``document`` that ``user`` may read, newest first."""
    return (
        access.qms_revisions(user, document.revision_model)
        .filter(document=document)
        .select_related("document", "author", "approved_by", "published_by")
        .order_by("-number")
    )


def revision_get(*, user: User, kind: str, number: int, to_change: bool = False) -> QmsRevision:
    """Revision ``number`` of the document of ``kind`` with its content, if ``user`` may read it
    (else DoesNotExist); with ``to_change``, PermissionDenied unless ``user`` may also change it."""
    model = REVISION_MODELS[kind]
    revision = (
        access.qms_revisions(user, model)
        .select_related("document", "author", "approved_by", "published_by")
        .prefetch_related(*_CONTENT[kind])
        .get(document__kind=kind, number=number)
    )
    if to_change and not access.qms_revisions_changeable(user, model).filter(pk=revision.pk).exists():
        raise PermissionDenied(_("You may not change %(revision)s.") % {"revision": revision})
    return revision


def revision_effective(*, user: User, kind: str, on: datetime.date | None = None) -> QmsRevision | None:
    """The revision of the document of ``kind`` in force on ``on`` (today when not given), with its
    content; None when none was in force then. A revision superseded on a date is no longer in
    force on that date: its successor is."""
    on = on or timezone.localdate()
    return (
        access.qms_revisions(user, REVISION_MODELS[kind])
        .filter(state__in=QmsRevision.PUBLISHED_STATES, effective_from__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=on))
        .select_related("document", "author", "approved_by", "published_by")
        .prefetch_related(*_CONTENT[kind])
        .order_by("-effective_from", "-number")
        .first()
    )


def scope_effective(*, user: User, on: datetime.date | None = None) -> ScopeRevision | None:
    """The scope revision in force on ``on`` (today when not given), with its units, procedures,
    requirements not applicable, issues and interested parties; None when no scope was in force."""
    return revision_effective(user=user, kind=QmsDocument.Kind.SCOPE, on=on)


def policy_effective(*, user: User, on: datetime.date | None = None) -> PolicyRevision | None:
    """The quality policy revision in force on ``on`` (today when not given), with its commitments."""
    return revision_effective(user=user, kind=QmsDocument.Kind.POLICY, on=on)


def scope_units(*, user: User, on: datetime.date | None = None) -> QuerySet[OrgUnit]:
    """The units in the scope in force on ``on`` (today when not given); none without a scope."""
    scope = scope_effective(user=user, on=on)
    return scope.units.order_by("code") if scope else OrgUnit.objects.none()


def scope_procedures(*, user: User, on: datetime.date | None = None) -> QuerySet[Procedure]:
    """The procedures in the scope in force on ``on`` (today when not given); none without a scope."""
    scope = scope_effective(user=user, on=on)
    return scope.procedures.select_related("owner_unit").order_by("code") if scope else Procedure.objects.none()


@dataclass
class ContextChanges:
    """What changed in the issues and interested parties between the scope in force at the start of
    a period and the one in force at its end (clause 9.3.2 b). A row whose text changed but whose
    issue (or party) is the same is "changed", with the row as it was and as it is."""

    start: datetime.date
    end: datetime.date
    before: ScopeRevision | None
    after: ScopeRevision | None
    issues_added: list[ContextIssue] = field(default_factory=list)
    issues_removed: list[ContextIssue] = field(default_factory=list)
    issues_changed: list[tuple[ContextIssue, ContextIssue]] = field(default_factory=list)
    parties_added: list[InterestedParty] = field(default_factory=list)
    parties_removed: list[InterestedParty] = field(default_factory=list)
    parties_changed: list[tuple[InterestedParty, InterestedParty]] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return any((self.issues_added, self.issues_removed, self.issues_changed,
                    self.parties_added, self.parties_removed, self.parties_changed))


def _compare(old_rows, new_rows, key, same) -> tuple[list, list, list]:
    old = {key(row): row for row in old_rows}
    new = {key(row): row for row in new_rows}
    added = [row for k, row in new.items() if k not in old]
    removed = [row for k, row in old.items() if k not in new]
    changed = [(old[k], row) for k, row in new.items() if k in old and not same(old[k], row)]
    return added, removed, changed


def _text_key(value: str) -> str:
    return " ".join(value.split()).casefold()


def context_changes(*, user: User, start: datetime.date, end: datetime.date) -> ContextChanges:
    """The issues and interested parties added, removed and changed between the scope revision in
    force on ``start`` and the one in force on ``end``. With no scope at the start, everything in
    force at the end counts as added."""
    before = scope_effective(user=user, on=start)
    after = scope_effective(user=user, on=end)
    changes = ContextChanges(start=start, end=end, before=before, after=after)
    if before is not None and after is not None and before.pk == after.pk:
        return changes
    old_issues = list(before.issues.all()) if before else []
    new_issues = list(after.issues.all()) if after else []
    changes.issues_added, changes.issues_removed, changes.issues_changed = _compare(
        old_issues, new_issues,
        key=lambda row: (row.kind, _text_key(row.description)),
        same=lambda a, b: _text_key(a.effect) == _text_key(b.effect),
    )
    old_parties = list(before.parties.all()) if before else []
    new_parties = list(after.parties.all()) if after else []
    changes.parties_added, changes.parties_removed, changes.parties_changed = _compare(
        old_parties, new_parties,
        key=lambda row: _text_key(row.party),
        same=lambda a, b: (_text_key(a.requirements), _text_key(a.monitoring))
        == (_text_key(b.requirements), _text_key(b.monitoring)),
    )
    return changes


@dataclass(frozen=True)
class Announcement:
    """Whether the scope in force was announced (công bố): a scope that took effect after the last
    announcement must be announced again (Decision 19/2014/QĐ-TTg, Circular 26/2014/TT-BKHCN)."""

    document: QmsDocument
    scope: ScopeRevision | None

    @property
    def announced_on(self) -> datetime.date | None:
        return self.document.last_announced_on

    @property
    def needed(self) -> bool:
        if self.scope is None:
            return False
        return self.announced_on is None or self.scope.effective_from > self.announced_on


def scope_announcement(*, user: User) -> Announcement | None:
    """The announcement state of the scope in force; None while there is no scope document."""
    document = document_get(kind=QmsDocument.Kind.SCOPE)
    if document is None:
        return None
    scope = access.qms_revisions(user, ScopeRevision).filter(document=document, state=State.EFFECTIVE).first()
    return Announcement(document=document, scope=scope)


def policy_to_acknowledge(*, user: User) -> PolicyRevision | None:
    """The quality policy in force if ``user`` has not acknowledged it yet, else None."""
    if not (user.is_authenticated and user.is_active):
        return None
    return (
        access.qms_revisions(user, PolicyRevision)
        .filter(state=State.EFFECTIVE)
        .exclude(acknowledgements__user=user)
        .select_related("document")
        .first()
    )


@dataclass
class UnitReaders:
    """The people of one unit (None: people with no unit) who have and have not read the policy."""

    unit: OrgUnit | None
    acknowledged: list[PolicyAcknowledgement] = field(default_factory=list)
    pending: list[User] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.acknowledged) + len(self.pending)


def policy_readers(*, user: User, revision: PolicyRevision) -> list[UnitReaders]:
    """Every active person, by unit (in unit code order), split into those who acknowledged
    ``revision`` (with when) and those who have not; in two queries."""
    acknowledgements = {
        ack.user_id: ack
        for ack in access.policy_acknowledgements(user).filter(revision=revision).select_related("user")
    }
    people = User.objects.filter(is_active=True).select_related("unit").order_by("unit__code", "full_name", "username")
    if not access.reach(user).everything:
        people = people.filter(pk=user.pk)
    by_unit: dict[int | None, UnitReaders] = {}
    for person in people:
        group = by_unit.setdefault(person.unit_id, UnitReaders(unit=person.unit))
        if person.pk in acknowledgements:
            group.acknowledged.append(acknowledgements[person.pk])
        else:
            group.pending.append(person)
    return list(by_unit.values())


def qms_tasks(*, user: User) -> dict:
    """What waits for ``user`` on the scope and the policy: revisions to approve or to publish, the
    policy to read, and a scope to announce again; each key only when it concerns them."""
    tasks: dict = {"to_acknowledge": policy_to_acknowledge(user=user)}
    waiting = []
    for model in REVISION_MODELS.values():
        name = model._meta.model_name
        revisions = access.qms_revisions(user, model).select_related("document")
        if user.has_perm(f"qms.approve_{name}"):
            waiting += revisions.filter(state=State.IN_REVIEW).exclude(author=user)
        if user.has_perm(f"qms.publish_{name}"):
            waiting += revisions.filter(state=State.APPROVED)
    tasks["waiting"] = waiting
    if user.has_perm("qms.change_qmsdocument"):
        announcement = scope_announcement(user=user)
        tasks["announcement"] = announcement if announcement and announcement.needed else None
    return tasks
