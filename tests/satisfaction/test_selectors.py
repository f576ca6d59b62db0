"""The satisfaction index on hand-made ratings, with the expected values worked out by hand."""

import datetime
from decimal import Decimal

import pytest
from django.utils.translation import override

from iso.models import Role
from satisfaction import selectors
from satisfaction.models import Criterion

from ..factories import FeedbackFactory, OrgUnitFactory, ProcedureFactory, ResolvedCaseFactory, UserFactory

pytestmark = pytest.mark.django_db

MARCH, APRIL_END = datetime.date(2026, 3, 1), datetime.date(2026, 4, 30)


@pytest.fixture
def world():
    """Two procedures of two units, four pieces of feedback:

    ====  =========  =====  ==========  ===========  ==============  ============
    name  procedure  unit   given on    return time  contacts        staff
    ====  =========  =====  ==========  ===========  ==============  ============
    A     P1         U1     2026-03-10  5            4               2
    B     P1         U1     2026-03-20  3            5               —
    C     P2         U2     2026-04-05  4            —               1
    D     P2         U2     2026-05-02  1            —               —
    ====  =========  =====  ==========  ===========  ==============  ============
    """
    u1, u2 = OrgUnitFactory(code="U1", name="Một cửa"), OrgUnitFactory(code="U2", name="Xã An Phú")
    p1 = ProcedureFactory(code="P1", title="Đăng ký khai sinh", owner_unit=u1)
    p2 = ProcedureFactory(code="P2", title="Chứng thực bản sao", owner_unit=u2)

    def given(procedure, day, **scores):
        case = ResolvedCaseFactory(procedure=procedure)
        return FeedbackFactory(case=case, given_on=datetime.date.fromisoformat(day), scores=scores)

    given(p1, "2026-03-10", return_time=5, contacts=4, staff_attitude=2)
    given(p1, "2026-03-20", return_time=3, contacts=5)
    given(p2, "2026-04-05", return_time=4, staff_attitude=1)
    given(p2, "2026-05-02", return_time=1)
    return {"u1": u1, "u2": u2, "p1": p1, "p2": p2}


def test_the_index_is_the_share_of_ratings_of_4_or_5_over_every_rating_of_the_period(world, django_assert_num_queries):
    # March–April: A, B, C give 7 ratings (5 4 2 3 5 4 1), of which 4 are 4 or 5: 4 / 7 = 57.142… %.
    with django_assert_num_queries(1):
        assert selectors.satisfaction_index(start=MARCH, end=APRIL_END) == Decimal("57.14")
    # March–May adds D's single 1: 4 / 8.
    assert selectors.satisfaction_index(start=MARCH, end=datetime.date(2026, 5, 31)) == Decimal("50.00")


def test_the_index_per_procedure_and_per_unit(world):
    # P1 (A, B): 5 4 2 3 5 → 3 of 5.  U2 (C only in the period): 4 1 → 1 of 2.
    assert selectors.satisfaction_index(start=MARCH, end=APRIL_END, procedure=world["p1"]) == Decimal("60.00")
    assert selectors.satisfaction_index(start=MARCH, end=APRIL_END, unit=world["u2"]) == Decimal("50.00")
    assert selectors.satisfaction_index(start=MARCH, end=APRIL_END, unit=world["u1"], procedure=world["p2"]) is None


def test_both_ends_of_the_period_are_included(world):
    # Up to C's day, C counts; a day earlier, only A and B: 3 of 5.
    assert selectors.satisfaction_index(start=MARCH, end=datetime.date(2026, 4, 5)) == Decimal("57.14")
    assert selectors.satisfaction_index(start=MARCH, end=datetime.date(2026, 4, 4)) == Decimal("60.00")
    assert selectors.satisfaction_index(start=datetime.date(2026, 5, 2), end=datetime.date(2026, 5, 2)) == Decimal("0.00")


def test_no_feedback_in_the_period_gives_no_index(world):
    assert selectors.satisfaction_index(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31)) is None
    breakdown = selectors.satisfaction_breakdown(start=datetime.date(2025, 1, 1), end=datetime.date(2025, 12, 31))
    assert (breakdown.index, breakdown.responses, breakdown.criteria) == (None, 0, [])


def test_the_breakdown_gives_each_criterion_its_average_and_index_and_counts_responses(world, django_assert_num_queries):
    with django_assert_num_queries(2):
        breakdown = selectors.satisfaction_breakdown(start=MARCH, end=APRIL_END)

    assert (breakdown.responses, breakdown.total.ratings, breakdown.total.satisfied) == (3, 7, 4)
    assert breakdown.index == Decimal("57.14")
    # Return time 5 3 4: mean 4.00, 2 of 3 satisfied. Contacts 4 5: 4.50, 2 of 2. Staff 2 1: 1.50, none.
    assert [(c.key, c.ratings, c.average, c.index) for c in breakdown.criteria] == [
        ("return_time", 3, Decimal("4.00"), Decimal("66.67")),
        ("contacts", 2, Decimal("4.50"), Decimal("100.00")),
        ("staff_attitude", 2, Decimal("1.50"), Decimal("0.00")),
    ]
    # The criteria are data, their names read through the catalogue: Vietnamese by default.
    assert breakdown.criteria[0].label == "Thời gian trả kết quả so với quy định"
    with override("en"):
        assert selectors.satisfaction_breakdown(start=MARCH, end=APRIL_END).criteria[0].label == "Return time against the rule"
    assert selectors.satisfaction_breakdown(start=MARCH, end=APRIL_END, unit=world["u1"]).responses == 2


def test_averages_are_rounded_half_up(db):
    # Seven 1s and one 2: 9 / 8 = 1.125 → 1.13 (half up, not half to even).
    case_scores = [1] * 7 + [2]
    for score in case_scores:
        FeedbackFactory(given_on=datetime.date(2026, 6, 1), scores={"costs": score})
    [costs] = selectors.satisfaction_breakdown(start=datetime.date(2026, 6, 1), end=datetime.date(2026, 6, 30)).criteria
    assert costs.average == Decimal("1.13")


def test_a_criterion_no_longer_asked_keeps_its_ratings_in_the_figures(world):
    Criterion.objects.filter(code="staff_attitude").update(is_active=False)

    breakdown = selectors.satisfaction_breakdown(start=MARCH, end=APRIL_END)

    assert "staff_attitude" in [c.key for c in breakdown.criteria]
    assert breakdown.index == Decimal("57.14")
    assert "staff_attitude" not in [c.code for c in selectors.criteria_asked()]


def test_scores_by_procedure_and_by_unit_in_one_query_each(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        by_procedure = selectors.satisfaction_by("procedure", start=MARCH, end=APRIL_END)
    assert [(r.key, r.label, r.responses, r.ratings, r.satisfied, r.index, r.average) for r in by_procedure] == [
        ("P1", "Đăng ký khai sinh", 2, 5, 3, Decimal("60.00"), Decimal("3.80")),
        ("P2", "Chứng thực bản sao", 1, 2, 1, Decimal("50.00"), Decimal("2.50")),
    ]
    by_unit = selectors.satisfaction_by("unit", start=MARCH, end=datetime.date(2026, 5, 31))
    assert [(r.key, r.responses, r.index) for r in by_unit] == [("U1", 2, Decimal("60.00")), ("U2", 2, Decimal("33.33"))]


def test_a_unit_user_sees_the_figures_of_their_own_units_only(world, secretary):
    clerk = UserFactory(roles=[Role.STAFF], unit=world["u1"])

    mine = selectors.satisfaction_report(user=clerk, start=MARCH, end=APRIL_END)
    everything = selectors.satisfaction_report(user=secretary, start=MARCH, end=APRIL_END)

    assert [row.key for row in mine.by_unit] == ["U1"] and mine.breakdown.index == Decimal("60.00")
    assert [row.key for row in everything.by_unit] == ["U1", "U2"] and everything.breakdown.index == Decimal("57.14")
    assert list(selectors.report_units(user=clerk)) == [world["u1"]]
