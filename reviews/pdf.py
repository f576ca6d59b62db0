"""Printouts of the management review: the minutes (biên bản họp xem xét của lãnh đạo) and the
annual QMS report, both in the official layout of Decree 30/2020 (records.pdf.render_letter), and
the report as a spreadsheet with one sheet per part."""

import io

from django.conf import settings
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from iso.models import OrgUnit
from iso.signatures import last_signature, signatures_checked
from records.pdf import OfficialLetter, Signature, letter_para, local_date, official_date, render_letter, table
from records.resources import neutralise

from . import selectors
from .report import Report

#: The width of the text between the margins of an official letter.
TEXT_WIDTH = 165 * mm


def display(value) -> str:
    """A snapshot value as printed: numbers with the locale's separators, nothing as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return number_format(value, 2)
    if isinstance(value, int) and not isinstance(value, bool):
        return number_format(value)
    return str(value)


def _widths(header, rows, total: float = TEXT_WIDTH) -> list[float]:
    """Column widths in proportion to their longest text (capped), so that a statement gets room
    and a count does not."""
    columns = list(zip(header, *rows, strict=False)) if rows else [(h,) for h in header]
    weights = [min(max(len(display(cell)) for cell in column), 45) + 5 for column in columns]
    return [total * weight / sum(weights) for weight in weights]


def snapshot_flowables(data: dict) -> list:
    """The figures of a snapshot as a two-column table, then each of its tables with its title."""
    flowables = []
    figures = data.get("figures", []) if isinstance(data, dict) else []
    if figures:
        flowables += table([_("Indicator"), _("Value")], ([f["label"], display(f["value"])] for f in figures),
                           [TEXT_WIDTH - 40 * mm, 40 * mm])
    for found in data.get("tables", []) if isinstance(data, dict) else []:
        if not found["rows"]:
            continue
        flowables += [Spacer(1, 2 * mm), letter_para(found["title"], "plain")]
        flowables += table(found["header"], ([display(c) for c in row] for row in found["rows"]),
                           _widths(found["header"], found["rows"]))
    if flowables:
        flowables.append(Spacer(1, 2 * mm))
    return flowables


def _organisation() -> tuple[str, str]:
    """The issuing body printed at the top left: (the body above, the organisation)."""
    top = OrgUnit.objects.filter(parent__isnull=True).order_by("pk").first()
    return OrgUnit.objects.organisation_name(), top.name if top else ""


def minutes_pdf(review) -> bytes:
    """The minutes: when and where, who took part, each agenda item as presented (its frozen
    data), discussed and concluded, the decisions and actions, the chair's conclusion, and the
    signatures of the secretary and of the chair (electronic once the minutes are approved)."""
    meeting = timezone.localtime(review.meeting_at)
    attendees = list(review.attendees.all())
    body = []
    if review.state != review.State.MINUTES_APPROVED:
        body.append(letter_para(_("DRAFT: the minutes are not approved yet."), "centre"))
    body += [
        letter_para(_("Time: %(hour)s, %(date)s.") % {"hour": meeting.strftime("%H:%M"), "date": official_date(meeting.date())}, "plain"),
        letter_para(_("Place: %(place)s.") % {"place": review.place}, "plain"),
        letter_para(_("Period reviewed: from %(start)s to %(end)s.")
                    % {"start": local_date(review.period_start), "end": local_date(review.period_end)}, "plain"),
        letter_para(_("Chair: %(person)s.") % {"person": _person(review.chair)}, "plain"),
        letter_para(_("Secretary: %(person)s.") % {"person": _person(review.secretary)}, "plain"),
    ]
    if attendees or review.guests:
        body.append(letter_para(_("Attendees:"), "plain"))
        body += [letter_para(f"- {_person(person)};", "plain") for person in attendees]
        body += [letter_para(f"- {line.strip()};", "plain") for line in review.guests.splitlines() if line.strip()]
    body.append(letter_para(_("CONTENT OF THE MEETING"), "heading"))
    for index, item in enumerate(selectors.review_agenda(review=review), start=1):
        heading = f"{index}. {item.title}" + (f" ({item.clause})" if item.clause else "")
        body.append(letter_para(heading, "heading"))
        if item.summary:
            body.append(letter_para(item.summary, "plain"))
        body += snapshot_flowables(item.snapshot)
        if item.discussion:
            body.append(letter_para(_("Presentation and discussion: %(text)s") % {"text": item.discussion}))
        if item.conclusion:
            body.append(letter_para(_("Conclusion: %(text)s") % {"text": item.conclusion}))
    decisions = list(selectors.review_decisions(review=review))
    if decisions:
        body.append(letter_para(_("DECISIONS"), "heading"))
        body += [letter_para(f"{d.number}. [{d.get_category_display()}] {d.text}") for d in decisions]
    actions = list(selectors.review_actions(review=review))
    if actions:
        body.append(letter_para(_("ACTIONS"), "heading"))
        body += table(
            [_("No."), pgettext("tracked action", "Action"), _("Decision"), _("Owner"), _("Due date")],
            ([str(a.number), a.description, str(a.decision.number) if a.decision_id else "—", a.owner.get_full_name(),
              local_date(a.due_date)] for a in actions),
            [12 * mm, 83 * mm, 18 * mm, 30 * mm, 22 * mm],
        )
    if review.conclusion:
        body += [letter_para(_("CONCLUSION OF THE CHAIR"), "heading"), letter_para(review.conclusion)]
    checked = last_signature(signatures_checked(review), "approve_minutes")
    letter = OfficialLetter(
        issuing_body=_organisation()[0],
        number=_("No.: %(number)s") % {"number": review.minutes_number},
        place=settings.ORGANISATION_PLACE,
        date=official_date(meeting.date()),
        title=_("MINUTES\nManagement review of the quality management system"),
        body=body,
        signers=[
            Signature(_("SECRETARY"), review.secretary.get_full_name()),
            Signature.box(_("CHAIR"), checked, name=review.chair.get_full_name()),
        ],
        recipients=[_("Participants of the meeting"), _("Filed: ISO records")],
    )
    return render_letter(letter)


def _person(user) -> str:
    return f"{user.get_full_name()}, {user.job_title}" if user.job_title else user.get_full_name()


def annual_report_pdf(report: Report) -> bytes:
    """The annual report in the official layout: one numbered part per section, the red flags,
    the proposals, signed by the head of the organisation."""
    body = []
    if report.notes.recipient:
        body.append(letter_para(_("To: %(recipient)s.") % {"recipient": report.notes.recipient}, "centre"))
    body.append(letter_para(
        _("%(organisation)s reports on maintaining and applying its quality management system under TCVN ISO "
          "9001:2015 in %(year)s, from %(start)s to %(end)s, as follows.") % {
            "organisation": _organisation()[0], "year": report.year, "start": local_date(report.start),
            "end": local_date(report.end),
        }))
    number = 0
    for section in report.sections:
        if section.key == "proposals":
            continue
        number += 1
        body.append(letter_para(f"{number}. {section.title}", "heading"))
        if section.summary:
            body.append(letter_para(section.summary))
        body += snapshot_flowables(section.data)
    number += 1
    body.append(letter_para(f"{number}. {_('Matters to address')}", "heading"))
    body += [letter_para(f"- {flag}", "plain") for flag in report.red_flags] or [letter_para(_("None found."), "plain")]
    proposals = report.section("proposals")
    body += [letter_para(f"{number + 1}. {proposals.title}", "heading"), letter_para(proposals.text or "—")]
    letter = OfficialLetter(
        issuing_body=_organisation()[0],
        number=_("No.: %(number)s") % {"number": "      /BC-ISO"},
        place=settings.ORGANISATION_PLACE,
        date=official_date(timezone.localdate()),
        title=_("REPORT\nOn maintaining and applying the quality management system under TCVN ISO 9001:2015 in %(year)s")
        % {"year": report.year},
        body=body,
        signer_title=report.notes.signer_title or _("HEAD OF THE AGENCY"),
        signer=report.notes.signer_name,
        recipients=[report.notes.recipient or _("The supervising body"), _("Filed: ISO records")],
    )
    return render_letter(letter)


def annual_report_xlsx(report: Report) -> bytes:
    """The report as a workbook: one sheet per part, its figures and tables with numbers as numbers."""
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for number, section in enumerate(report.sections, start=1):
        sheet = book.create_sheet(_sheet_name(number, section.title))
        sheet.append([neutralise(f"{number}. {section.title}")])
        sheet["A1"].font = bold
        if section.summary:
            sheet.append([neutralise(section.summary)])
        if section.text:
            sheet.append([neutralise(section.text)])
        figures = section.data.get("figures", [])
        if figures:
            sheet.append([])
            sheet.append([_("Indicator"), _("Value")])
            for f in figures:
                sheet.append([neutralise(f["label"]), neutralise(f["value"])])
        for found in section.data.get("tables", []):
            sheet.append([])
            sheet.append([neutralise(found["title"])])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.append([neutralise(h) for h in found["header"]])
            for row in found["rows"]:
                sheet.append([neutralise(cell) for cell in row])
        sheet.column_dimensions["A"].width = 60
    flags = book.create_sheet(_sheet_name(len(report.sections) + 1, _("Matters to address")))
    flags.append([_("Matters to address")])
    for flag in report.red_flags:
        flags.append([neutralise(flag)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet_name(number: int, title: str) -> str:
    # Sheet names are at most 31 characters and may not hold []:*?/\.
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in f"{number}. {title}")
    return cleaned[:31].strip()
