"""Loading the working calendar (holidays and make-up working days) from CSV or XLSX."""

import datetime
from dataclasses import dataclass

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

from .models import CalendarDay
from .versioning import edit_stamp

KINDS = {
    "holiday": CalendarDay.Kind.HOLIDAY,
    "working_day": CalendarDay.Kind.MAKE_UP_WORKING_DAY,
}


@dataclass(frozen=True)
class RowError:
    """One bad cell of an imported file: its row as a spreadsheet numbers it (header = row 1),
    its column when one is to blame, and why."""

    row: int
    column: str | None
    message: str

    def __str__(self):
        if self.column:
            return _("row %(row)s, column %(column)s: %(message)s") % {
                "row": self.row, "column": self.column, "message": self.message,
            }
        return _("row %(row)s: %(message)s") % {"row": self.row, "message": self.message}


class CalendarImportError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(str(value).strip(), fmt).date()
        except ValueError:
            continue
    return None


def calendar_import(dataset: tablib.Dataset) -> int:
    """Add or update the days of ``dataset`` (columns date, kind, name), all or none.

    A day already in the calendar is updated in place, so importing the same file twice
    changes nothing. Returns the number of rows written.
    """
    headers = [str(h or "").strip() for h in dataset.headers or []]
    missing = [name for name in ("date", "kind", "name") if name not in headers]
    if missing:
        raise CalendarImportError([_("row 1, column %(column)s: this required column is missing") % {"column": c} for c in missing])
    errors, days, seen = [], {}, set()
    for index, values in enumerate(dataset, start=2):
        row = dict(zip(headers, values, strict=False))
        date = _date(row.get("date") or "")
        kind = str(row.get("kind") or "").strip()
        name = str(row.get("name") or "").strip()
        if date is None:
            errors.append(_("row %(row)s, column date: “%(value)s” is not a date (use YYYY-MM-DD)") % {"row": index, "value": row.get("date")})
        elif date in seen:
            errors.append(_("row %(row)s, column date: %(date)s appears twice in the file") % {"row": index, "date": date})
        if kind not in KINDS:
            errors.append(_("row %(row)s, column kind: must be holiday or working_day, not “%(value)s”") % {"row": index, "value": kind})
        if not name:
            errors.append(_("row %(row)s, column name: is required") % {"row": index})
        if date is not None:
            seen.add(date)
            days[date] = (KINDS.get(kind), name)
    if errors:
        raise CalendarImportError(errors)
    with transaction.atomic():
        existing = CalendarDay.objects.select_for_update().in_bulk(list(days), field_name="date")
        for date, (kind, name) in days.items():
            day = existing.get(date)
            if day is None:
                CalendarDay.objects.create(date=date, kind=kind, name=name)
            elif (day.kind, day.name) != (kind, name):
                day.kind, day.name = kind, name
                # A day open in the admin since must not be saved back over the imported one.
                day.save(update_fields=["kind", "name", *edit_stamp(day, by=None)])
    return len(days)
