"""Every automatic indicator on hand-made data (tests/objectives/conftest.py), with the figures
worked out by hand beside each assertion."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from audits import services as audit_services
from iso.workflows import transition_apply
from objectives.indicators import INDICATORS, Indicator, register

from .conftest import HALF_YEAR, YEAR, nonconformity

pytestmark = pytest.mark.django_db

D = Decimal


def months(first: int, last: int, year: int = YEAR) -> list[tuple[datetime.date, datetime.date]]:
    return [(datetime.date(year, m, 1), datetime.date(year + m // 12, m % 12 + 1, 1)) for m in range(first, last + 1)]


# On-time rate of cases


def test_the_on_time_rate_is_the_dashboards_figure_with_waiting_time_excluded(cases):
    rate = INDICATORS["case_on_time_rate"]
    # Resolved: a1 a2 m1 m2 m3 c1 q1 (7); early or on time: a1 m1 m2 m3 c1 (5). 5 ÷ 7 = 71.43%.
    assert rate.compute(*HALF_YEAR) == D("71.43")
    # m3 was resolved on Friday, after its first due date (Tuesday 14:00), yet it counts as on time:
    # the four days waiting for the supplement do not count against the limit.
    m3 = cases["m3"]
    assert m3.resolved_at > datetime.datetime(2026, 5, 19, 7, tzinfo=datetime.UTC) and m3.timing in ("early", "on_time")


def test_the_on_time_rate_follows_the_denominator_setting(cases, settings):
    settings.ON_TIME_RATE_DENOMINATOR = "received"
    # Received: the nine cases; 5 ÷ 9 = 55.56%.
    assert INDICATORS["case_on_time_rate"].compute(*HALF_YEAR) == D("55.56")


def test_the_on_time_rate_per_unit_and_per_procedure(cases, unit, commune, birth, land):
    compute = INDICATORS["case_on_time_rate"].compute
    # The unit without the commune's c1: resolved a1 a2 m1 m2 m3 q1 (6), on time a1 m1 m2 m3 (4) = 66.67%.
    assert compute(*HALF_YEAR, unit=unit) == D("66.67")
    assert compute(*HALF_YEAR, unit=commune) == D("100.00")
    # QT-06 without q1: resolved 6, on time 5 = 83.33%; QT-07: its one late case = 0%.
    assert compute(*HALF_YEAR, procedure=birth) == D("83.33")
    assert compute(*HALF_YEAR, procedure=land) == D("0.00")
    assert compute(*HALF_YEAR, unit=commune, procedure=land) is None


def test_the_on_time_rate_by_month_in_two_queries(cases, django_assert_num_queries):
    rate = INDICATORS["case_on_time_rate"]
    # The dashboard's tallies by month, then the cases still open and overdue now: never one per month.
    with django_assert_num_queries(2):
        values = rate.months(months(1, 6))
    # April: a1 early, a2 late = 50%; May: m1 m2 m3 c1 on time, q1 late = 80%; no case otherwise.
    assert values == [None, None, None, D("50.00"), D("80.00"), None]
    assert values[3:5] == [rate.compute(*months(4, 4)[0]), rate.compute(*months(5, 5)[0])]


def test_no_case_is_no_data_not_zero(db):
    assert INDICATORS["case_on_time_rate"].compute(*HALF_YEAR) is None
    assert INDICATORS["case_on_time_rate"].months(months(1, 2)) == [None, None]


# Nonconformities closed on time


def test_the_share_of_nonconformities_closed_on_time(nonconformities):
    share = INDICATORS["nonconformities_closed_on_time"]
    # Due in the half year and judged: n1 n2 n3 n4 n6 (n5 rejected, n7 undated, n8 due in July).
    # Closed by the due date: n1, n2 (23:30 on the day), n6; n3 was closed the next morning; n4 is open.
    # 3 ÷ 5 = 60%.
    assert share.compute(*HALF_YEAR) == D("60.00")


def test_the_share_for_one_unit(nonconformities, unit, commune):
    compute = INDICATORS["nonconformities_closed_on_time"].compute
    assert compute(*HALF_YEAR, unit=unit) == D("50.00")  # n1 n2 of n1 n2 n3 n4
    assert compute(*HALF_YEAR, unit=commune) == D("100.00")  # n6


def test_the_share_by_month_of_due_date_in_one_query(nonconformities, django_assert_num_queries):
    share = INDICATORS["nonconformities_closed_on_time"]
    with django_assert_num_queries(1):
        values = share.months(months(1, 7))
    # March: n1 n2 on time, n3 late = 66.67%; April: n6 on time, n4 late = 50%; July: n8 = 100%.
    assert values == [None, None, D("66.67"), D("50.00"), None, None, D("100.00")]


def test_an_open_nonconformity_not_yet_due_is_not_counted(unit, secretary, handler):
    today = timezone.localdate()
    nonconformity(unit=unit, by=secretary, owner=handler, due=(today + datetime.timedelta(days=5)).isoformat())
    period = (today - datetime.timedelta(days=30), today + datetime.timedelta(days=30))
    assert INDICATORS["nonconformities_closed_on_time"].compute(*period) is None
    nonconformity(unit=unit, by=secretary, owner=handler, due=(today - datetime.timedelta(days=1)).isoformat())
    assert INDICATORS["nonconformities_closed_on_time"].compute(*period) == D("0.00")


# Audit programme completion


def test_the_programme_completion_leaves_cancelled_audits_out(programme):
    completion = INDICATORS["audit_programme_completion"]
    # Audits 1 and 2 of the four not cancelled are reported by mid-June: 50%.
    assert completion.compute(*HALF_YEAR) == D("50.00")


def test_the_programme_completion_at_each_months_end_in_one_query(programme, django_assert_num_queries):
    completion = INDICATORS["audit_programme_completion"]
    with django_assert_num_queries(1):
        values = completion.months(months(1, 6))
    # Audit 1 reported on 15 March, audit 2 on 20 May; of four: 0, 0, 25, 25, 50, 50.
    assert values == [D("0.00"), D("0.00"), D("25.00"), D("25.00"), D("50.00"), D("50.00")]


def test_a_year_without_programme_or_with_every_audit_cancelled_has_no_data(secretary, lead, justice):
    completion = INDICATORS["audit_programme_completion"]
    assert completion.compute(*HALF_YEAR) is None
    programme = audit_services.programme_create(year=YEAR, title="Chương trình", by=secretary)
    audit = audit_services.audit_plan(
        programme=programme, by=secretary, reference="ĐG-X", title="X", units=[justice],
        planned_start=datetime.date(YEAR, 3, 1), planned_end=datetime.date(YEAR, 3, 1), lead_auditor=lead,
    )
    assert completion.compute(*HALF_YEAR) == D("0.00")
    transition_apply(audit, "cancel", by=secretary, comment="Không thực hiện")
    assert completion.compute(*HALF_YEAR) is None


# Satisfaction index


def _feedback(given_on: str, unit=None, **scores):
    from tests.factories import FeedbackFactory, ResolvedCaseFactory

    case = ResolvedCaseFactory(unit=unit) if unit else ResolvedCaseFactory()
    return FeedbackFactory(case=case, given_on=datetime.date.fromisoformat(given_on), scores=scores)


def test_the_satisfaction_index_is_the_satisfaction_pages_figure_by_month_and_unit(commune, django_assert_num_queries):
    index = INDICATORS["satisfaction_index"]
    _feedback(f"{YEAR}-01-10", staff_attitude=5, costs=4, return_time=2)
    _feedback(f"{YEAR}-01-31", unit=commune, staff_attitude=1)
    _feedback(f"{YEAR}-03-01", unit=commune, staff_attitude=4, costs=5)
    _feedback(f"{YEAR}-06-16", staff_attitude=1)  # the day the period ends: excluded

    # January: 5, 4, 2, 1 → 2 of 4 = 50%; March: 4, 5 → 100%; the half year: 4 of 6 = 66.67%.
    assert index.compute(*HALF_YEAR) == D("66.67")
    # The commune only: 1, 4, 5 → 2 of 3.
    assert index.compute(*HALF_YEAR, unit=commune) == D("66.67")
    with django_assert_num_queries(1):
        assert index.months(months(1, 3)) == [D("50.00"), None, D("100.00")]
    assert index.months(months(1, 3), unit=commune) == [D("0.00"), None, D("100.00")]


# The registry


def test_an_indicator_is_added_with_one_entry_and_computed_month_by_month_without_a_grouped_query(db):
    calls = []

    def constant(start, end, *, unit=None):
        calls.append((start, end, unit))
        return D("4.5")

    try:
        register(Indicator(key="test_constant", label="Hằng số", compute=constant, parameters=("unit",), unit_of_measure="điểm"))
        indicator = INDICATORS["test_constant"]
        assert indicator.months(months(1, 2)) == [D("4.5"), D("4.5")]
        assert [call[:2] for call in calls] == months(1, 2)
        with pytest.raises(ValueError, match="registered already"):
            register(indicator)
        with pytest.raises(ValueError, match="unknown parameters: channel"):
            register(Indicator(key="other", label="Khác", compute=constant, parameters=("channel",)))
    finally:
        INDICATORS.pop("test_constant", None)
