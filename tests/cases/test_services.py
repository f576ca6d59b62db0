"""Receiving cases and running them through their step graph against the clock."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils.translation import override

from cases import services
from cases.models import Apology, Case, Timing
from iso.models import Role, TransitionLog
from iso.workflows import TransitionRefused
from processes.models import ProcedureRevision
from processes.services import revision_start

from ..factories import OrgUnitFactory, ProcedureFactory, UserFactory, make_effective
from .conftest import at

pytestmark = pytest.mark.django_db

MONDAY_0800 = at("2026-05-18", "08:00")


def receive(procedure, clerk, when=MONDAY_0800, **extra):
    return services.case_receive(procedure=procedure, by=clerk, applicant_name="Trần Văn An", received_at=when, **extra)


def messages_of(excinfo) -> list[str]:
    error = excinfo.value
    return [error.message] if isinstance(error, TransitionRefused) else list(error.messages)


def test_a_received_case_is_numbered_in_the_procedures_register_and_due_after_the_heaviest_path(birth, clerk):
    first = receive(birth, clerk)
    second = receive(birth, clerk, when=at("2026-05-18", "09:00"))
    assert (first.reference, second.reference) == ("QT-06-260518-0001", "QT-06-260518-0002")
    # 4 working hours of reception and 1 working day (7.5 h) of appraisal from Monday 08:00.
    assert first.due_at == at("2026-05-19", "14:00")
    assert first.state == Case.State.RECEIVED
    assert first.current_step == birth.steps["TN"]
    visit = first.visits.get()
    assert (visit.step, visit.due_at, visit.hours_allowed) == (birth.steps["TN"], at("2026-05-18", "14:00"), Decimal("4"))


def test_the_register_restarts_at_one_each_year(birth, clerk):
    receive(birth, clerk, when=at("2026-12-31", "09:00"))
    new_year = receive(birth, clerk, when=at("2027-01-04", "09:00"))
    assert (new_year.year, new_year.sequence, new_year.reference) == (2027, 1, "QT-06-270104-0001")


def test_a_procedure_without_an_effective_revision_takes_no_case(clerk, unit):
    procedure = ProcedureFactory(code="QT-30", owner_unit=unit)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        receive(procedure, clerk)
    assert messages_of(excinfo) == ["QT-30 has no effective revision; no case can be received under it."]


def test_the_revision_a_case_started_on_stays_its_rule_book(birth, clerk, secretary, approver):
    case = receive(birth, clerk)
    make_effective(revision_start(procedure=birth, by=secretary), approver=approver, publisher=secretary)
    case.refresh_from_db()
    assert case.revision == birth.revision
    assert birth.revisions.get(state=ProcedureRevision.State.EFFECTIVE) != birth.revision
    moved = services.case_move(case=case, to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    assert moved.current_step.revision == birth.revision


def test_moving_along_an_edge_closes_the_step_visit_and_opens_the_next(birth, clerk):
    case = receive(birth, clerk)
    case = services.case_move(case=case, to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    assert case.state == Case.State.IN_PROGRESS
    reception, appraisal = case.visits.order_by("entered_at")
    assert (reception.left_at, reception.hours_spent, reception.timing) == (at("2026-05-18", "10:00"), Decimal("2"), Timing.ON_TIME)
    assert reception.action == "Chuyển xử lý"
    assert (appraisal.step, appraisal.due_at, appraisal.left_at) == (birth.steps["XL"], at("2026-05-19", "10:00"), None)
    log = TransitionLog.objects.for_object(case)
    assert [(e.transition, e.source, e.target, e.actor) for e in log] == [("begin", "received", "in_progress", clerk)]
    assert log.get().comment == "TN → XL: Chuyển xử lý"


def test_a_move_the_graph_does_not_have_is_refused_naming_the_step_and_the_allowed_moves(birth, clerk):
    case = receive(birth, clerk)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.case_move(case=case, to_step=birth.steps["KQ"], by=clerk)
    assert messages_of(excinfo) == ["There is no move from step TN to step KQ. Allowed moves: XL (Chuyển xử lý)."]
    case.refresh_from_db()
    assert (case.state, case.current_step) == (Case.State.RECEIVED, birth.steps["TN"])


def test_a_step_is_handed_only_to_a_member_of_its_responsible_unit(birth, clerk):
    outsider = UserFactory(full_name="Lý Thị Ngoài", roles=[Role.STAFF], unit=OrgUnitFactory(name="UBND xã Hòa"))
    case = receive(birth, clerk)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.case_move(case=case, to_step=birth.steps["XL"], by=clerk, assignee=outsider)
    assert messages_of(excinfo) == [
        f"Lý Thị Ngoài is not a member of {birth.owner_unit.name}, which is responsible for step XL."
    ]


def test_someone_without_the_right_to_handle_cases_cannot_move_one(birth, clerk, viewer):
    case = receive(birth, clerk)
    with override("en"), pytest.raises(TransitionRefused) as excinfo:
        services.case_move(case=case, to_step=birth.steps["XL"], by=viewer)
    assert messages_of(excinfo) == ["Only staff who handle cases may move a case."]


def test_returning_the_result_on_the_due_day_is_on_time_and_a_day_before_is_early(birth, clerk):
    on_time = services.case_move(case=receive(birth, clerk), to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    on_time = services.case_move(case=on_time, to_step=birth.steps["KQ"], by=clerk, at=at("2026-05-19", "13:00"))
    assert (on_time.state, on_time.timing, on_time.current_step) == (Case.State.COMPLETED, Timing.ON_TIME, None)
    early = services.case_move(case=receive(birth, clerk), to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    early = services.case_move(case=early, to_step=birth.steps["KQ"], by=clerk, at=at("2026-05-18", "16:00"))
    assert early.timing == Timing.EARLY
    assert [e.transition for e in TransitionLog.objects.for_object(early)] == ["begin", "complete"]


def test_a_late_case_cannot_be_finished_without_an_apology(birth, clerk):
    case = services.case_move(case=receive(birth, clerk), to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.case_move(case=case, to_step=birth.steps["KQ"], by=clerk, at=at("2026-05-20", "09:00"))
    assert messages_of(excinfo) == [
        "QT-06-260518-0001 is past its due date (19/05/2026 14:00): record the apology and new appointment to the "
        "applicant before returning the result."
    ]
    case.refresh_from_db()
    assert case.state == Case.State.IN_PROGRESS
    assert case.visits.filter(left_at__isnull=True).get().step == birth.steps["XL"]


def test_with_its_apology_a_late_case_is_finished_and_counted_late(birth, clerk):
    case = services.case_move(case=receive(birth, clerk), to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    apology = services.case_apologise(
        case=case, by=clerk, reason="Chờ xác minh", new_due_at=at("2026-05-21", "10:00"), at=at("2026-05-18", "11:00")
    )
    assert apology.in_good_time is True
    case = services.case_move(case=case, to_step=birth.steps["KQ"], by=clerk, at=at("2026-05-20", "09:00"))
    assert (case.state, case.timing) == (Case.State.COMPLETED, Timing.LATE)


def test_an_apology_is_given_once_later_than_the_due_date_and_is_flagged_when_not_in_good_time(birth, clerk):
    case = receive(birth, clerk)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.case_apologise(case=case, by=clerk, reason="Chậm", new_due_at=at("2026-05-19", "10:00"))
    assert messages_of(excinfo) == ["The new appointment must be later than the due date."]
    late_notice = services.case_apologise(
        case=case, by=clerk, reason="Chậm", new_due_at=at("2026-05-22", "10:00"), at=at("2026-05-19", "09:00")
    )
    assert late_notice.in_good_time is False  # less than one working day before Tuesday 14:00
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.case_apologise(case=case, by=clerk, reason="Lại chậm", new_due_at=at("2026-05-25", "10:00"))
    assert messages_of(excinfo) == ["A new appointment was already given for QT-06-260518-0001; it may be set only once."]
    assert Apology.objects.count() == 1


def test_a_supplement_stops_the_clock_and_restarts_the_time_limit_from_zero(birth, clerk):
    case = services.case_move(case=receive(birth, clerk), to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    case = services.case_request_supplement(case=case, by=clerk, missing="Bản sao giấy chứng sinh", at=at("2026-05-19", "09:00"))
    assert case.state == Case.State.WAITING_SUPPLEMENT
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.case_move(case=case, to_step=birth.steps["KQ"], by=clerk)
    assert messages_of(excinfo) == [
        "QT-06-260518-0001 is waiting for a supplement; record the supplement before moving it."
    ]
    case = services.case_receive_supplement(case=case, by=clerk, at=at("2026-05-21", "09:00"))
    assert case.state == Case.State.IN_PROGRESS
    assert case.paused_hours == Decimal("15.00")  # Tuesday 09:00 to Thursday 09:00: two working days
    assert case.due_at == at("2026-05-22", "15:00")  # 11.5 working hours from Thursday 09:00
    assert case.visits.get(left_at__isnull=True).due_at == at("2026-05-22", "09:00")
    request = case.supplement_requests.get()
    assert (request.missing, request.received_at, request.step) == ("Bản sao giấy chứng sinh", at("2026-05-21", "09:00"), birth.steps["XL"])


def test_where_the_revision_says_so_a_supplement_only_pauses_the_clock(birth, clerk):
    ProcedureRevision.objects.filter(pk=birth.revision.pk).update(supplement_restarts_clock=False)
    case = services.case_move(case=receive(birth, clerk), to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    case = services.case_request_supplement(case=case, by=clerk, missing="Tờ khai", at=at("2026-05-19", "09:00"))
    case = services.case_receive_supplement(case=case, by=clerk, at=at("2026-05-21", "09:00"))
    # Three working hours were left at the pause (Tuesday 09:00 to 14:00); they run from Thursday 09:00.
    assert case.due_at == at("2026-05-21", "14:00")
    finished = services.case_move(case=case, to_step=birth.steps["KQ"], by=clerk, at=at("2026-05-21", "11:00"))
    assert finished.timing == Timing.ON_TIME
    appraisal = finished.visits.get(step=birth.steps["XL"])
    # Monday 10:00 to Thursday 11:00 is 23.5 working hours, 15 of them waiting.
    assert appraisal.hours_spent == Decimal("8.50")


def test_only_one_request_to_supplement_is_allowed(birth, clerk):
    case = services.case_move(case=receive(birth, clerk), to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    case = services.case_request_supplement(case=case, by=clerk, missing="Tờ khai", at=at("2026-05-18", "11:00"))
    case = services.case_receive_supplement(case=case, by=clerk, at=at("2026-05-18", "14:00"))
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.case_request_supplement(case=case, by=clerk, missing="CMND")
    assert messages_of(excinfo) == [
        "A supplement was already requested on 18/05/2026; the applicant must be told everything missing in a single request."
    ]


def test_a_request_to_supplement_must_say_what_is_missing(birth, clerk):
    case = services.case_move(case=receive(birth, clerk), to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.case_request_supplement(case=case, by=clerk, missing=" ")
    assert messages_of(excinfo) == ["List everything that is missing from the dossier."]


def test_reaching_the_refusal_step_rejects_the_case_and_needs_a_reason(birth, clerk):
    case = services.case_move(case=receive(birth, clerk), to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "10:00"))
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.case_move(case=case, to_step=birth.steps["TC"], by=clerk)
    assert messages_of(excinfo) == ["Give the reason for refusing the dossier."]
    case = services.case_move(case=case, to_step=birth.steps["TC"], by=clerk, comment="Không thuộc thẩm quyền",
                              at=at("2026-05-18", "15:00"))
    assert (case.state, case.timing, case.outcome_note) == (Case.State.REJECTED, Timing.EARLY, "Không thuộc thẩm quyền")


def test_a_dossier_can_be_refused_at_reception_and_withdrawn_by_its_applicant(birth, clerk):
    refused = services.case_reject(case=receive(birth, clerk), by=clerk, reason="Sai thẩm quyền", at=at("2026-05-18", "08:30"))
    assert (refused.state, refused.timing) == (Case.State.REJECTED, Timing.EARLY)
    withdrawn = services.case_withdraw(case=receive(birth, clerk), by=clerk, reason="Công dân rút hồ sơ", at=at("2026-05-18", "09:00"))
    assert (withdrawn.state, withdrawn.timing, withdrawn.current_step) == (Case.State.WITHDRAWN, "", None)
    assert withdrawn.visits.get().left_at == at("2026-05-18", "09:00")


def test_a_closed_case_refuses_further_transitions_with_the_state_named(birth, clerk):
    case = services.case_withdraw(case=receive(birth, clerk), by=clerk, reason="Rút", at=at("2026-05-18", "09:00"))
    with override("en"), pytest.raises(TransitionRefused) as excinfo:
        services.case_reject(case=case, by=clerk, reason="x")
    assert messages_of(excinfo) == ["“Refuse” is not possible while QT-06-260518-0001 is withdrawn."]
