"""Setting objectives, entering and correcting monthly values, and raising the nonconformity of a
missed objective."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from audits.models import Nonconformity
from iso.models import FieldChange, Role
from iso.trail import field_history
from objectives import services
from objectives.models import MonthlyValue, Objective

from ..factories import ObjectiveFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


def messages_of(excinfo) -> list[str]:
    return list(excinfo.value.messages)


# Setting objectives


def test_the_secretary_sets_objectives_numbered_per_year_due_at_year_end(secretary, unit, process_owner):
    first = services.objective_create(
        by=secretary, year=2026, name="Tỷ lệ hồ sơ giải quyết đúng hạn đạt ≥ 98%", target=D("98"), owner=process_owner,
        indicator="case_on_time_rate", unit=unit, unit_of_measure="lớp",
    )
    second = services.objective_create(by=secretary, year=2026, name="Số lớp đào tạo", target=D("4"), owner=process_owner,
                                       unit_of_measure=" lớp ")
    other_year = services.objective_create(by=secretary, year=2027, name="Số lớp đào tạo", target=D("4"), owner=process_owner)
    assert [o.reference for o in (first, second, other_year)] == ["MT-2026-01", "MT-2026-02", "MT-2027-01"]
    assert first.due_date == datetime.date(2026, 12, 31) and first.created_by == secretary
    # An indicator's values come in its own unit of measure.
    assert (first.unit_of_measure, second.unit_of_measure) == ("%", "lớp")


def test_only_the_secretary_sets_or_changes_objectives(process_owner, approver):
    for user in (process_owner, approver):
        with override("en"), pytest.raises(PermissionDenied, match="Only the ISO secretary may set quality objectives."):
            services.objective_create(by=user, year=2026, name="X", target=D("1"), owner=user)
    objective = ObjectiveFactory()
    with override("en"), pytest.raises(PermissionDenied, match="Only the ISO secretary may change quality objectives."):
        services.objective_update(objective=objective, by=process_owner, target=D("1"))


def test_a_changed_target_is_kept_in_the_history(secretary, process_owner):
    objective = ObjectiveFactory(target=D("95"))
    services.objective_update(objective=objective, by=secretary, target=D("98"), owner=process_owner)
    changes = {change.field_name: (change.old_value, change.new_value) for change in field_history(objective)}
    assert changes["target"] == ("95.00", "98.00")
    assert changes["owner"][1] == str(process_owner)


def test_an_objective_set_with_bad_parameters_is_refused_naming_the_field(secretary, unit):
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.objective_create(by=secretary, year=2026, name="X", target=D("100"), owner=secretary, unit=unit,
                                  indicator="audit_programme_completion", due_date=datetime.date(2025, 12, 31))
    assert excinfo.value.message_dict == {
        "due_date": ["The due date must fall in 2026, the objective's year."],
        "unit": ["The indicator “Audit programme completion” does not take a unit."],
    }
    assert not Objective.objects.exists()


# Monthly values


def test_the_owner_enters_a_months_value_with_who_and_when(staff):
    objective = ObjectiveFactory(year=2026, owner=staff, target=D("4"), unit_of_measure="lớp")
    entry = services.objective_value_record(
        objective=objective, by=staff, month=3, value=D("2"), note="Lớp nghiệp vụ một cửa", today=datetime.date(2026, 3, 1)
    )
    assert (entry.month, entry.value, entry.entered_by, entry.note) == (3, D("2"), staff, "Lớp nghiệp vụ một cửa")
    assert entry.entered_at is not None
    assert not FieldChange.objects.exists()  # a first entry is no change


def test_a_correction_overwrites_the_month_and_keeps_the_old_value_in_the_history(staff, secretary):
    objective = ObjectiveFactory(year=2026, owner=staff)
    services.objective_value_record(objective=objective, by=staff, month=4, value=D("2"), today=datetime.date(2026, 5, 2))
    corrected = services.objective_value_record(
        objective=objective, by=secretary, month=4, value=D("3"), note="Thiếu lớp ngày 28/4", today=datetime.date(2026, 5, 3)
    )
    assert MonthlyValue.objects.filter(objective=objective).count() == 1
    assert (corrected.value, corrected.entered_by) == (D("3"), secretary)
    changes = [(c.field_name, c.old_value, c.new_value, c.actor) for c in field_history(objective.values.all())]
    assert changes == [("value", "2.00", "3.00", secretary), ("note", "", "Thiếu lớp ngày 28/4", secretary)]
    assert field_history(objective.values.all())[0].object_repr == "MT-2026-%02d 04/2026" % objective.number


def test_only_the_owner_or_the_secretary_enter_values(staff, process_owner, approver, viewer):
    objective = ObjectiveFactory(year=2026, owner=staff)
    for user in (process_owner, approver):
        with override("en"), pytest.raises(PermissionDenied) as excinfo:
            services.objective_value_record(objective=objective, by=user, month=1, value=D("1"), today=datetime.date(2026, 2, 1))
        assert str(excinfo.value) == (
            f"Only the owner of {objective.reference} ({staff}) or the ISO secretary may enter its values."
        )
    # A viewer changes nothing, even an objective they would own.
    owned_by_viewer = ObjectiveFactory(year=2026, owner=viewer)
    with override("en"), pytest.raises(PermissionDenied, match="You may not enter the values of objectives."):
        services.objective_value_record(objective=owned_by_viewer, by=viewer, month=1, value=D("1"), today=datetime.date(2026, 2, 1))
    assert not MonthlyValue.objects.exists()


def test_a_month_not_begun_after_the_due_date_or_of_an_automatic_objective_is_refused(staff):
    objective = ObjectiveFactory(year=2026, owner=staff, due_date=datetime.date(2026, 6, 30))
    cases = [
        (objective, 5, datetime.date(2026, 4, 30), "05/2026 has not begun; its value cannot be entered yet."),
        (objective, 7, datetime.date(2026, 8, 1), f"07/2026 is after the due date of {objective.reference} (30/06/2026)."),
        (objective, 13, datetime.date(2026, 8, 1), "A month is a number from 1 to 12."),
    ]
    for target, month, today, message in cases:
        with override("en"), pytest.raises(ValidationError) as excinfo:
            services.objective_value_record(objective=target, by=staff, month=month, value=D("1"), today=today)
        assert messages_of(excinfo) == [message]
    automatic = ObjectiveFactory(year=2026, owner=staff, indicator="case_on_time_rate")
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.objective_value_record(objective=automatic, by=staff, month=1, value=D("1"), today=datetime.date(2026, 2, 1))
    assert messages_of(excinfo) == [
        f"{automatic.reference} is measured by an indicator computed from the tracker; it takes no values entered by hand."
    ]


# The nonconformity of a missed objective


@pytest.fixture
def missed(staff, secretary, unit):
    """Last year's four training classes: three held, so missed since 1 January."""
    objective = ObjectiveFactory(year=LAST_YEAR, owner=staff, unit=unit, name="Số lớp đào tạo nghiệp vụ ≥ 4 lớp/năm",
                                 target=D("4"), unit_of_measure="lớp")
    for month in (3, 6, 9):
        services.objective_value_record(objective=objective, by=staff, month=month, value=D("1"))
    return objective


def test_a_missed_objective_raises_one_nonconformity_linked_to_it(missed, approver, staff, unit):
    with override("en"):
        nonconformity = services.objective_raise_nonconformity(objective=missed, by=approver)
    assert Nonconformity.objects.count() == 1
    missed.refresh_from_db()
    assert missed.nonconformity == nonconformity and nonconformity.objective == missed
    assert (nonconformity.source, nonconformity.unit, nonconformity.owner, nonconformity.clause.number) == (
        Nonconformity.Source.PROCESS_MONITORING, unit, staff, "6.2"
    )
    assert (nonconformity.state, nonconformity.detected_by, nonconformity.detected_on) == ("open", approver, TODAY)
    assert nonconformity.description == (
        f"Quality objective {missed.reference} “Số lớp đào tạo nghiệp vụ ≥ 4 lớp/năm” for {LAST_YEAR} was missed: "
        f"target ≥ 4 lớp, achieved 3 lớp by its due date 31/12/{LAST_YEAR} (Entered monthly (sum of the months))."
    )


def test_it_cannot_be_raised_twice(missed, secretary, approver):
    first = services.objective_raise_nonconformity(objective=missed, by=secretary)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.objective_raise_nonconformity(objective=missed, by=approver)
    assert messages_of(excinfo) == [
        f"Nonconformity {first.reference} was already raised for objective {missed.reference} "
        "“Số lớp đào tạo nghiệp vụ ≥ 4 lớp/năm”."
    ]
    assert Nonconformity.objects.count() == 1


def test_it_is_refused_while_the_objective_is_not_missed(staff, secretary):
    at_risk = ObjectiveFactory(year=TODAY.year, owner=staff, name="Đào tạo năm nay", target=D("4"))
    met = ObjectiveFactory(year=LAST_YEAR, owner=staff, name="Đào tạo năm trước", target=D("1"))
    services.objective_value_record(objective=met, by=staff, month=5, value=D("2"))
    for objective, status in ((at_risk, "at risk"), (met, "met")):
        with override("en"), pytest.raises(ValidationError) as excinfo:
            services.objective_raise_nonconformity(objective=objective, by=secretary)
        assert messages_of(excinfo) == [
            f"Objective {objective.reference} “{objective.name}” is not missed ({status}): a nonconformity is raised only "
            "once its due date has passed without reaching the target."
        ]
    assert not Nonconformity.objects.exists()


def test_only_the_secretary_or_an_approver_raise_it(missed, staff, process_owner):
    for user in (staff, process_owner, UserFactory(roles=[Role.INTERNAL_AUDITOR])):
        with override("en"), pytest.raises(PermissionDenied):
            services.objective_raise_nonconformity(objective=missed, by=user)
    assert not Nonconformity.objects.exists()


def test_once_its_nonconformity_is_raised_an_objective_and_its_values_no_longer_change(missed, secretary):
    nonconformity = services.objective_raise_nonconformity(objective=missed, by=secretary)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.objective_update(objective=missed, by=secretary, target=D("3"))
    assert messages_of(excinfo) == [
        f"Objective {missed.reference} was missed and nonconformity {nonconformity.reference} raised for it; "
        "it can no longer change."
    ]
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.objective_value_record(objective=missed, by=secretary, month=12, value=D("1"))
    assert messages_of(excinfo) == [
        f"Objective {missed.reference} was missed and nonconformity {nonconformity.reference} raised for it; "
        "its values can no longer change."
    ]
    assert sum(value.value for value in missed.values.all()) == D("3")
