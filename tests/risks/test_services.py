"""Entering, assessing and moving risks on: numbering, the history of the level (kept, never
overwritten), who may do what, and the rules of the lifecycle."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import override

from iso.models import FieldChange, Role, TransitionLog
from iso.workflows import TransitionRefused
from risks import services
from risks.models import Risk, RiskAssessment

from ..factories import UserFactory, make_risk, risk_scale
from .conftest import TODAY, days

pytestmark = pytest.mark.django_db


def messages_of(excinfo) -> list[str]:
    return excinfo.value.messages


def test_risks_are_numbered_per_year_of_identification(head):
    first = make_risk(owner=head, identified_on=datetime.date(TODAY.year - 1, 12, 30))
    second = make_risk(owner=head)
    third = make_risk(owner=head, kind=Risk.Kind.OPPORTUNITY, title="Tiếp nhận hồ sơ trực tuyến toàn trình")
    assert first.reference == f"RR-{TODAY.year - 1}-001"
    assert [second.reference, third.reference] == [f"RR-{TODAY.year}-001", f"RR-{TODAY.year}-002"]


def test_a_risk_entered_without_a_rating_waits_identified(clerk):
    risk = make_risk(owner=clerk)
    assert (risk.state, risk.level, risk.first_review_date) == (Risk.State.IDENTIFIED, None, risk.review_date)
    assert not risk.assessments.exists()


def test_a_risk_rated_when_entered_is_assessed_with_its_first_history_entry(head):
    risk = make_risk(owner=head, likelihood=4, impact=3, note="Ba lần gián đoạn trong quý")
    assert (risk.state, risk.likelihood, risk.impact, risk.level) == (Risk.State.ASSESSED, 4, 3, 12)
    [entry] = risk.assessments.all()
    assert (entry.likelihood, entry.impact, entry.level, entry.band, entry.assessed_by) == (4, 3, 12, "high", head)
    assert TransitionLog.objects.for_object(risk).get().transition == "assess"


def test_reassessments_add_to_the_history_and_never_overwrite_it(risk, head):
    services.risk_assess(risk=risk, by=head, likelihood=3, impact=4, next_review=days(60), note="Đã có phương án dự phòng")
    services.risk_assess(risk=risk, by=head, likelihood=2, impact=4, next_review=days(120), note="Đường truyền dự phòng")
    history = list(risk.assessments.values_list("likelihood", "impact", "level", "band", "note"))
    assert history == [
        (4, 4, 16, "critical", ""),
        (3, 4, 12, "high", "Đã có phương án dự phòng"),
        (2, 4, 8, "medium", "Đường truyền dự phòng"),
    ]
    risk.refresh_from_db()
    assert (risk.level, risk.review_date, risk.state) == (8, days(120), Risk.State.ASSESSED)
    # Each change of the rating is a field change too, with its old value.
    levels = FieldChange.objects.filter(object_id=risk.pk, field_name="level").values_list("old_value", "new_value")
    assert list(levels) == [("", "16"), ("16", "12"), ("12", "8")]


def test_the_history_of_assessments_cannot_be_changed_or_deleted(risk):
    entry = risk.assessments.get()
    entry.note = "sửa lại"
    for attempt in (entry.save, entry.delete, lambda: RiskAssessment.objects.update(note="x"),
                    lambda: RiskAssessment.objects.all().delete()):
        with pytest.raises(TypeError, match="append-only"):
            attempt()
    assert RiskAssessment.objects.get().note == ""


def test_a_rating_off_the_scale_is_refused_naming_the_field(risk, head):
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.risk_assess(risk=risk, by=head, likelihood=6, impact=0, next_review=days(30))
    assert excinfo.value.message_dict == {"likelihood": ["Rate from 1 to 5."], "impact": ["Rate from 1 to 5."]}
    assert risk.assessments.count() == 1


def test_a_three_by_three_scale_rates_and_bands_on_its_own_terms(head):
    risk_scale(size=3, medium_from=3, high_from=6, critical_from=9)
    risk = make_risk(owner=head, likelihood=2, impact=3)
    assert (risk.level, risk.assessments.get().band) == (6, "high")
    with pytest.raises(ValidationError):
        services.risk_assess(risk=risk, by=head, likelihood=4, impact=1, next_review=days(30))


def test_an_assessment_cannot_predate_the_last_one_nor_review_before_it(risk, head):
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.risk_assess(risk=risk, by=head, likelihood=3, impact=3, next_review=days(30), assessed_on=days(-3))
    assert "assessed_on" in excinfo.value.message_dict  # before it was identified
    older = make_risk(owner=head, likelihood=3, impact=3, identified_on=days(-20), review_in_days=30)
    services.risk_assess(risk=older, by=head, likelihood=2, impact=3, next_review=days(40), assessed_on=days(-5))
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.risk_assess(risk=older, by=head, likelihood=4, impact=3, next_review=days(40), assessed_on=days(-10))
    assert excinfo.value.message_dict["assessed_on"] == [
        f"The assessment date must lie between {days(-5):%d/%m/%Y} and today."
    ]
    assert older.assessments.count() == 2
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.risk_assess(risk=risk, by=head, likelihood=3, impact=3, next_review=TODAY)
    assert excinfo.value.message_dict == {"next_review": ["The next review comes after the assessment."]}


def test_only_the_owner_or_the_secretary_assesses_a_risk(risk, clerk, secretary, approver):
    for other in (clerk, approver):
        with override("en"), pytest.raises(PermissionDenied, match="Only the owner of the risk"):
            services.risk_assess(risk=risk, by=other, likelihood=1, impact=1, next_review=days(30))
    services.risk_assess(risk=risk, by=secretary, likelihood=3, impact=4, next_review=days(30))
    assert risk.assessments.count() == 2


def test_a_viewer_cannot_enter_a_risk(viewer, head):
    with pytest.raises(PermissionDenied):
        make_risk(owner=head, by=viewer)


def test_editing_a_risk_keeps_each_changed_field(risk, head, lawyer):
    services.risk_update(risk=risk, by=head, title="Lỗi phần mềm một cửa điện tử của tỉnh", owner=lawyer)
    changes = dict(FieldChange.objects.filter(object_id=risk.pk, field_name__in=["title", "owner"]).values_list("field_name", "new_value"))
    assert changes == {"title": "Lỗi phần mềm một cửa điện tử của tỉnh", "owner": "Ngô Thị Thanh Hương"}
    with pytest.raises(PermissionDenied):  # no longer its owner
        services.risk_update(risk=risk, by=head, title="x")


def test_the_treatment_starts_with_a_planned_action_and_ends_monitored_when_all_are_verified(risk, head, clerk):
    with override("en"), pytest.raises(ValidationError, match="Plan at least one treatment action first."):
        services.risk_transition(risk=risk, name="treat", by=head)
    action = services.risk_action_plan(risk=risk, by=head, description="Phương án tiếp nhận giấy dự phòng", owner=clerk,
                                       due_date=days(30))
    assert action.label == f"{risk.reference}/1"
    risk = services.risk_transition(risk=risk, name="treat", by=head)
    assert risk.state == Risk.State.IN_TREATMENT
    with override("en"), pytest.raises(ValidationError, match=f"These actions are not verified yet: {risk.reference}/1."):
        services.risk_transition(risk=risk, name="monitor", by=head)


def test_actions_are_planned_only_once_the_risk_is_assessed(clerk, head):
    risk = make_risk(owner=head)
    with override("en"), pytest.raises(ValidationError, match="Actions are planned for an assessed risk"):
        services.risk_action_plan(risk=risk, by=head, description="x", owner=clerk, due_date=days(5))


def test_accepting_a_risk_without_treatment_needs_the_reason(risk, head):
    with override("en"), pytest.raises(ValidationError, match="Say why the risk is accepted without treatment."):
        services.risk_transition(risk=risk, name="accept", by=head)
    risk = services.risk_transition(risk=risk, name="accept", by=head, comment="Mức thấp, theo dõi")
    assert risk.state == Risk.State.MONITORED


def test_closing_needs_a_reason_and_no_open_action_and_stops_assessments(risk, head, clerk):
    services.risk_action_plan(risk=risk, by=head, description="Nâng cấp đường truyền", owner=clerk, due_date=days(9))
    with override("en"), pytest.raises(ValidationError, match="Finish or verify its open treatment actions first."):
        services.risk_transition(risk=risk, name="close", by=head, comment="Không còn")
    other = make_risk(owner=head, likelihood=2, impact=2)
    other = services.risk_transition(risk=other, name="close", by=head, comment="Đã chuyển sang phần mềm mới")
    assert (other.state, other.closed_on, other.closure_reason) == (Risk.State.CLOSED, TODAY, "Đã chuyển sang phần mềm mới")
    with override("en"), pytest.raises(ValidationError, match="is closed"):
        services.risk_assess(risk=other, by=head, likelihood=1, impact=1, next_review=days(5))


def test_someone_else_cannot_move_the_risk_on(risk, head, clerk):
    services.risk_action_plan(risk=risk, by=head, description="Phương án dự phòng", owner=clerk, due_date=days(30))
    with override("en"), pytest.raises(TransitionRefused, match="Only the owner of the risk"):
        services.risk_transition(risk=risk, name="treat", by=clerk)


def test_only_the_secretary_changes_the_scale(secretary, head):
    with pytest.raises(PermissionDenied):
        services.risk_scale_update(by=head, size=3, medium_from=3, high_from=6, critical_from=9)
    scale = services.risk_scale_update(by=secretary, size=3, medium_from=3, high_from=6, critical_from=9)
    assert scale.size == 3
    assert FieldChange.objects.filter(object_id=scale.pk, field_name="size").values_list("old_value", "new_value").get() == ("5", "3")


def test_a_staff_member_of_any_role_that_handles_risks_may_enter_one(one_stop):
    for role in (Role.STAFF, Role.PROCESS_OWNER, Role.APPROVER, Role.ISO_SECRETARY):
        person = UserFactory(roles=[role], unit=one_stop)
        assert make_risk(owner=person, likelihood=1, impact=1).state == Risk.State.ASSESSED
