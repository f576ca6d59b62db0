"""Working-time arithmetic on the awkward cases of a one-stop shop."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils.translation import override

from iso.calendar import WorkingCalendar
from iso.models import CalendarDay

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, time: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=HCM)


@pytest.fixture
def calendar():
    # Reunification Day and Labour Day 2026 fall on Thursday and Friday; Saturday 9 May is made up.
    return WorkingCalendar(
        holidays=[datetime.date(2026, 4, 30), datetime.date(2026, 5, 1)],
        make_up_days=[datetime.date(2026, 5, 9)],
        weekend_days=(5, 6),
        office_hours=(("07:30", "11:30"), ("13:30", "17:00")),
        tz=HCM,
    )


def test_a_working_day_is_seven_and_a_half_office_hours(calendar):
    assert calendar.hours_per_day == Decimal("7.5")


def test_a_case_received_on_friday_afternoon_is_due_on_monday_at_the_same_hour(calendar):
    assert calendar.add_working_days(at("2026-05-15", "15:00"), 1) == at("2026-05-18", "15:00")


def test_time_received_after_office_hours_starts_counting_the_next_working_morning(calendar):
    assert calendar.add_working_days(at("2026-05-15", "18:00"), Decimal("0.5")) == at("2026-05-18", "11:15")


def test_a_holiday_bridge_with_a_weekend_is_skipped(calendar):
    # Wednesday 16:00: one hour that day, then Thursday, Friday (holidays), Saturday, Sunday off.
    assert calendar.add_working_days(at("2026-04-29", "16:00"), 1) == at("2026-05-04", "16:00")


def test_a_make_up_saturday_counts_as_a_working_day(calendar):
    assert calendar.is_working_day(datetime.date(2026, 5, 9))
    assert calendar.add_working_days(at("2026-05-08", "16:00"), 1) == at("2026-05-09", "16:00")


def test_a_limit_in_hours_crosses_the_night(calendar):
    assert calendar.add_working_hours(at("2026-05-18", "16:00"), 4) == at("2026-05-19", "10:30")


def test_a_limit_in_hours_skips_the_lunch_break(calendar):
    assert calendar.add_working_hours(at("2026-05-18", "11:00"), 1) == at("2026-05-18", "14:00")


def test_a_zero_limit_is_due_at_once(calendar):
    assert calendar.add_working_hours(at("2026-05-18", "20:00"), 0) == at("2026-05-18", "20:00")


def test_working_time_between_two_moments_ignores_nights_weekends_and_holidays(calendar):
    assert calendar.working_hours_between(at("2026-05-15", "15:00"), at("2026-05-18", "15:00")) == Decimal("7.50")
    assert calendar.working_hours_between(at("2026-04-29", "16:00"), at("2026-05-04", "16:00")) == Decimal("7.50")
    assert calendar.working_hours_between(at("2026-05-18", "15:00"), at("2026-05-15", "15:00")) == Decimal("-7.50")


def test_adding_and_measuring_working_time_agree(calendar):
    start = at("2026-04-28", "09:10")
    for hours in (Decimal("0.25"), Decimal("3"), Decimal("7.5"), Decimal("19"), Decimal("60")):
        assert calendar.working_hours_between(start, calendar.add_working_hours(start, hours)) == hours


def test_utc_input_is_read_in_the_office_time_zone(calendar):
    friday_1500_in_hanoi = datetime.datetime(2026, 5, 15, 8, 0, tzinfo=datetime.UTC)
    assert calendar.add_working_days(friday_1500_in_hanoi, 1) == at("2026-05-18", "15:00")


def test_naive_datetimes_are_refused(calendar):
    with pytest.raises(ValueError, match="aware"):
        calendar.add_working_hours(datetime.datetime(2026, 5, 18, 9, 0), 1)


@pytest.mark.django_db
def test_the_configured_calendar_reads_holidays_and_make_up_days_from_the_database():
    CalendarDay.objects.create(date=datetime.date(2026, 9, 2), kind=CalendarDay.Kind.HOLIDAY, name="Quốc khánh")
    CalendarDay.objects.create(
        date=datetime.date(2026, 9, 5), kind=CalendarDay.Kind.MAKE_UP_WORKING_DAY, name="Làm bù"
    )
    calendar = WorkingCalendar.load()
    assert not calendar.is_working_day(datetime.date(2026, 9, 2))
    assert calendar.is_working_day(datetime.date(2026, 9, 5))
    assert calendar.hours_per_day == Decimal("7.5")


@pytest.mark.django_db
def test_the_calendar_is_imported_from_csv_all_or_nothing_and_twice_changes_nothing(tmp_path):
    good = tmp_path / "holidays.csv"
    good.write_text("date,kind,name\n2027-01-01,holiday,Tết Dương lịch\n2027-05-08,working_day,Làm bù\n", encoding="utf-8")
    call_command("import_calendar", str(good), stdout=io.StringIO())
    call_command("import_calendar", str(good), stdout=io.StringIO())
    assert list(CalendarDay.objects.values_list("date", "kind")) == [
        (datetime.date(2027, 1, 1), "holiday"), (datetime.date(2027, 5, 8), "working_day"),
    ]
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-09-02,holiday,Quốc khánh\n2027-13-01,holiday,\n", encoding="utf-8")
    err = io.StringIO()
    with override("en"), pytest.raises(CommandError, match="2 error"):
        call_command("import_calendar", str(bad), stderr=err)
    assert err.getvalue().splitlines() == [
        "row 3, column date: “2027-13-01” is not a date (use YYYY-MM-DD)",
        "row 3, column name: is required",
    ]
    assert not CalendarDay.objects.filter(date=datetime.date(2027, 9, 2)).exists()
