"""The controlled document of a procedure revision, as the agency files and publishes it."""

from django.utils.translation import gettext as _
from reportlab.lib.units import mm

from records.pdf import Frame, markup, para, render, revision_history_table, revision_signatures, table, text

from . import selectors
from .models import ProcedureRevision


def revision_pdf(revision: ProcedureRevision) -> bytes:
    """Cover facts, revision history, sections 1 to 5, the step table, forms and records to keep."""
    procedure = revision.procedure
    history = procedure.revisions.filter(number__lte=revision.number).order_by("number")
    story = [
        para(procedure.title, "title"),
        markup(f"<b>{text(_('Owner unit'))}:</b> {text(procedure.owner_unit)}"),
        markup(f"<b>{text(_('ISO 9001 clauses'))}:</b> {text(', '.join(c.number for c in procedure.clauses.all()))}"),
        markup(f"<b>{text(_('State'))}:</b> {text(revision.get_state_display())}"),
        para(_("Revision history"), "heading"),
        *revision_history_table(history),
    ]
    for title, body in (
        (_("1. Purpose"), revision.purpose),
        (_("2. Scope"), revision.scope),
        (_("3. References"), revision.references),
        (_("4. Definitions and abbreviations"), revision.definitions),
        (_("5. Content"), revision.content),
    ):
        story += [para(title, "heading"), para(body or "—")]
    steps = selectors.revision_steps(revision=revision)
    story += [
        para(_("Steps"), "heading"),
        *table(
            [_("Step"), _("Name"), _("Responsible"), _("Time limit"), _("Forms / results")],
            (
                [
                    s.code,
                    s.name,
                    s.responsible_unit.name if s.responsible_unit else s.get_responsible_role_display(),
                    s.time_limit_display,
                    ", ".join(f.code for f in s.forms.all()),
                ]
                for s in steps
            ),
            [15 * mm, 65 * mm, 45 * mm, 25 * mm, 25 * mm],
        ),
        para(_("6. Forms"), "heading"),
        *table([_("Code"), _("Title")], ([f.code, f.title] for f in revision.forms.all()), [35 * mm, 140 * mm]),
        para(_("7. Records to keep"), "heading"),
        *table(
            [_("Record"), _("Kept by"), _("Retention")],
            ([r.name, r.keeper, r.retention_display] for r in revision.records_to_keep.all()),
            [85 * mm, 60 * mm, 30 * mm],
        ),
    ]
    frame = Frame(
        title=f"{_('Procedure')}: {procedure.title}", code=procedure.code, revision=str(revision.number),
        effective=revision.effective_from,
    )
    return render(frame, story, signatures=revision_signatures(revision))


def master_list_pdf() -> bytes:
    """The master list of documents: every procedure in force, its revision, date and owner."""
    procedures = selectors.master_list()
    story = [
        para(_("Master list of documents"), "title"),
        *table(
            [_("No."), _("Code"), _("Title"), _("Revision"), _("Effective date"), _("Owner unit")],
            (
                [index, p.code, p.title, p.effective_revisions[0].number,
                 p.effective_revisions[0].effective_from.strftime("%d/%m/%Y"), p.owner_unit.name]
                for index, p in enumerate(procedures, start=1)
            ),
            [12 * mm, 20 * mm, 68 * mm, 17 * mm, 23 * mm, 35 * mm],
        ),
    ]
    return render(Frame(title=_("Master list of documents")), story)
