"""Read queries for procedures and revisions, with their joins and prefetches applied."""

import difflib
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from iso import access
from iso.models import OrgUnit, User
from iso.revisions.selectors import revision_history  # noqa: F401 (the history of a procedure revision)

from .models import Acknowledgement, Procedure, ProcedureRevision, Step


def _effective_revisions() -> Prefetch:
    return Prefetch(
        "revisions",
        queryset=ProcedureRevision.objects.filter(state=ProcedureRevision.State.EFFECTIVE).select_related(
            "approved_by", "author"
        ),
        to_attr="effective_revisions",
    )


def _open_revisions(user: User) -> Prefetch:
    return Prefetch(
        "revisions",
        queryset=access.revisions(user).exclude(
            state__in=[ProcedureRevision.State.SUPERSEDED, ProcedureRevision.State.WITHDRAWN]
        ).order_by("number"),
        to_attr="current_revisions",
    )


def procedure_list(*, user: User, filters: dict | None = None) -> QuerySet[Procedure]:
    """The procedures ``user`` may read with their owner unit, clauses and current revisions, filtered.

    ``filters`` may hold ``q`` (code or title), ``unit``, ``clause`` (a clause number; its
    subclauses match too), ``category`` and ``state`` (the state of any of its revisions).
    """
    filters = filters or {}
    procedures = access.procedures(user).select_related("owner_unit").prefetch_related(
        "clauses", _effective_revisions(), _open_revisions(user)
    )
    if q := (filters.get("q") or "").strip():
        procedures = procedures.filter(Q(code__icontains=q) | Q(title__icontains=q))
    if unit := filters.get("unit"):
        procedures = procedures.filter(owner_unit=unit)
    if clause := filters.get("clause"):
        number = clause.number if hasattr(clause, "number") else str(clause)
        procedures = procedures.filter(
            Q(clauses__number=number) | Q(clauses__number__startswith=f"{number}.")
        ).distinct()
    if category := filters.get("category"):
        procedures = procedures.filter(category=category)
    if state := filters.get("state"):
        procedures = procedures.filter(revisions__state=state).distinct()
    return procedures.order_by("code")


def procedure_get(*, user: User, code: str, to_change: bool = False) -> Procedure:
    """The procedure ``code`` if ``user`` may read it (else DoesNotExist); with ``to_change``,
    PermissionDenied unless ``user`` may also start its revisions."""
    procedure = (
        access.procedures(user).select_related("owner_unit")
        .prefetch_related("clauses", _effective_revisions())
        .get(code=code)
    )
    if to_change and not access.procedures_changeable(user).filter(pk=procedure.pk).exists():
        raise PermissionDenied(_("You may not start a revision of %(procedure)s.") % {"procedure": procedure.code})
    return procedure


def master_list() -> QuerySet[Procedure]:
    """The master list of documents: every procedure with an effective revision, and its date."""
    return (
        Procedure.objects.filter(revisions__state=ProcedureRevision.State.EFFECTIVE)
        .select_related("owner_unit")
        .prefetch_related(_effective_revisions())
        .order_by("code")
    )


def revision_list(*, user: User, procedure: Procedure) -> QuerySet[ProcedureRevision]:
    """The revisions of ``procedure`` that ``user`` may read, newest first."""
    return access.revisions(user).filter(procedure=procedure).select_related("author", "approved_by", "published_by").order_by("-number")


def revision_get(*, user: User, code: str, number: int, to_change: bool = False) -> ProcedureRevision:
    """The revision if ``user`` may read it (else DoesNotExist); with ``to_change``,
    PermissionDenied unless ``user`` may also edit it or move it on."""
    revision = access.revisions(user).select_related(
        "procedure__owner_unit", "author", "approved_by", "published_by"
    ).get(procedure__code=code, number=number)
    if to_change and not access.revisions_changeable(user).filter(pk=revision.pk).exists():
        raise PermissionDenied(_("You may not change %(revision)s.") % {"revision": revision})
    return revision


def revision_steps(*, revision: ProcedureRevision) -> QuerySet[Step]:
    return revision.steps.select_related("responsible_unit").prefetch_related(
        "forms", Prefetch("outgoing", queryset=revision.edges.select_related("target"))
    )


def revision_readers(*, revision: ProcedureRevision) -> QuerySet[User]:
    """The people expected to read a revision: active members of its owner unit, of the units
    responsible for any of its steps, and of the units below those."""
    units = {revision.procedure.owner_unit_id}
    units |= set(revision.steps.exclude(responsible_unit=None).values_list("responsible_unit", flat=True))
    units = OrgUnit.objects.with_descendants(units)
    return User.objects.filter(is_active=True, unit__in=units).select_related("unit").order_by("unit__code", "full_name")


def revision_pending_readers(*, revision: ProcedureRevision) -> QuerySet[User]:
    """Expected readers who have not yet acknowledged the revision."""
    return revision_readers(revision=revision).exclude(acknowledgements__revision=revision)


def revision_acknowledgements(*, revision: ProcedureRevision) -> QuerySet[Acknowledgement]:
    return revision.acknowledgements.select_related("user__unit")


@dataclass
class SectionDiff:
    title: str
    lines: list[tuple[str, str]]  # (" " | "-" | "+", text)

    @property
    def changed(self) -> bool:
        return any(kind != " " for kind, _text in self.lines)


def _revision_sections(revision: ProcedureRevision) -> list[tuple[str, list[str]]]:
    steps = revision_steps(revision=revision)
    step_lines = []
    for step in steps:
        who = step.responsible_unit.name if step.responsible_unit else step.get_responsible_role_display()
        forms = ", ".join(f.code for f in step.forms.all())
        step_lines.append(" | ".join(part for part in (step.code, step.name, who, step.time_limit_display, forms) if part))
        step_lines.extend(f"    → {edge.target.code}: {edge.action}" for edge in step.outgoing.all())
    sections = [
        (_("1. Purpose"), revision.purpose.splitlines()),
        (_("2. Scope"), revision.scope.splitlines()),
        (_("3. References"), revision.references.splitlines()),
        (_("4. Definitions and abbreviations"), revision.definitions.splitlines()),
        (_("5. Content"), revision.content.splitlines()),
        (_("Steps"), step_lines),
        (_("6. Forms"), [str(f) for f in revision.forms.all()]),
        (
            _("7. Records to keep"),
            [f"{r.name} | {r.keeper} | {r.retention_display}" for r in revision.records_to_keep.all()],
        ),
    ]
    return sections


def revision_diff(*, old: ProcedureRevision, new: ProcedureRevision) -> list[SectionDiff]:
    """A line-by-line comparison of two revisions, section by section."""
    result = []
    for (title, old_lines), (_title, new_lines) in zip(_revision_sections(old), _revision_sections(new), strict=True):
        lines: list[tuple[str, str]] = []
        matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                lines.extend((" ", line) for line in old_lines[i1:i2])
                continue
            lines.extend(("-", line) for line in old_lines[i1:i2])
            lines.extend(("+", line) for line in new_lines[j1:j2])
        result.append(SectionDiff(title=title, lines=lines))
    return result


def revision_tasks(*, user: User) -> dict[str, QuerySet[ProcedureRevision]]:
    """What waits for ``user`` on procedures, by kind of work, each only if their role does it."""
    revisions = ProcedureRevision.objects.select_related("procedure", "author")
    tasks: dict[str, QuerySet[ProcedureRevision]] = {}
    if user.has_perm("processes.approve_procedurerevision"):
        tasks["to_approve"] = revisions.filter(state=ProcedureRevision.State.IN_REVIEW).exclude(author=user)
    if user.has_perm("processes.publish_procedurerevision"):
        tasks["to_publish"] = revisions.filter(state=ProcedureRevision.State.APPROVED)
    if user.has_perm("processes.change_procedurerevision"):
        tasks["drafts"] = revisions.filter(state=ProcedureRevision.State.DRAFT, author=user)
    tasks["to_read"] = revisions.filter(state=ProcedureRevision.State.EFFECTIVE).filter(
        Q(procedure__owner_unit_id=user.unit_id) | Q(steps__responsible_unit_id=user.unit_id)
    ).exclude(acknowledgements__user=user).distinct()
    return tasks
