"""The on-time indicators, checked on a hand-made set of cases whose figures are worked out below."""

from decimal import Decimal

from django.utils import timezone

import pytest

from cases import selectors, services
from iso.models import Role

from ..factories import OrgUnitFactory, UserFactory
from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(birth, clerk):
    """Eight cases of QT-06, all received on Monday 18 May 2026 (due Tuesday 19 May 14:00 when
    received at 08:00); seven at the procedure's unit, one at a commune.

    ==  =========================================  ==========  ============
    c1  result on Monday 16:00                     resolved    early
    c2  result on Tuesday 13:00                    resolved    on time
    c3  result on Wednesday, after an apology      resolved    late
    c4  refused on Tuesday 11:00                   resolved    on time
    c5  never moved                                open        overdue now
    c6  waiting for a supplement                   open        not overdue
    c7  withdrawn by the applicant                 neither
    c8  (commune) result on Monday 15:00           resolved    early
    ==  =========================================  ==========  ============
    """
    steps = birth.steps
    commune = OrgUnitFactory(code="XA", name="UBND xã An Hòa")

    def receive(hour="08:00", unit=None):
        return services.case_receive(
            procedure=birth, by=clerk, applicant_name="Công dân", received_at=at("2026-05-18", hour), unit=unit
        )

    def appraise(case):
        return services.case_move(case=case, to_step=steps["XL"], by=clerk, at=at("2026-05-18", "09:00"))

    services.case_move(case=appraise(receive()), to_step=steps["KQ"], by=clerk, at=at("2026-05-18", "16:00"))
    services.case_move(case=appraise(receive()), to_step=steps["KQ"], by=clerk, at=at("2026-05-19", "13:00"))
    c3 = appraise(receive())
    services.case_apologise(case=c3, by=clerk, reason="Xác minh", new_due_at=at("2026-05-21", "09:00"), at=at("2026-05-18", "10:00"))
    services.case_move(case=c3, to_step=steps["KQ"], by=clerk, at=at("2026-05-20", "09:00"))
    services.case_move(case=appraise(receive()), to_step=steps["TC"], by=clerk, comment="Sai", at=at("2026-05-19", "11:00"))
    receive()
    services.case_request_supplement(case=appraise(receive()), by=clerk, missing="Tờ khai", at=at("2026-05-18", "10:00"))
    services.case_withdraw(case=receive(), by=clerk, reason="Rút", at=at("2026-05-18", "09:30"))
    services.case_move(case=appraise(receive(unit=commune)), to_step=steps["KQ"], by=clerk, at=at("2026-05-18", "15:00"))
    return {"unit": birth.owner_unit, "commune": commune}


def test_totals_count_each_case_once_in_the_right_column(cases):
    total = selectors.indicators_total()
    assert (total.received, total.resolved, total.early, total.on_time, total.late) == (8, 5, 2, 2, 1)
    assert (total.in_progress, total.overdue) == (2, 1)
    assert total.resolved_on_time == 4
    assert total.rate == Decimal("80.00")  # 4 resolved early or on time ÷ 5 resolved


def test_the_rate_denominator_is_a_setting(cases, settings):
    settings.ON_TIME_RATE_DENOMINATOR = "received"
    assert selectors.indicators_total().rate == Decimal("50.00")  # 4 ÷ 8 received


def test_figures_per_unit_and_per_procedure(cases):
    by_unit = {row.key: row for row in selectors.indicators_by("unit")}
    unit, commune = by_unit[cases["unit"].code], by_unit["XA"]
    assert (unit.received, unit.resolved, unit.resolved_on_time, unit.rate) == (7, 4, 3, Decimal("75.00"))
    assert (commune.received, commune.resolved, commune.rate) == (1, 1, Decimal("100.00"))
    (procedure,) = selectors.indicators_by("procedure")
    assert (procedure.key, procedure.label, procedure.received) == ("QT-06", "Đăng ký khai sinh", 8)
    only_commune = selectors.indicators_total(unit=cases["commune"])
    assert (only_commune.received, only_commune.early) == (1, 1)


def test_figures_per_month_of_receipt_and_period_bounds(cases):
    (may,) = selectors.indicators_by("month")
    assert (may.label, may.received) == ("05/2026", 8)
    assert selectors.indicators_total(start=at("2026-05-19", "00:00")).received == 0
    assert selectors.indicators_total(end=at("2026-05-18", "08:00")).received == 0
    assert selectors.indicators_total(start=at("2026-05-18", "00:00"), end=at("2026-05-19", "00:00")).received == 8


def test_indicators_take_a_fixed_number_of_queries(cases, django_assert_num_queries):
    # One on the tallies, one on the cases overdue now.
    with django_assert_num_queries(2):
        selectors.indicators_total()
    with django_assert_num_queries(2):
        selectors.indicators_by("unit")
    with django_assert_num_queries(1):
        selectors.indicators_total(live=True)


def test_step_loads_compare_the_average_time_spent_with_the_allowance(cases):
    loads = {load.step: load for load in selectors.step_loads()}
    reception = loads["TN"]
    # c5 is still at reception; six cases left it at 09:00 after 1 working hour, c7 at 09:30 (1.5 h).
    assert reception.visits == 7
    assert reception.average_hours == pytest.approx(Decimal("7.5") / 7)
    assert reception.allowed_hours == Decimal("4")
    assert reception.ratio == Decimal("0.27")


def test_the_at_risk_boundary_is_a_number_of_working_hours_ahead(settings):
    settings.CASE_AT_RISK_WORKING_HOURS = 4
    assert selectors.at_risk_boundary(at("2026-05-22", "15:00")) == at("2026-05-25", "09:30")


def test_my_cases_lists_late_cases_first_then_at_risk_then_by_due_date(birth, clerk, unit):
    helper = UserFactory(roles=[Role.STAFF], unit=unit)
    late = services.case_receive(procedure=birth, by=clerk, applicant_name="A", received_at=at("2026-05-18", "08:00"))
    fresh = services.case_receive(procedure=birth, by=clerk, applicant_name="B", received_at=timezone.now())
    services.case_receive(procedure=birth, by=helper, applicant_name="C", received_at=timezone.now())
    assert list(selectors.my_cases(user=clerk)) == [late, fresh]
