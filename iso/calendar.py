"""Working-time arithmetic: the one place that knows weekends, holidays, make-up working days and
office hours.

Time limits are counted in working time. A limit in working days is that many whole office days
of working hours (7.5 hours with the default 07:30–11:30 and 13:30–17:00), so that a case
received on Friday at 15:00 with one working day is due on Monday at 15:00, and half a day is
half of that. Time outside office hours does not count.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

#: Working time is counted in seconds internally; the unit users see is the hour.
HOUR = 3600

#: The calendar never walks further than this looking for working time: a limit beyond it is a data error.
MAX_DAYS = 3660


def _parse_time(value: str | datetime.time) -> datetime.time:
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(value)


class WorkingCalendar:
    """Weekends, exceptions (holidays on weekdays, make-up working days on weekends) and office hours."""

    def __init__(
        self,
        *,
        holidays: Iterable[datetime.date] = (),
        make_up_days: Iterable[datetime.date] = (),
        weekend_days: Iterable[int] | None = None,
        office_hours: Iterable[tuple[str, str]] | None = None,
        tz: datetime.tzinfo | None = None,
    ):
        self.holidays = frozenset(holidays)
        self.make_up_days = frozenset(make_up_days)
        self.weekend_days = frozenset(settings.WEEKEND_DAYS if weekend_days is None else weekend_days)
        periods = settings.OFFICE_HOURS if office_hours is None else office_hours
        self.office_hours = tuple((_parse_time(start), _parse_time(end)) for start, end in periods)
        self.tz = tz or ZoneInfo(settings.TIME_ZONE)
        for start, end in self.office_hours:
            if end <= start:
                raise ValueError(f"Office period {start}–{end} ends before it starts.")

    @classmethod
    def load(cls) -> "WorkingCalendar":
        """The calendar as configured: settings for the week, iso.CalendarDay for the exceptions."""
        from .models import CalendarDay

        days = CalendarDay.objects.values_list("date", "kind")
        holidays, make_up = [], []
        for date, kind in days:
            (holidays if kind == CalendarDay.Kind.HOLIDAY else make_up).append(date)
        return cls(holidays=holidays, make_up_days=make_up)

    @cached_property
    def seconds_per_day(self) -> int:
        return sum(
            (datetime.datetime.combine(datetime.date.min, end) - datetime.datetime.combine(datetime.date.min, start)).seconds
            for start, end in self.office_hours
        )

    @property
    def hours_per_day(self) -> Decimal:
        return Decimal(self.seconds_per_day) / HOUR

    def is_working_day(self, date: datetime.date) -> bool:
        if date in self.make_up_days:
            return True
        if date in self.holidays:
            return False
        return date.weekday() not in self.weekend_days

    def periods(self, date: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """The office periods of ``date`` as aware datetimes; none on a day off."""
        if not self.is_working_day(date):
            return []
        return [
            (
                datetime.datetime.combine(date, start, tzinfo=self.tz),
                datetime.datetime.combine(date, end, tzinfo=self.tz),
            )
            for start, end in self.office_hours
        ]

    def _local(self, moment: datetime.datetime) -> datetime.datetime:
        if timezone.is_naive(moment):
            raise ValueError("Working-time arithmetic needs aware datetimes.")
        return moment.astimezone(self.tz)

    def add_working_seconds(self, start: datetime.datetime, seconds: float) -> datetime.datetime:
        """The moment when ``seconds`` of working time have passed since ``start``."""
        moment = self._local(start)
        remaining = float(seconds)
        if remaining <= 0:
            return moment
        date = moment.date()
        for _ in range(MAX_DAYS):
            for period_start, period_end in self.periods(date):
                begin = max(period_start, moment)
                if begin >= period_end:
                    continue
                available = (period_end - begin).total_seconds()
                if remaining <= available:
                    return begin + datetime.timedelta(seconds=remaining)
                remaining -= available
            date += datetime.timedelta(days=1)
        raise ValueError(f"No working time found within {MAX_DAYS} days of {start}.")

    def add_working_hours(self, start: datetime.datetime, hours: Decimal | float) -> datetime.datetime:
        return self.add_working_seconds(start, float(hours) * HOUR)

    def add_working_days(self, start: datetime.datetime, days: Decimal | float) -> datetime.datetime:
        return self.add_working_seconds(start, float(days) * self.seconds_per_day)

    def working_seconds_between(self, start: datetime.datetime, end: datetime.datetime) -> float:
        """Working time between two moments (negative when ``end`` is before ``start``)."""
        start, end = self._local(start), self._local(end)
        if end < start:
            return -self.working_seconds_between(end, start)
        total = 0.0
        date = start.date()
        while date <= end.date():
            for period_start, period_end in self.periods(date):
                overlap = (min(period_end, end) - max(period_start, start)).total_seconds()
                if overlap > 0:
                    total += overlap
            date += datetime.timedelta(days=1)
        return total

    def working_hours_between(self, start: datetime.datetime, end: datetime.datetime) -> Decimal:
        return (Decimal(self.working_seconds_between(start, end)) / HOUR).quantize(Decimal("0.01"))

    def to_working_seconds(self, amount: Decimal | float, unit: str) -> float:
        """A time limit in ``working_days`` or ``working_hours`` as working seconds."""
        if unit == "working_days":
            return float(amount) * self.seconds_per_day
        if unit == "working_hours":
            return float(amount) * HOUR
        raise ValueError(f"Unknown time unit {unit!r}.")
