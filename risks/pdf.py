"""The printable register of risks and opportunities: its heat map and every risk, landscape A4 in
the shared frame of records/pdf.py."""

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Table, TableStyle

from records.pdf import FONT, Frame, Signature, local_date, para, render, table

from .models import Band
from .selectors import HeatMap

#: The colour of each band, as on the page.
BAND_COLOURS = {
    Band.LOW: colors.HexColor("#cfead5"),
    Band.MEDIUM: colors.HexColor("#fbeab0"),
    Band.HIGH: colors.HexColor("#f8c99a"),
    Band.CRITICAL: colors.HexColor("#f2a39d"),
}


def heat_map_table(heat: HeatMap) -> Table:
    """The heat map as a grid: likelihood down the side (highest on top), impact along the bottom,
    each cell the number of open risks, coloured by its band."""
    rows = [[para(f"{likelihood} {name}".strip(), "cell")] + [str(cell.count or "") for cell in cells]
            for likelihood, name, cells in heat.rows]
    rows.append([para(_("Likelihood ↑ / impact →"), "cell")] + [para(f"{point} {name}".strip(), "cell") for point, name in heat.impacts])
    size = heat.scale.size
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (1, 0), (-1, -2), 12),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("ALIGN", (1, 0), (-1, -2), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for row_index, (_likelihood, _name, cells) in enumerate(heat.rows):
        for column_index, cell in enumerate(cells, start=1):
            style.append(("BACKGROUND", (column_index, row_index), (column_index, row_index), BAND_COLOURS[cell.band]))
    width = min(24 * mm, 150 * mm / size)
    return Table(rows, colWidths=[45 * mm] + [width] * size, rowHeights=[9 * mm] * size + [None], style=TableStyle(style))


def risk_register_pdf(risks, heat: HeatMap) -> bytes:
    """The register (sổ đăng ký rủi ro và cơ hội): the heat map of the open risks, then each risk
    with its source, owner, rating, band, state, next review and open treatment actions."""
    scale = heat.scale
    story = [
        para(_("Register of risks and opportunities"), "title"),
        para(_("Heat map of the open risks and opportunities (%(total)s rated, %(unrated)s not yet rated)")
             % {"total": heat.total, "unrated": heat.unrated}, "heading"),
        heat_map_table(heat),
        para(_("Register"), "heading"),
    ]
    bands = dict(Band.choices)
    overdue = _("review overdue")
    story += table(
        [_("No."), _("Reference"), _("Kind"), _("Title"), _("Source"), _("Unit"), _("Owner"),
         _("L"), _("I"), _("Level"), _("State"), _("Next review"), _("Open actions")],
        (
            [str(index), risk.reference, risk.get_kind_display(), risk.title,
             " — ".join(filter(None, [risk.get_source_display(), risk.source_detail])),
             risk.unit.name, risk.owner.get_full_name(),
             str(risk.likelihood or "—"), str(risk.impact or "—"),
             f"{risk.level} ({bands[scale.band(risk.level)]})" if risk.level else "—",
             risk.get_state_display(),
             local_date(risk.review_date) + (f" ({overdue})" if risk.review_overdue else ""),
             str(risk.open_actions)]
            for index, risk in enumerate(risks, start=1)
        ),
        [11 * mm, 24 * mm, 21 * mm, 40 * mm, 30 * mm, 26 * mm, 22 * mm, 7 * mm, 7 * mm, 20 * mm, 18 * mm, 21 * mm, 15 * mm],
    )
    story.append(para(
        _("Scale %(size)s × %(size)s; level = likelihood × impact. Bands: low below %(medium)s, medium from %(medium)s, "
          "high from %(high)s, critical from %(critical)s.")
        % {"size": scale.size, "medium": scale.medium_from, "high": scale.high_from, "critical": scale.critical_from},
        "small",
    ))
    frame = Frame(title=_("Register of risks and opportunities"), effective=timezone.localdate())
    return render(
        frame, story, signatures=[Signature(_("Prepared by")), Signature(_("Approved by"))], pagesize=landscape(A4)
    )


