"""The scope and context document and the quality policy, printed as the agency files and posts them."""

from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from records.pdf import Frame, para, render, revision_history_table, revision_signatures, table

from .models import PolicyRevision, QmsRevision, ScopeRevision


def _history(revision: QmsRevision) -> list:
    revisions = revision.siblings().filter(number__lte=revision.number).order_by("number")
    return [para(_("Revision history"), "heading"), *revision_history_table(revisions)]


def _frame(revision: QmsRevision) -> Frame:
    document = revision.document
    return Frame(title=document.title, code=document.code, revision=str(revision.number), effective=revision.effective_from)


def scope_revision_pdf(revision: ScopeRevision) -> bytes:
    """The scope statement, the units and procedures in scope, the requirements not applicable, the
    internal and external issues and the interested parties, then the signatures."""
    story = [para(revision.document.title, "title"), *_history(revision)]
    story += [para(_("1. Scope of the quality management system"), "heading"), para(revision.statement or "—")]
    story += [
        para(_("2. Units in scope"), "heading"),
        *table([_("Code"), _("Unit")], ([u.code, u.name] for u in revision.units.all()), [30 * mm, 145 * mm]),
        para(_("3. Procedures in scope"), "heading"),
        *table([_("Code"), _("Procedure")], ([p.code, p.title] for p in revision.procedures.all()), [30 * mm, 145 * mm]),
        para(_("4. Requirements of TCVN ISO 9001:2015 not applicable"), "heading"),
        *table(
            [_("Clause"), _("Requirement"), _("Justification")],
            ([e.clause.number, e.clause.title, e.justification] for e in revision.excluded_clauses.all()),
            [18 * mm, 52 * mm, 105 * mm],
        ),
        para(_("5. Internal and external issues"), "heading"),
        *table(
            [_("No."), _("Kind"), _("Issue"), _("Effect on the QMS")],
            ([index, issue.get_kind_display(), issue.description, issue.effect]
             for index, issue in enumerate(revision.issues.all(), start=1)),
            [12 * mm, 22 * mm, 76 * mm, 65 * mm],
        ),
        para(_("6. Interested parties and their requirements"), "heading"),
        *table(
            [_("No."), _("Interested party"), _("Requirements"), _("How they are monitored")],
            ([index, party.party, party.requirements, party.monitoring]
             for index, party in enumerate(revision.parties.all(), start=1)),
            [12 * mm, 43 * mm, 65 * mm, 55 * mm],
        ),
    ]
    return render(_frame(revision), story, signatures=revision_signatures(revision))


def policy_revision_pdf(revision: PolicyRevision) -> bytes:
    """The policy text and its commitments as numbered points, then the signatures."""
    story = [para(revision.document.title, "title"), para(revision.text or "—")]
    commitments = list(revision.commitments.all())
    if commitments:
        story.append(para(_("Commitments"), "heading"))
        story += [para(f"{index}. {commitment.text}") for index, commitment in enumerate(commitments, start=1)]
    story += _history(revision)
    return render(_frame(revision), story, signatures=revision_signatures(revision))
