"""What satisfaction adds to printouts: the invitation to rate, with the code and a QR code, that
the case receipt carries (cases/pdf.py)."""

from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from records.pdf import FONT, STYLES, markup, para, text

from .tokens import case_token, kiosk_address, kiosk_link

#: The code for rating stands out: the applicant copies it by hand at the kiosk.
_CODE = ParagraphStyle("rating_code", parent=STYLES["body"], leading=21, spaceBefore=2)


def qr_code(value: str, size: float = 30 * mm) -> Drawing:
    """A QR code of ``value``, ``size`` points square, drawn by reportlab itself."""
    widget = QrCodeWidget(value, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0])
    drawing.add(widget)
    return drawing


def feedback_invitation(case, *, request=None) -> Table:
    """A boxed invitation to rate ``case`` at the kiosk: the address, the dossier code, the code
    for rating and a QR code that opens the kiosk with both filled in."""
    dossier, code = _("Dossier code"), _("Code for rating")
    words = [
        para(_("Rate our service"), "heading"),
        para(_("Once you have received the result, rate our service at the kiosk of the one-stop shop or at the "
               "address below (or scan the QR code), with the dossier code and the code for rating.")),
        markup(text(kiosk_address(request)), "small"),
        markup(f"<b>{text(dossier)}:</b> {text(case.reference)}"),
        Paragraph(f"<b>{text(code)}:</b> <font size=16><b>{text(case_token(case))}</b></font>", _CODE),
    ]
    box = Table([[words, qr_code(kiosk_link(case, request))]], colWidths=[140 * mm, 35 * mm])
    box.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BOX", (0, 0), (-1, -1), 0.75, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3 * mm),
    ]))
    return box
