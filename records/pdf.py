"""Printouts: one document frame for every record, built with reportlab Platypus.

Every printout uses the Liberation Serif family shipped in records/fonts (a Times-metric serif
that covers Vietnamese; reportlab's built-in fonts drop its letters silently), text normalised
to NFC and escaped before it reaches a Paragraph, and the frame's header on every page:
organisation, title, document code, revision, effective date and "page X of Y".
"""

import datetime
import html
import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from iso.models import OrgUnit
from iso.signatures import last_signature, signatures_checked

from .selectors import disposal_minute_records

FONT = "LiberationSerif"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
#: Long tables are split into chunks of this many rows: one huge Table lays out far slower.
TABLE_CHUNK = 300


def register_fonts() -> None:
    """Register the shipped family once (regular, bold, italic, bold italic)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    faces = {"": "Regular", "-Bold": "Bold", "-Italic": "Italic", "-BoldItalic": "BoldItalic"}
    for suffix, face in faces.items():
        pdfmetrics.registerFont(TTFont(f"{FONT}{suffix}", FONT_DIR / f"LiberationSerif-{face}.ttf"))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=f"{FONT}-Bold", italic=f"{FONT}-Italic", boldItalic=f"{FONT}-BoldItalic"
    )


# Paragraphs look their font family up when they are built, before any document is rendered.
register_fonts()


def text(value) -> str:
    """User text made safe for a Paragraph: NFC, escaped, line breaks kept."""
    normalised = unicodedata.normalize("NFC", "" if value is None else str(value))
    return html.escape(normalised).replace("\n", "<br/>")


def _style(name: str, **options) -> ParagraphStyle:
    return ParagraphStyle(name, **{"fontName": FONT, "fontSize": 11, "leading": 14, **options})


STYLES = {
    "body": _style("body"),
    "small": _style("small", fontSize=9, leading=11),
    "cell": _style("cell", fontSize=9.5, leading=12),
    "title": _style("title", fontSize=15, leading=19, alignment=TA_CENTER, spaceAfter=8),
    "heading": _style("heading", fontSize=12, leading=15, spaceBefore=10, spaceAfter=4),
    "center": _style("center", alignment=TA_CENTER),
    "center_bold": _style("center_bold", alignment=TA_CENTER),
    "left": _style("left", alignment=TA_LEFT),
}
#: Styles set in bold through markup: reportlab maps <b> to the family's bold face, not a bold base font.
BOLD_STYLES = {"title", "heading", "center_bold"}


def para(value, style: str = "body") -> Paragraph:
    content = text(value)
    return Paragraph(f"<b>{content}</b>" if style in BOLD_STYLES else content, STYLES[style])


def markup(value: str, style: str = "body") -> Paragraph:
    """A paragraph from trusted markup (our own <b>, <i>); every user part must go through text()."""
    return Paragraph(unicodedata.normalize("NFC", value), STYLES[style])


def local_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def table(header: Sequence[str], rows: Iterable[Sequence], widths: Sequence[float]) -> list:
    """A grid with a repeated header row, split into chunks so that long tables stay fast."""
    head = [para(h, "cell") for h in header]
    style = TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8ecf2")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ])
    flowables, chunk = [], []
    for row in rows:
        chunk.append([cell if isinstance(cell, Paragraph) else para(cell, "cell") for cell in row])
        if len(chunk) == TABLE_CHUNK:
            flowables.append(Table([head, *chunk], colWidths=widths, repeatRows=1, style=style))
            chunk = []
    if chunk or not flowables:
        flowables.append(Table([head, *chunk], colWidths=widths, repeatRows=1, style=style))
    return flowables


@dataclass
class Signature:
    """One box of the prepared / reviewed / approved grid."""

    role: str
    name: str = ""
    date: datetime.date | datetime.datetime | None = None
    electronic: bool = False
    #: The meaning the signer stated, for an electronic signature.
    meaning: str = ""
    #: An electronic signature whose content changed after signing.
    broken: bool = False

    @classmethod
    def box(cls, role: str, checked=None, *, name: str = "", date=None) -> "Signature":
        """The box of ``role``: from an electronic signature (an iso.signatures.CheckedSignature)
        when there is one, else from the name and date the record carries."""
        if checked is None:
            return cls(role, name, date)
        signature = checked.signature
        return cls(
            role, signature.signer_name, signature.signed_at, electronic=True,
            meaning=signature.get_meaning_display(), broken=checked.broken,
        )


@dataclass
class Frame:
    """What the header of every page of a controlled record shows."""

    title: str
    code: str = ""
    revision: str = ""
    effective: datetime.date | None = None
    organisation: str = field(default_factory=lambda: OrgUnit.objects.organisation_name())


def _signature_note(signature: Signature) -> Paragraph:
    if not signature.date:
        return para("", "small")
    note = text(local_date(signature.date))
    if signature.electronic:
        note += " — " + text(_("signed electronically"))
        if signature.meaning:
            note += f" ({text(signature.meaning)})"
        if signature.broken:
            note += f'<br/><font color="#b00020"><b>{text(_("BROKEN: the content changed after signing"))}</b></font>'
    return markup(note, "small")


def signature_block(signatures: Sequence[Signature], *, pagesize: tuple[float, float] = A4) -> KeepTogether:
    heads = [para(s.role, "center_bold") for s in signatures]
    names = [para(s.name, "center") for s in signatures]
    dates = [_signature_note(s) for s in signatures]
    width = (pagesize[0] - 40 * mm) / len(signatures)
    grid = Table([heads, [Spacer(1, 14 * mm)] * len(signatures), names, dates], colWidths=[width] * len(signatures))
    grid.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BOX", (0, 0), (-1, -1), 0.5, colors.black),
        ("INNERGRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("ALIGN", (0, 0), (-1, -1), "CENTER"),
    ]))
    return KeepTogether([Spacer(1, 6 * mm), grid])


class _PagedCanvas(canvas.Canvas):
    """Keeps every page until the end so that each can say "page X of Y"."""

    def __init__(self, *args, frame: Frame, **kwargs):
        super().__init__(*args, **kwargs)
        self._frame = frame
        self._pages = []

    def showPage(self):  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self._draw_header(number, total)
            super().showPage()
        super().save()

    def _draw_header(self, number: int, total: int) -> None:
        frame = self._frame
        width, height = self._pagesize
        left, right, top = 20 * mm, width - 15 * mm, height - 12 * mm
        self.setStrokeColor(colors.black)
        self.setLineWidth(0.5)
        self.rect(left, top - 16 * mm, right - left, 16 * mm)
        self.line(left + 55 * mm, top - 16 * mm, left + 55 * mm, top)
        self.line(right - 48 * mm, top - 16 * mm, right - 48 * mm, top)
        self.setFont(f"{FONT}-Bold", 8.5)
        for index, line in enumerate(_wrap(frame.organisation.upper(), f"{FONT}-Bold", 8.5, 51 * mm)[:3]):
            self.drawCentredString(left + 27.5 * mm, top - 5 * mm - index * 4 * mm, line)
        self.setFont(f"{FONT}-Bold", 10.5)
        middle = (left + 55 * mm + right - 48 * mm) / 2
        for index, line in enumerate(_wrap(frame.title.upper(), f"{FONT}-Bold", 10.5, right - left - 107 * mm)[:3]):
            self.drawCentredString(middle, top - 5.5 * mm - index * 4.5 * mm, line)
        self.setFont(FONT, 8.5)
        facts = [
            _("Code: %(code)s") % {"code": frame.code} if frame.code else "",
            _("Revision: %(revision)s") % {"revision": frame.revision} if frame.revision else "",
            _("Effective: %(date)s") % {"date": local_date(frame.effective)} if frame.effective else "",
            _("Page %(number)s of %(total)s") % {"number": number, "total": total},
        ]
        for index, fact in enumerate(f for f in facts if f):
            self.drawString(right - 46 * mm, top - 4 * mm - index * 3.6 * mm, fact)


def _wrap(value: str, font: str, size: float, width: float) -> list[str]:
    """Words broken into lines that fit ``width`` points in ``font`` at ``size``."""
    words, lines, line = unicodedata.normalize("NFC", value).split(), [], ""
    for word in words:
        if line and pdfmetrics.stringWidth(f"{line} {word}", font, size) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


def render(
    frame: Frame, story: list, *, signatures: Sequence[Signature] = (), pagesize: tuple[float, float] = A4
) -> bytes:
    """A controlled record as PDF bytes: the frame on every page, the story, the signature grid.

    Registers with many columns pass ``pagesize=landscape(A4)``.
    """
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=pagesize, leftMargin=20 * mm, rightMargin=15 * mm, topMargin=32 * mm, bottomMargin=15 * mm,
        title=unicodedata.normalize("NFC", frame.title), author=frame.organisation,
    )
    flowables = list(story)
    if signatures:
        flowables.append(signature_block(signatures, pagesize=pagesize))
    document.build(flowables, canvasmaker=lambda *a, **k: _PagedCanvas(*a, frame=frame, **k))
    return buffer.getvalue()


def official_date(value: datetime.date) -> str:
    """"ngày 05 tháng 01 năm 2026": a leading zero for days under 10 and for January and February."""
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return _("day %(day)s month %(month)s year %(year)s") % {"day": f"{value.day:02d}", "month": month, "year": value.year}


@dataclass
class OfficialLetter:
    """An administrative document in the layout of Decree 30/2020: issuing body and number at the
    top left, national title and motto at the top right, place and date, title, body, signer.

    ``body`` holds lines of text (each a justified paragraph) or ready flowables (headings, tables:
    see :func:`letter_para`). ``signers`` replaces the single signer when a document is signed by
    several people (a minute: the secretary on the left, the chair on the right); each box shows an
    electronic signature's note between the title and the name.
    """

    issuing_body: str
    number: str
    place: str
    date: str
    title: str
    body: Sequence
    signer_title: str = ""
    signer: str = ""
    issuing_unit: str = ""
    recipients: Sequence[str] = ()
    signers: Sequence[Signature] = ()


LETTER_SIZE = {"fontSize": 13, "leading": 17}
LETTER_STYLES = {
    "body": _style("letter_body", firstLineIndent=10 * mm, spaceAfter=6, alignment=4, **LETTER_SIZE),
    "plain": _style("letter_plain", spaceAfter=4, alignment=4, **LETTER_SIZE),
    "heading": _style("letter_heading", spaceBefore=6, spaceAfter=4, keepWithNext=1, **LETTER_SIZE),
    "centre": _style("letter_centre", alignment=TA_CENTER, **LETTER_SIZE),
}


def letter_para(value, style: str = "body") -> Paragraph:
    """User text as a paragraph of an official letter: ``body`` (indented, justified), ``plain``
    (not indented), ``heading`` (bold) or ``centre``."""
    content = text(value)
    return Paragraph(f"<b>{content}</b>" if style == "heading" else content, LETTER_STYLES[style])


def _page_number_from_two(canvas_, document) -> None:
    if document.page >= 2:
        canvas_.setFont(FONT, 13)
        canvas_.drawCentredString(document.pagesize[0] / 2, document.pagesize[1] - 12 * mm, str(document.page))


def _signer_box(signer: Signature) -> list:
    centre = LETTER_STYLES["centre"]
    # An unsigned box keeps the note's line, so the names of side-by-side signers stay level.
    note = _signature_note(signer) if signer.date else Spacer(1, STYLES["small"].leading)
    return [Paragraph(f"<b>{text(signer.role)}</b>", centre), Spacer(1, 4 * mm), note, Spacer(1, 12 * mm),
            Paragraph(f"<b>{text(signer.name)}</b>", centre)]


def render_letter(letter: OfficialLetter) -> bytes:
    """The letter as PDF bytes: A4, Times-metric serif 13 pt, margins 30/15/20/20 mm, page numbers
    at the top centre from page 2. The national title and motto are settings, like all law."""
    from django.conf import settings

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=30 * mm, rightMargin=15 * mm, topMargin=20 * mm, bottomMargin=20 * mm,
        title=unicodedata.normalize("NFC", letter.title),
    )
    centre = LETTER_STYLES["centre"]
    left_head = [markup(text(letter.issuing_body.upper()), "center")]
    if letter.issuing_unit:
        left_head.append(markup(f"<b>{text(letter.issuing_unit.upper())}</b>", "center"))
    left_head += [markup("_______", "center"), markup(text(letter.number), "center")]
    right_head = [
        markup(f"<b>{text(settings.OFFICIAL_NATIONAL_TITLE)}</b>", "center"),
        markup(f"<b><u>{text(settings.OFFICIAL_MOTTO)}</u></b>", "center"),
        Spacer(1, 4 * mm),
        Paragraph(f"<i>{text(letter.place)}, {text(letter.date)}</i>", centre),
    ]
    heading = Table([[left_head, right_head]], colWidths=[65 * mm, 100 * mm])
    heading.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT)]))
    if letter.signers:
        boxes = [_signer_box(s) for s in letter.signers]
        # The main signer stands on the right, as the decree places the signature.
        cells = ["", *boxes] if len(boxes) == 1 else boxes
        widths = [70 * mm, 95 * mm] if len(boxes) == 1 else [165 * mm / len(boxes)] * len(boxes)
        signer = Table([cells], colWidths=widths)
    else:
        signer = Table(
            [["", [Paragraph(f"<b>{text(letter.signer_title)}</b>", centre), Spacer(1, 22 * mm),
                   Paragraph(f"<b>{text(letter.signer)}</b>", centre)]]],
            colWidths=[70 * mm, 95 * mm],
        )
    signer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FONT)]))
    # Outside the f-string: makemessages does not see a call inside one.
    recipients_label = _("Recipients:")
    recipients = [markup(f"<b><i>{text(recipients_label)}</i></b>", "small")]
    recipients += [markup(f"- {text(r)};", "small") for r in letter.recipients]
    story = [
        heading,
        Spacer(1, 8 * mm),
        Paragraph(f"<b>{text(letter.title)}</b>", centre),
        Spacer(1, 6 * mm),
        *[line if isinstance(line, Flowable) else letter_para(line) for line in letter.body],
        Spacer(1, 4 * mm),
        KeepTogether([signer]),
        Spacer(1, 4 * mm),
        *recipients,
    ]
    document.build(story, onFirstPage=_page_number_from_two, onLaterPages=_page_number_from_two)
    return buffer.getvalue()


def pdf_response(content: bytes, filename: str):
    """A PDF that opens in the browser, saved under a sensible name."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def revision_signatures(revision) -> list[Signature]:
    """The prepared / approved / published boxes of a controlled revision (iso.revisions), each from
    its electronic signature when there is one."""
    signed = signatures_checked(revision)
    return [
        Signature(_("Prepared by"), revision.author.get_full_name(), revision.created_at),
        Signature.box(
            _("Approved by"), last_signature(signed, "approve"),
            name=revision.approved_by.get_full_name() if revision.approved_by else "", date=revision.approved_at,
        ),
        Signature.box(
            _("Published by"), last_signature(signed, "publish"),
            name=revision.published_by.get_full_name() if revision.published_by else "", date=revision.effective_from,
        ),
    ]


def revision_history_table(revisions) -> list:
    """The revision history of a controlled document: number, effective date, change summary."""
    return table(
        [_("Revision"), _("Effective date"), _("Change summary")],
        ([r.number, local_date(r.effective_from), r.change_summary] for r in revisions),
        [20 * mm, 30 * mm, 125 * mm],
    )


def disposal_minute_pdf(minute) -> bytes:
    """The printable minute: its facts, the table of disposed records, the approver's signature."""
    records = disposal_minute_records(minute=minute)
    story = [
        para(_("Minute of the disposal of records No. %(number)s") % {"number": minute.number}, "title"),
        para(_("Date: %(date)s") % {"date": local_date(minute.date)}),
        para(_("Disposal method: %(method)s") % {"method": minute.method}),
    ]
    if minute.members:
        story += [para(_("Members of the disposal council"), "heading"), para(minute.members)]
    story.append(para(_("Records disposed of"), "heading"))
    story += table(
        [_("No."), _("Code"), _("Title"), _("Record date"), _("SHA-256"), _("Kept until")],
        (
            [str(index), record.reference, record.title, local_date(record.record_date),
             record.sha256_short or "—", local_date(record.retention_end) or _("Permanent")]
            for index, record in enumerate(records, start=1)
        ),
        [10 * mm, 38 * mm, 55 * mm, 22 * mm, 25 * mm, 22 * mm],
    )
    if minute.notes:
        story += [para(_("Notes"), "heading"), para(minute.notes)]
    frame = Frame(title=_("Minute of the disposal of records"), code=minute.number, effective=minute.date)
    checked = last_signature(signatures_checked(minute), "approve")
    return render(
        frame, story,
        signatures=[Signature.box(_("Approved by"), checked, name=minute.approved_by.get_full_name(), date=minute.date)],
    )


def records_register_pdf(record_types) -> bytes:
    """The register of quality records (danh mục hồ sơ): every record type, who keeps it, where,
    for how long and how it is disposed of, with the number of records kept today."""
    story = [para(_("Register of quality records"), "title")]
    story += table(
        [_("No."), _("Code"), _("Name"), _("Procedure / form"), _("Kept by"), _("Location"), _("Retention"),
         _("Disposal method"), _("Kept")],
        (
            [str(index), record_type.code, record_type.name,
             " / ".join(filter(None, [
                 record_type.procedure.code if record_type.procedure_id else "",
                 record_type.form.code if record_type.form_id else "",
             ])) or "—",
             record_type.keeper or "—", record_type.location or "—", record_type.retention_display,
             record_type.disposal_method or "—", str(record_type.kept_count)]
            for index, record_type in enumerate(record_types, start=1)
        ),
        [10 * mm, 24 * mm, 62 * mm, 28 * mm, 36 * mm, 40 * mm, 18 * mm, 32 * mm, 12 * mm],
    )
    frame = Frame(title=_("Register of quality records"), effective=timezone.localdate())
    return render(
        frame, story, signatures=[Signature(_("Prepared by")), Signature(_("Approved by"))], pagesize=landscape(A4)
    )
