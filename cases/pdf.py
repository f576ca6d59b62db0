"""Printouts of a case: the receipt (form 01), its control sheet (form 05) and the apology and new
appointment (form 04)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from records.pdf import (
    Frame,
    OfficialLetter,
    Signature,
    local_date,
    markup,
    official_date,
    para,
    render,
    render_letter,
    signature_block,
    table,
    text,
)
from satisfaction.pdf import feedback_invitation

from . import selectors
from .models import Case


def receipt_pdf(case: Case, *, request=None) -> bytes:
    """The receipt and appointment for the result (Giấy tiếp nhận hồ sơ và hẹn trả kết quả), with
    the invitation to rate the service once the result is returned and the code for it."""
    facts = [
        (_("Dossier code"), case.reference),
        (_("Procedure"), f"{case.procedure.code} {case.procedure.title}"),
        (_("Applicant"), " — ".join(filter(None, [case.applicant_name, case.applicant_contact]))),
        (_("Received"), f"{local_date(case.received_at)} — {case.received_by.get_full_name()} ({case.unit})"),
        (_("Channel"), case.get_channel_display()),
        (_("Appointment to return the result"), local_date(case.due_at)),
    ]
    story = [
        para(_("Receipt and appointment for returning the result"), "title"),
        *(markup(f"<b>{text(label)}:</b> {text(value)}") for label, value in facts),
        Spacer(1, 2 * mm),
        para(_("Bring this receipt when you collect the result.")),
        signature_block([
            Signature(_("Applicant"), case.applicant_name),
            Signature(_("Received by"), case.received_by.get_full_name(), case.received_at),
        ]),
        Spacer(1, 8 * mm),
        feedback_invitation(case, request=request),
    ]
    frame = Frame(title=_("Receipt and appointment for returning the result"), code=case.reference,
                  revision=str(case.revision.number))
    return render(frame, story)


def control_sheet_pdf(case: Case) -> bytes:
    """The case control sheet: each hand-over with who, when, the due time and whether on time."""
    visits = selectors.case_visits(case=case)
    story = [
        para(_("Case control sheet"), "title"),
        markup(f"<b>{text(_('Dossier code'))}:</b> {text(case.reference)}"),
        markup(f"<b>{text(_('Procedure'))}:</b> {text(case.procedure)}"),
        markup(f"<b>{text(_('Applicant'))}:</b> {text(case.applicant_name)} {text(case.applicant_contact)}"),
        markup(f"<b>{text(_('Received'))}:</b> {text(local_date(case.received_at))} — {text(case.received_by)}"),
        markup(f"<b>{text(_('Due'))}:</b> {text(local_date(case.due_at))}"),
        markup(f"<b>{text(_('State'))}:</b> {text(case.get_state_display())}"
               + (f" — {text(case.get_timing_display())}" if case.timing else "")),
        para(_("Hand-overs"), "heading"),
        *table(
            [_("Step"), _("Handled by"), _("Received"), _("Handed on"), _("Due"), _("Timing")],
            (
                [f"{v.step.code} {v.step.name}", v.handler or "", local_date(v.entered_at), local_date(v.left_at),
                 local_date(v.due_at), v.get_timing_display() if v.timing else ""]
                for v in visits
            ),
            [50 * mm, 32 * mm, 25 * mm, 25 * mm, 25 * mm, 18 * mm],
        ),
    ]
    frame = Frame(title=_("Case control sheet"), code=case.reference, revision=str(case.revision.number))
    return render(frame, story)


def apology_letter_pdf(case: Case) -> bytes:
    """The apology and new appointment to the applicant, in the official letter layout."""
    apology = case.apology
    issuer = case.unit
    letter = OfficialLetter(
        issuing_body=issuer.parent.name if issuer.parent_id else issuer.name,
        issuing_unit=issuer.name if issuer.parent_id else "",
        number=_("No.: %(number)s/PXL") % {"number": case.reference},
        place=settings.ORGANISATION_PLACE,
        date=official_date(timezone.localtime(apology.issued_at).date()),
        title=_("APOLOGY AND NEW APPOINTMENT FOR RETURNING THE RESULT"),
        body=[
            _("To: %(applicant)s.") % {"applicant": case.applicant_name},
            _("On %(received)s, %(unit)s received the dossier %(reference)s (%(procedure)s), with the result due "
              "on %(due)s.") % {
                "received": local_date(case.received_at), "unit": case.unit, "reference": case.reference,
                "procedure": case.procedure.title, "due": local_date(case.due_at),
            },
            _("The dossier is late for this reason: %(reason)s") % {"reason": apology.reason},
            _("%(unit)s apologises for the inconvenience and makes a new appointment to return the result on "
              "%(new_due)s.") % {"unit": case.unit, "new_due": local_date(apology.new_due_at)},
        ],
        signer_title=_("ON BEHALF OF THE HANDLING UNIT"),
        signer=apology.issued_by.get_full_name(),
        recipients=[case.applicant_name, _("Filed: one-stop shop")],
    )
    return render_letter(letter)


def indicator_report_pdf(*, scope: dict) -> bytes:
    """The on-time indicator report for a period: totals, by month, procedure and unit, and the
    denominator of the rate named on every page that shows it."""
    denominator = str(selectors.DENOMINATORS[selectors.rate_denominator()])
    total = selectors.indicators_total(**scope)

    def rate(row):
        # The locale's decimal separator: "99,98%" in Vietnamese.
        return f"{number_format(row.rate, 2)}%" if row.rate is not None else "—"

    def rows(items):
        return ([row.label, row.received, row.resolved, row.resolved_on_time, row.late, row.in_progress, row.overdue, rate(row)]
                for row in items)

    header = [_("Group"), _("Received"), _("Resolved"), _("Early or on time"), _("Late"), _("In progress"),
              _("Overdue now"), _("On-time rate")]
    widths = [50 * mm, 17 * mm, 17 * mm, 20 * mm, 14 * mm, 18 * mm, 18 * mm, 21 * mm]
    period = _("Cases received from %(start)s to %(end)s") % {
        "start": local_date(timezone.localtime(scope["start"]).date()),
        "end": local_date(timezone.localtime(scope["end"]).date() - datetime.timedelta(days=1)),
    }
    story = [
        para(_("On-time indicator report"), "title"),
        para(period, "center"),
        para(_("On-time rate: %(rate)s = resolved early or on time (%(count)s) ÷ %(denominator)s")
             % {"rate": rate(total), "count": total.resolved_on_time, "denominator": denominator}, "heading"),
        *table(header, rows([total]), widths),
        para(_("By month of receipt"), "heading"),
        *table(header, rows(selectors.indicators_by("month", **scope)), widths),
        para(_("By procedure"), "heading"),
        *table(header, rows(selectors.indicators_by("procedure", **scope)), widths),
        para(_("By unit"), "heading"),
        *table(header, rows(selectors.indicators_by("unit", **scope)), widths),
    ]
    return render(Frame(title=_("On-time indicator report")), story)
