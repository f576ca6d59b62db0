"""The rule for being on track, and how values read."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from objectives.models import Objective, format_value

from ..factories import ObjectiveFactory, OrgUnitFactory, ProcedureFactory

pytestmark = pytest.mark.django_db

D = Decimal
MET, AT_RISK, MISSED = Objective.Status.MET, Objective.Status.AT_RISK, Objective.Status.MISSED


def test_at_least_is_met_from_the_target_up_and_missed_only_after_the_due_date():
    objective = ObjectiveFactory.build(year=2026, target=D("98"), due_date=datetime.date(2026, 12, 31))
    before, on, after = datetime.date(2026, 6, 30), datetime.date(2026, 12, 31), datetime.date(2027, 1, 1)
    assert objective.status_of(D("98.00"), before) == MET
    assert objective.status_of(D("99.5"), after) == MET
    assert objective.status_of(D("97.99"), before) == AT_RISK
    assert objective.status_of(D("97.99"), on) == AT_RISK  # the due date itself still counts
    assert objective.status_of(D("97.99"), after) == MISSED


def test_at_most_is_met_up_to_the_target_and_an_earlier_due_date_ends_it_sooner():
    objective = ObjectiveFactory.build(
        year=2026, target=D("5"), direction=Objective.Direction.AT_MOST, due_date=datetime.date(2026, 6, 30)
    )
    assert objective.status_of(D("5"), datetime.date(2026, 3, 1)) == MET
    assert objective.status_of(D("6"), datetime.date(2026, 6, 30)) == AT_RISK
    assert objective.status_of(D("6"), datetime.date(2026, 7, 1)) == MISSED


def test_no_data_is_at_risk_until_the_due_date_and_missed_after():
    objective = ObjectiveFactory.build(year=2026, target=D("0"), direction=Objective.Direction.AT_MOST)
    assert objective.status_of(None, datetime.date(2026, 5, 1)) == AT_RISK
    assert objective.status_of(None, datetime.date(2027, 1, 2)) == MISSED


def test_values_read_with_their_unit_in_the_language_of_the_page():
    with override("vi"):
        assert format_value(D("98.50"), "%") == "98,5%"
        assert format_value(D("4.00"), "lớp") == "4 lớp"
        assert format_value(None, "%") == "không có dữ liệu"
    with override("en"):
        assert format_value(D("71.43"), "%") == "71.43%"
        assert format_value(None, "%") == "no data"
        objective = ObjectiveFactory.build(target=D("98"), direction=Objective.Direction.AT_LEAST)
        assert objective.target_display == "≥ 98%"


def test_an_objective_is_refused_a_due_date_outside_its_year_or_a_parameter_its_indicator_does_not_take():
    objective = ObjectiveFactory(year=2026)
    objective.due_date = datetime.date(2027, 1, 31)
    objective.indicator = "audit_programme_completion"
    objective.unit = OrgUnitFactory()
    objective.procedure = ProcedureFactory()
    with override("en"), pytest.raises(ValidationError) as excinfo:
        objective.full_clean()
    assert excinfo.value.message_dict == {
        "due_date": ["The due date must fall in 2026, the objective's year."],
        "unit": ["The indicator “Audit programme completion” does not take a unit."],
        "procedure": ["The indicator “Audit programme completion” does not take a procedure."],
    }
    objective.indicator = "no_such_thing"
    with override("en"), pytest.raises(ValidationError) as excinfo:
        objective.full_clean()
    assert excinfo.value.message_dict["indicator"] == ["There is no indicator “no_such_thing”."]
