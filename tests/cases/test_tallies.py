"""The dashboard's tallies against the live count of the cases: the same figures, whatever the scope."""

from decimal import Decimal

import pytest
from django.db import connection

from cases import selectors, services, tallies
from cases.models import Case, CaseMonthTally, CaseTally, StepMonthTally, StepTally
from iso.models import Role

from ..factories import OrgUnitFactory, ProcedureFactory, ProcedureRevisionFactory, UserFactory, make_effective
from .conftest import at, build_birth_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(birth, clerk, secretary, approver):
    """Cases of two procedures at two units over three days and two months: early, on time, late
    after an apology, refused, withdrawn, overdue, waiting for a supplement, and one resolved after
    a supplement (its wait left out of the step's hours)."""
    commune = OrgUnitFactory(code="XA", name="UBND xã An Hòa")
    marriage = ProcedureFactory(code="QT-07", title="Đăng ký kết hôn", owner_unit=commune)
    revision = ProcedureRevisionFactory(procedure=marriage, author=secretary)
    marriage.steps = build_birth_registration(revision, None)
    make_effective(revision, approver=approver, publisher=secretary)

    def receive(procedure, day, hour, unit=None):
        return services.case_receive(procedure=procedure, by=clerk, applicant_name="Công dân",
                                     received_at=at(day, hour), unit=unit)

    def move(case, code, day, hour, procedure=birth, **kwargs):
        return services.case_move(case=case, to_step=procedure.steps[code], by=clerk, at=at(day, hour), **kwargs)

    for procedure, unit in ((birth, None), (marriage, commune)):
        move(move(receive(procedure, "2026-05-15", "08:00", unit), "XL", "2026-05-15", "09:00", procedure),
             "KQ", "2026-05-15", "16:00", procedure)
        move(move(receive(procedure, "2026-05-18", "16:45", unit), "XL", "2026-05-19", "08:00", procedure),
             "KQ", "2026-05-20", "10:00", procedure)
    late = move(receive(birth, "2026-05-18", "08:00"), "XL", "2026-05-18", "09:00")
    services.case_apologise(case=late, by=clerk, reason="Xác minh", new_due_at=at("2026-05-22", "09:00"),
                            at=at("2026-05-18", "10:00"))
    move(late, "KQ", "2026-05-21", "09:00")
    move(move(receive(birth, "2026-05-19", "10:00"), "XL", "2026-05-19", "11:00"), "TC", "2026-05-19", "15:00",
         comment="Sai")
    receive(birth, "2026-05-19", "14:00")  # never moved: overdue now
    services.case_withdraw(case=receive(marriage, "2026-05-19", "08:30", commune), by=clerk, reason="Rút",
                           at=at("2026-05-19", "09:00"))
    waiting = move(receive(birth, "2026-06-01", "08:00"), "XL", "2026-06-01", "09:00")
    services.case_request_supplement(case=waiting, by=clerk, missing="Tờ khai", at=at("2026-06-01", "10:00"))
    supplemented = move(receive(birth, "2026-06-01", "13:30"), "XL", "2026-06-01", "14:00")
    services.case_request_supplement(case=supplemented, by=clerk, missing="Ảnh", at=at("2026-06-01", "15:00"))
    services.case_receive_supplement(case=supplemented, by=clerk, at=at("2026-06-03", "08:00"))
    move(supplemented, "KQ", "2026-06-03", "10:00")
    return {"birth": birth, "marriage": marriage, "unit": birth.owner_unit, "commune": commune}


def scopes(history):
    return [
        {},
        {"start": at("2026-05-18", "00:00"), "end": at("2026-05-20", "00:00")},
        {"start": at("2026-05-18", "12:00"), "end": at("2026-06-01", "11:00")},  # pieces of days at both ends
        {"start": at("2026-05-19", "09:00"), "end": at("2026-05-19", "15:00")},  # within one day
        {"start": at("2026-05-19", "00:00")},
        {"start": at("2026-05-01", "00:00"), "end": at("2026-07-01", "00:00")},  # whole months
        {"start": at("2026-04-20", "00:00"), "end": at("2026-06-02", "00:00")},  # days, a month, days
        {"start": at("2026-04-20", "07:00"), "end": at("2026-06-03", "09:00")},  # and pieces of days
        {"end": at("2026-05-19", "00:00")},
        {"unit": history["unit"]},
        {"procedure": history["marriage"], "start": at("2026-05-01", "00:00"), "end": at("2026-07-01", "00:00")},
        {"units": frozenset({history["commune"].pk}), "start": at("2026-05-15", "00:00"), "end": at("2026-06-02", "00:00")},
        {"units": frozenset(), "start": at("2026-05-15", "00:00")},
    ]


def figures(live: bool, **scope):
    return (
        selectors.indicators_total(live=live, **scope),
        {dimension: selectors.indicators_by(dimension, live=live, **scope) for dimension in ("month", "procedure", "unit")},
        selectors.step_loads(live=live, **scope),
    )


@pytest.mark.parametrize("denominator", ["resolved", "received"])
def test_tallies_give_the_live_figures_for_every_scope(history, settings, denominator):
    settings.ON_TIME_RATE_DENOMINATOR = denominator
    for scope in scopes(history):
        assert figures(False, **scope) == figures(True, **scope), scope


def test_the_worked_figures_of_the_history(history):
    total = selectors.indicators_total()
    assert (total.received, total.resolved, total.early, total.on_time, total.late) == (10, 7, 4, 2, 1)
    assert (total.in_progress, total.overdue) == (2, 1)
    months = selectors.indicators_by("month")
    assert [(m.label, m.received) for m in months] == [("05/2026", 8), ("06/2026", 2)]
    # The supplemented case's appraisal took 1 + 2 working hours: its day and a half of waiting does not count.
    appraisal = next(load for load in selectors.step_loads(start=at("2026-06-01", "13:00")) if load.step == "XL")
    assert (appraisal.visits, appraisal.average_hours) == (1, Decimal("3.00"))


def test_the_tallies_follow_each_transition_in_its_transaction(birth, clerk):
    case = services.case_receive(procedure=birth, by=clerk, applicant_name="Công dân", received_at=at("2026-05-18", "08:00"))
    tally = CaseTally.objects.get()
    assert (tally.day.isoformat(), tally.received, tally.resolved, tally.early) == ("2026-05-18", 1, 0, 0)
    services.case_move(case=case, to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "09:00"))
    assert StepTally.objects.get().visits == 1
    services.case_move(case=case, to_step=birth.steps["KQ"], by=clerk, at=at("2026-05-18", "10:00"))
    tally.refresh_from_db()
    assert (tally.received, tally.resolved, tally.early) == (1, 1, 1)
    assert sorted(StepTally.objects.values_list("visits", flat=True)) == [1, 1]


def test_bulk_inserts_and_deletes_are_counted_too(history):
    before = selectors.indicators_total()
    copy = Case.objects.filter(unit=history["commune"]).first()
    Case.objects.filter(pk=copy.pk).delete()
    after = selectors.indicators_total()
    assert after.received == before.received - 1
    assert figures(False) == figures(True)


def _all_tallies():
    case_fields = ("unit", "procedure", "received", "resolved", "early", "on_time", "late", "withdrawn")
    step_fields = ("unit", "procedure", "step", "visits", "hours_spent", "hours_allowed", "late")
    return (
        sorted(CaseTally.objects.values_list("day", *case_fields)),
        sorted(CaseMonthTally.objects.values_list("month", *case_fields)),
        sorted(StepTally.objects.values_list("day", *step_fields)),
        sorted(StepMonthTally.objects.values_list("month", *step_fields)),
    )


def test_rebuild_recounts_the_same_tallies_as_the_triggers_kept(history):
    kept = _all_tallies()
    assert all(kept) and [row[0].day for row in kept[1]] == [1] * len(kept[1])
    CaseTally.objects.all().delete()
    StepMonthTally.objects.all().delete()
    tallies.rebuild(using=connection.alias)
    assert _all_tallies() == kept


def test_the_dashboard_reads_a_handful_of_queries(history, client, django_assert_max_num_queries):
    viewer = UserFactory(username="xem", roles=[Role.VIEWER], unit=history["unit"])
    client.force_login(viewer)
    with django_assert_max_num_queries(20):
        response = client.get("/cases/dashboard/?start=2026-05-01&end=2026-06-30")
    assert response.status_code == 200
