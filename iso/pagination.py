"""Keyset (seek) pagination: a page is found from the last row seen, never by OFFSET and COUNT,
so the thousandth page of five million rows costs what the first one does.

The rows are read from one or more querysets one after the other (the segments: for the case
list, the cases still running, then the others), each ordered by one field and then the primary
key. A cursor names a row as (segment, field value, primary key).
"""

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet


@dataclass
class KeysetPage:
    """One page of rows, with the cursors of the pages before and after it (None at either end)."""

    object_list: list
    next_cursor: str | None
    previous_cursor: str | None

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _encode(segment: int, value, pk) -> str:
    raw = json.dumps([segment, value.isoformat() if hasattr(value, "isoformat") else value, pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str | None, segments: Sequence[QuerySet], field: str):
    """(segment, value, pk) of a cursor, or None for a missing or mangled one (the first page)."""
    if not cursor:
        return None
    try:
        segment, value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        model = segments[segment].model
        return (segment, model._meta.get_field(field).to_python(value), model._meta.pk.to_python(pk))
    except (ValueError, TypeError, IndexError, ValidationError):
        return None


def _beyond(field: str, value, pk, forward: bool) -> Q:
    # The plain bound on the field lets the database start its index scan at the cursor.
    op = "gt" if forward else "lt"
    bound = Q(**{f"{field}__{op}e": value})
    return bound & (Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk}))


def _walk(segments, field: str, start, need: int, forward: bool) -> list[tuple[int, object]]:
    rows: list[tuple[int, object]] = []
    order = (field, "pk") if forward else (f"-{field}", "-pk")
    indexes = range(len(segments)) if forward else range(len(segments) - 1, -1, -1)
    for index in indexes:
        if start is not None and (index < start[0] if forward else index > start[0]):
            continue
        rows_of = segments[index]
        if start is not None and index == start[0]:
            rows_of = rows_of.filter(_beyond(field, start[1], start[2], forward))
        rows.extend((index, row) for row in rows_of.order_by(*order)[: need - len(rows)])
        if len(rows) >= need:
            break
    return rows


def keyset_page(
    segments: Sequence[QuerySet], *, field: str, size: int, after: str | None = None, before: str | None = None
) -> KeysetPage:
    """The page of ``size`` rows of ``segments`` after the cursor ``after`` (or before ``before``);
    the first page without either. One query per segment read, at most."""
    start = _decode(after, segments, field)
    end = None if start else _decode(before, segments, field)
    if end is not None:
        rows = _walk(segments, field, end, size + 1, forward=False)
        if len(rows) > size:
            page = list(reversed(rows[:size]))
            return _page(page, field, has_previous=True, has_next=True)
        start = None  # fewer than a page before it: that is the first page
    rows = _walk(segments, field, start, size + 1, forward=True)
    return _page(rows[:size], field, has_previous=start is not None, has_next=len(rows) > size)


def _page(rows, field: str, *, has_previous: bool, has_next: bool) -> KeysetPage:
    if not rows:
        return KeysetPage([], None, None)
    first, last = rows[0], rows[-1]
    return KeysetPage(
        [row for _segment, row in rows],
        next_cursor=_encode(last[0], getattr(last[1], field), last[1].pk) if has_next else None,
        previous_cursor=_encode(first[0], getattr(first[1], field), first[1].pk) if has_previous else None,
    )
