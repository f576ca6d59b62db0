"""Printouts of the audit loop: programme, plan, checklist, report, nonconformity and its actions."""

from collections import Counter

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from iso.signatures import last_signature, signatures_checked, signatures_checked_many
from records.pdf import Frame, Signature, local_date, markup, para, render, table, text

from . import selectors
from .models import Audit, AuditProgramme, Nonconformity


def _facts(pairs) -> list:
    return [markup(f"<b>{text(label)}:</b> {text(value)}") for label, value in pairs if value not in (None, "")]


def programme_pdf(programme: AuditProgramme) -> bytes:
    """The year's programme: objectives, the audits it plans, and what they cover and leave out."""
    coverage = selectors.programme_coverage(programme=programme)
    audits = selectors.audit_list(programme=programme)
    story = [
        para(programme.title, "title"),
        *_facts([(_("State"), programme.get_state_display()), (_("Objectives"), programme.objectives)]),
        para(_("Planned audits"), "heading"),
        *table(
            [_("Reference"), _("Title"), _("Audited units"), _("Dates"), _("Lead auditor"), _("State")],
            (
                [a.reference, a.title, ", ".join(u.name for u in a.units.all()),
                 f"{local_date(a.planned_start)} – {local_date(a.planned_end)}", a.lead_auditor, a.get_state_display()]
                for a in audits
            ),
            [20 * mm, 40 * mm, 45 * mm, 25 * mm, 28 * mm, 17 * mm],
        ),
        para(_("Coverage"), "heading"),
        para(_("Units covered: %(share)s%%; not covered: %(units)s")
             % {"share": round(coverage.unit_share * 100), "units": ", ".join(u.name for u in coverage.units_uncovered) or "—"}),
        para(_("Clauses covered: %(share)s%%; not covered: %(clauses)s")
             % {"share": round(coverage.clause_share * 100),
                "clauses": ", ".join(c.number for c in coverage.clauses_uncovered) or "—"}),
    ]
    signatures = [
        Signature(_("Prepared by"), programme.created_by.get_full_name()),
        Signature.box(
            _("Approved by"), last_signature(signatures_checked(programme), "approve"),
            name=programme.approved_by.get_full_name() if programme.approved_by else "", date=programme.approved_at,
        ),
    ]
    return render(Frame(title=_("Internal audit programme %(year)s") % {"year": programme.year}), story, signatures=signatures)


def _scope(audit: Audit) -> list:
    return _facts([
        (_("Audited units"), ", ".join(u.name for u in audit.units.all())),
        (_("Procedures"), ", ".join(p.code for p in audit.procedures.all())),
        (_("Clauses"), ", ".join(c.number for c in audit.clauses.all())),
        (_("Criteria"), audit.criteria),
        (_("Dates"), f"{local_date(audit.planned_start)} – {local_date(audit.planned_end)}"),
        (_("Lead auditor"), audit.lead_auditor.get_full_name()),
        (_("Audit team"), ", ".join(m.get_full_name() for m in audit.team.all())),
    ])


def audit_plan_pdf(audit: Audit) -> bytes:
    """The audit plan: scope, criteria, dates and team, and the questions to ask."""
    story = [
        para(audit.title, "title"),
        *_scope(audit),
        para(_("Checklist"), "heading"),
        *table(
            [_("No."), _("Clause"), _("Procedure"), _("Question")],
            ([i, item.clause.number if item.clause else "", item.procedure.code if item.procedure else "", item.question]
             for i, item in enumerate(audit.checklist_items.select_related("clause", "procedure"), start=1)),
            [12 * mm, 18 * mm, 22 * mm, 123 * mm],
        ),
    ]
    frame = Frame(title=_("Audit plan"), code=audit.reference)
    return render(frame, story, signatures=[Signature(_("Lead auditor"), audit.lead_auditor.get_full_name())])


def checklist_pdf(audit: Audit) -> bytes:
    """The filled checklist: each question with its result and the evidence seen."""
    story = [
        para(audit.title, "title"),
        *table(
            [_("No."), _("Clause"), _("Question"), _("Result"), _("Evidence seen")],
            ([i, item.clause.number if item.clause else "", item.question, item.get_result_display(), item.evidence]
             for i, item in enumerate(audit.checklist_items.select_related("clause"), start=1)),
            [10 * mm, 15 * mm, 70 * mm, 25 * mm, 55 * mm],
        ),
    ]
    return render(Frame(title=_("Audit checklist"), code=audit.reference), story)


def audit_report_pdf(audit: Audit) -> bytes:
    """The audit report: scope, team, summary, findings by type and by clause, nonconformities raised."""
    findings = list(selectors.audit_findings(audit=audit).order_by("number"))
    by_kind = Counter(f.get_kind_display() for f in findings)
    by_clause = Counter(f.clause.number for f in findings)
    story = [
        para(audit.title, "title"),
        *_scope(audit),
        para(_("Summary"), "heading"),
        para(audit.summary or "—"),
        para(_("Findings by type"), "heading"),
        *table([_("Type"), _("Number")], sorted(by_kind.items()), [120 * mm, 30 * mm]),
        para(_("Findings by clause"), "heading"),
        *table([_("Clause"), _("Number")], sorted(by_clause.items()), [120 * mm, 30 * mm]),
        para(_("Findings"), "heading"),
        *table(
            [_("No."), _("Type"), _("Clause"), _("Unit"), _("Statement"), _("Evidence"), _("Nonconformity")],
            (
                [f.number, f.get_kind_display(), f.clause.number, f.unit.name, f.statement, f.evidence,
                 f.nonconformity.reference if f.is_nonconformity and hasattr(f, "nonconformity") else ""]
                for f in findings
            ),
            [10 * mm, 24 * mm, 14 * mm, 25 * mm, 45 * mm, 35 * mm, 22 * mm],
        ),
    ]
    frame = Frame(title=_("Internal audit report"), code=audit.reference)
    signatures = [
        Signature.box(
            _("Lead auditor"), last_signature(signatures_checked(audit), "report"),
            name=audit.lead_auditor.get_full_name(), date=audit.reported_at,
        )
    ]
    return render(frame, story, signatures=signatures)


def nonconformity_pdf(nonconformity: Nonconformity) -> bytes:
    """The nonconformity and corrective-action request: problem, cause and measures, approval, verification."""
    actions = selectors.nonconformity_actions(nonconformity=nonconformity)
    origin = nonconformity.finding.label if nonconformity.finding_id else (
        nonconformity.case.reference if nonconformity.case_id else "")
    story = [
        para(_("Nonconformity and corrective action"), "title"),
        para(_("1. The problem"), "heading"),
        *_facts([
            (_("Source"), nonconformity.get_source_display()),
            (_("Origin"), origin),
            (_("Severity"), nonconformity.get_severity_display()),
            (_("Unit"), nonconformity.unit.name),
            (_("Clause"), nonconformity.clause.number if nonconformity.clause else ""),
            (_("Detected by"), f"{nonconformity.detected_by.get_full_name()}, {local_date(nonconformity.detected_on)}"),
            (_("Description"), nonconformity.description),
        ]),
        para(_("2. Correction, cause and measures"), "heading"),
        *_facts([
            (_("Correction (immediate fix)"), nonconformity.correction),
            (_("Five whys"), " → ".join(nonconformity.whys)),
            (_("Root cause"), nonconformity.root_cause),
            (_("Extent: does it exist elsewhere?"), nonconformity.extent),
        ]),
        *table(
            [_("Action"), _("Owner"), _("Due date"), _("State"), _("What was done"), _("Verification")],
            (
                [f"{a.label} {a.description}", a.owner.get_full_name(), local_date(a.due_date), a.get_state_display(),
                 a.completion_note, f"{a.verification_note} ({a.verified_by.get_full_name()}, {local_date(a.verified_at)})"
                 if a.verified_by else ""]
                for a in actions
            ),
            [45 * mm, 25 * mm, 18 * mm, 20 * mm, 32 * mm, 35 * mm],
        ),
        para(_("3. Approval of the plan"), "heading"),
        *_facts([(_("Plan accepted by"), nonconformity.plan_accepted_by.get_full_name() if nonconformity.plan_accepted_by else "—"),
                 (_("Accepted at"), local_date(nonconformity.plan_accepted_at))]),
        para(_("4. Verification and closure"), "heading"),
        *_facts([(_("State"), nonconformity.get_state_display()), (_("Closed at"), local_date(nonconformity.closed_at)),
                 (_("Reason for rejection"), nonconformity.rejection_reason)]),
    ]
    verified = signatures_checked_many(actions)
    signatures = [
        Signature.box(
            _("Action plan accepted by"), last_signature(signatures_checked(nonconformity), "accept_plan"),
            name=nonconformity.plan_accepted_by.get_full_name() if nonconformity.plan_accepted_by else "",
            date=nonconformity.plan_accepted_at,
        ),
        *(
            Signature.box(
                _("Verified by (%(action)s)") % {"action": a.label},
                last_signature(verified.get(a.pk, []), "verify_effective", "verify_not_effective"),
                name=a.verified_by.get_full_name(), date=a.verified_at,
            )
            for a in actions
            if a.verified_by_id
        ),
    ]
    return render(
        Frame(title=_("Nonconformity and corrective action"), code=nonconformity.reference), story, signatures=signatures
    )


def nonconformity_register_pdf(nonconformities) -> bytes:
    """The register of nonconformities and corrective actions of a period."""
    rows = (
        [nc.reference, local_date(nc.detected_on), nc.get_source_display(), nc.unit.name, nc.description,
         nc.get_state_display(), local_date(nc.due_date),
         "; ".join(f"{a.label} {a.get_state_display()}" for a in nc.actions.all())]
        for nc in nonconformities
    )
    story = [
        para(_("Register of nonconformities and corrective actions"), "title"),
        *table(
            [_("Reference"), _("Detected on"), _("Source"), _("Unit"), _("Description"), _("State"), _("Due date"),
             _("Corrective actions")],
            rows,
            [26 * mm, 20 * mm, 28 * mm, 36 * mm, 82 * mm, 24 * mm, 20 * mm, 26 * mm],
        ),
    ]
    return render(Frame(title=_("Register of nonconformities and corrective actions")), story, pagesize=landscape(A4))
