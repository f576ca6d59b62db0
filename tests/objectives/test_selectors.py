"""An objective's performance (year to date, months, status) and the report of a year or a period."""

import datetime
from decimal import Decimal

import pytest

from iso.models import Role
from objectives import selectors, services
from objectives.models import Objective

from ..factories import ObjectiveFactory, OrgUnitFactory, UserFactory
from .conftest import YEAR

pytestmark = pytest.mark.django_db

D = Decimal
JUNE_15 = datetime.date(YEAR, 6, 15)


def enter(objective, values: dict[int, str], by=None):
    for month, value in values.items():
        services.objective_value_record(
            objective=objective, by=by or objective.owner, month=month, value=D(value), today=datetime.date(YEAR, 12, 31)
        )


def test_an_automatic_objective_reads_its_indicator_to_date_and_month_by_month(cases, unit, secretary):
    objective = ObjectiveFactory(
        year=YEAR, unit=unit, indicator="case_on_time_rate", target=D("98"), owner=secretary, name="Đúng hạn ≥ 98%"
    )
    performance = selectors.objective_performance(objective, as_of=JUNE_15)
    # The unit's cases (c1 is the commune's): 4 of 6 resolved on time = 66.67%, below 98% before year end;
    # April a1 of a1 a2 = 50%, May m1 m2 m3 of m1 m2 m3 q1 = 75%.
    assert performance.value == D("66.67")
    assert [(m.label, m.value) for m in performance.months] == [
        ("01/2026", None), ("02/2026", None), ("03/2026", None), ("04/2026", D("50.00")), ("05/2026", D("75.00")),
        ("06/2026", None),
    ]
    assert [m.meets for m in performance.months] == [None, None, None, False, False, None]
    chart = performance.chart
    assert [bar.css for bar in chart["bars"]] == ["open", "open", "open", "late", "late", "open"]
    # 200 px high, 20 px kept above and below: the target 98 is the largest value, at the top of the plot.
    assert chart["target_y"] == 20.0
    assert [bar.height for bar in chart["bars"]] == [0, 0, 0, 81.6, 122.4, 0]  # 160 × 50 ÷ 98, 160 × 75 ÷ 98
    assert performance.status == Objective.Status.AT_RISK
    # After the year, the same figures miss the objective.
    assert selectors.objective_performance(objective, as_of=datetime.date(YEAR + 1, 1, 2)).status == Objective.Status.MISSED


def test_the_measure_stops_at_the_due_date(nonconformities):
    objective = ObjectiveFactory(
        year=YEAR, indicator="nonconformities_closed_on_time", target=D("60"), due_date=datetime.date(YEAR, 3, 31)
    )
    performance = selectors.objective_performance(objective, as_of=JUNE_15)
    # Only the nonconformities due by 31 March count: n1 n2 on time, n3 late = 66.67% ≥ 60%.
    assert performance.value == D("66.67")
    assert [m.label for m in performance.months] == ["01/2026", "02/2026", "03/2026"]
    assert performance.status == Objective.Status.MET


def test_a_manual_objective_adds_up_averages_or_takes_the_last_month(secretary):
    classes = ObjectiveFactory(year=YEAR, name="Số lớp đào tạo ≥ 4 lớp/năm", target=D("4"), unit_of_measure="lớp")
    enter(classes, {2: "1", 4: "2", 5: "1", 9: "1"})
    performance = selectors.objective_performance(classes, as_of=JUNE_15)
    # February, April and May to date (September is after 15 June): 1 + 2 + 1 = 4 ≥ 4.
    assert performance.value == D("4")
    assert [m.value for m in performance.months] == [None, D("1"), None, D("2"), D("1"), None]
    assert [m.meets for m in performance.months] == [None] * 6  # a month is not held against a yearly sum
    assert performance.status == Objective.Status.MET
    assert performance.months[1].entry.entered_by == classes.owner

    classes.aggregation = Objective.Aggregation.AVERAGE
    assert selectors.objective_performance(classes, as_of=JUNE_15).value == D("1.33")  # 4 ÷ 3
    classes.aggregation = Objective.Aggregation.LAST
    late = selectors.objective_performance(classes, as_of=JUNE_15)
    assert late.value == D("1") and late.months[4].meets is False  # May's 1 < 4
    assert selectors.objective_performance(classes, as_of=datetime.date(YEAR, 1, 20)).value is None


def test_an_objective_of_a_year_not_begun_has_no_months(secretary):
    objective = ObjectiveFactory(year=YEAR + 1, indicator="case_on_time_rate")
    performance = selectors.objective_performance(objective, as_of=JUNE_15)
    assert (performance.value, performance.months, performance.status) == (None, [], Objective.Status.AT_RISK)


def test_the_report_of_a_year_counts_met_at_risk_and_missed(unit, secretary, programme):
    met = ObjectiveFactory(year=YEAR, indicator="audit_programme_completion", target=D("50"))
    at_risk = ObjectiveFactory(year=YEAR, indicator="audit_programme_completion", target=D("100"))
    missed = ObjectiveFactory(year=YEAR, target=D("4"), unit=unit, due_date=datetime.date(YEAR, 3, 31))
    enter(missed, {1: "1", 2: "1"})
    ObjectiveFactory(year=YEAR - 1)  # another year

    report = selectors.objectives_report(user=secretary, year=YEAR, today=JUNE_15)

    assert [row.objective for row in report.rows] == [met, at_risk, missed]
    assert [row.status for row in report.rows] == ["met", "at_risk", "missed"]
    assert report.summary == {"met": 1, "at_risk": 1, "missed": 1}
    assert [(group.unit, [row.objective for row in group.rows]) for group in report.by_unit] == [
        (None, [met, at_risk]), (unit, [missed])
    ]
    assert report.rows[0].value == D("50.00") and report.rows[2].value == D("2")

    # Once the year is over it is judged the day after its end: 31 December's shortfall is missed.
    after = selectors.objectives_report(user=secretary, year=YEAR, today=datetime.date(YEAR + 3, 1, 1))
    assert after.as_of == datetime.date(YEAR, 12, 31)
    assert after.summary == {"met": 1, "at_risk": 0, "missed": 2}


def test_the_report_of_a_period_reads_each_objective_as_it_stood_at_the_periods_end(programme, secretary):
    last_year = ObjectiveFactory(year=YEAR - 1, target=D("4"))
    enter(last_year, {3: "2", 10: "1"})
    this_year = ObjectiveFactory(year=YEAR, indicator="audit_programme_completion", target=D("50"))

    report = selectors.objectives_report(
        user=secretary, start=datetime.date(YEAR - 1, 7, 1), end=datetime.date(YEAR, 4, 30)
    )

    assert report.as_of == datetime.date(YEAR, 4, 30)
    rows = {row.objective: row for row in report.rows}
    assert (rows[last_year].value, rows[last_year].status) == (D("3"), "missed")  # 2 + 1 < 4 at its year end
    # By 30 April only audit 1 of four is reported: 25%, still at risk.
    assert (rows[this_year].value, rows[this_year].status) == (D("25.00"), "at_risk")
    assert len(rows[this_year].months) == 4
    assert report.summary == {"met": 0, "at_risk": 1, "missed": 1}


def test_a_unit_member_sees_the_organisations_objectives_their_units_and_their_own(unit):
    section = OrgUnitFactory(code="VP-1", parent=unit)
    other = OrgUnitFactory(code="PB")
    staff = UserFactory(roles=[Role.STAFF], unit=unit)
    organisation = ObjectiveFactory(year=YEAR)
    ours = ObjectiveFactory(year=YEAR, unit=unit)
    below = ObjectiveFactory(year=YEAR, unit=section)
    theirs = ObjectiveFactory(year=YEAR, unit=other)
    owned = ObjectiveFactory(year=YEAR, unit=other, owner=staff)
    assert set(selectors.objective_list(user=staff, year=YEAR)) == {organisation, ours, below, owned}
    auditor = UserFactory(roles=[Role.INTERNAL_AUDITOR], unit=other)
    assert set(selectors.objective_list(user=auditor, year=YEAR)) == {organisation}
    assert theirs not in selectors.objective_list(user=staff)


def test_a_reports_objectives_cost_a_few_queries_each_and_none_per_month(
    cases, nonconformities, programme, secretary, django_assert_num_queries
):
    for indicator in ("case_on_time_rate", "nonconformities_closed_on_time", "audit_programme_completion"):
        ObjectiveFactory(year=YEAR, indicator=indicator)
    manual = ObjectiveFactory(year=YEAR)
    enter(manual, {1: "1", 2: "2", 3: "3"})
    # The objectives and their prefetched values (2), then each automatic one to date and by month: the
    # on-time rate reads the dashboard's tallies and the cases overdue now for each (4), the others one each (2 × 2).
    with django_assert_num_queries(10):
        report = selectors.objectives_report(user=secretary, year=YEAR, today=datetime.date(YEAR, 12, 31))
    assert all(len(row.months) == 12 for row in report.rows)
