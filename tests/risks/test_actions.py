"""Treatment actions run the lifecycle every tracked action shares (iso.models.TrackedAction): the
owner carries them out once the treatment has started, someone else verifies them, after the delay,
with an electronic signature."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from audits.models import CorrectiveAction
from iso.actions import action_transition
from iso.models import Role, Signature, TrackedAction, TransitionLog
from iso.signatures import SignatureRefused, signatures_checked
from iso.workflows import TransitionRefused, available_transitions
from risks import services
from risks.models import RiskAction

from ..factories import UserFactory, signed
from .conftest import days

pytestmark = pytest.mark.django_db

VERIFIED = Signature.Meaning.VERIFIED


@pytest.fixture
def action(risk, head, clerk):
    action = services.risk_action_plan(
        risk=risk, by=head, description="Xây dựng phương án tiếp nhận hồ sơ giấy dự phòng", owner=clerk, due_date=days(30)
    )
    services.risk_transition(risk=risk, name="treat", by=head)
    return action


def done_long_ago(action, owner) -> RiskAction:
    """Start and finish ``action`` as its owner, finished past the verification delay."""
    action = action_transition(action=action, name="start", by=owner)
    action = action_transition(action=action, name="finish", by=owner, note="Đã ban hành phương án")
    RiskAction.objects.filter(pk=action.pk).update(completed_at=timezone.now() - datetime.timedelta(days=31))
    return RiskAction.objects.get(pk=action.pk)


def test_risk_and_corrective_actions_share_one_lifecycle():
    assert issubclass(RiskAction, TrackedAction) and issubclass(CorrectiveAction, TrackedAction)
    assert RiskAction.State is CorrectiveAction.State
    for model in (RiskAction, CorrectiveAction):
        assert {t.name for t in model._meta.get_field("state").get_all_transitions(model)} == {
            "start", "finish", "verify_effective", "verify_not_effective"
        }


def test_an_action_starts_only_once_the_treatment_has_started(risk, head, clerk):
    planned = services.risk_action_plan(risk=risk, by=head, description="Tập huấn", owner=clerk, due_date=days(10))
    with override("en"), pytest.raises(ValidationError, match=f"The treatment of {risk.reference} has not started yet."):
        action_transition(action=planned, name="start", by=clerk)
    assert RiskAction.objects.get(pk=planned.pk).state == RiskAction.State.PLANNED


def test_the_owner_carries_the_action_out_and_says_what_was_done(action, clerk, lawyer):
    with override("en"), pytest.raises(TransitionRefused, match=r"Only the owner of the action \(Hoàng Thị Lan\) or the ISO secretary"):
        action_transition(action=action, name="start", by=lawyer)
    action = action_transition(action=action, name="start", by=clerk)
    with override("en"), pytest.raises(ValidationError, match="Say what was done."):
        action_transition(action=action, name="finish", by=clerk, note="  ")
    action = action_transition(action=action, name="finish", by=clerk, note="Đã ban hành phương án")
    assert (action.state, action.completion_note) == (RiskAction.State.DONE, "Đã ban hành phương án")
    assert action.completed_at is not None
    assert [e.transition for e in TransitionLog.objects.for_object(action).order_by("pk")] == ["start", "finish"]


def test_the_owner_of_an_action_never_verifies_it(action, clerk, head):
    head_action = services.risk_action_plan(risk=action.risk, by=head, description="Lắp đường truyền dự phòng",
                                            owner=head, due_date=days(20))
    head_action = done_long_ago(head_action, head)
    with override("en"), pytest.raises(TransitionRefused, match="You own this action, so you cannot verify it"):
        action_transition(action=head_action, name="verify_effective", by=head, note="Tốt", signature=signed(VERIFIED))
    assert "verify_effective" not in [t.name for t in available_transitions(head_action, head)]


def test_only_the_risk_owner_the_secretary_or_an_approver_verifies(action, clerk, lawyer, auditor, one_stop):
    action = done_long_ago(action, clerk)
    other_head = UserFactory(roles=[Role.PROCESS_OWNER], unit=one_stop)
    for person in (lawyer, auditor):
        # Staff and auditors hold no right to verify risk actions (an auditor verifies corrective actions only).
        with override("en"), pytest.raises(TransitionRefused, match="Only the owner of the risk, the ISO secretary or an approver"):
            action_transition(action=action, name="verify_effective", by=person, note="x", signature=signed(VERIFIED))
    with override("en"), pytest.raises(TransitionRefused, match=r"Only the owner of the risk \(Lê Thị Minh Tâm\)"):
        action_transition(action=action, name="verify_effective", by=other_head, note="x", signature=signed(VERIFIED))


def test_verification_waits_for_the_delay(action, clerk, head):
    action = action_transition(action=action, name="start", by=clerk)
    action = action_transition(action=action, name="finish", by=clerk, note="Đã làm")
    with override("en"), pytest.raises(ValidationError, match="Effectiveness can be verified from"):
        action_transition(action=action, name="verify_effective", by=head, note="Tốt", signature=signed(VERIFIED))


def test_the_verdict_is_signed_electronically_by_the_verifier(action, clerk, head):
    action = done_long_ago(action, clerk)
    with override("en"), pytest.raises(SignatureRefused, match="needs your electronic signature"):
        action_transition(action=action, name="verify_effective", by=head, note="Đã dùng khi phần mềm lỗi")
    with pytest.raises(SignatureRefused):
        action_transition(action=action, name="verify_effective", by=head, note="x", signature=signed(VERIFIED, "sai"))
    head.refresh_from_db()
    assert head.failed_signatures == 1
    action = action_transition(
        action=action, name="verify_effective", by=head, note="Đã dùng khi phần mềm lỗi ngày 12/3", signature=signed(VERIFIED)
    )
    assert (action.state, action.verified_by, action.verification_note) == (
        RiskAction.State.VERIFIED_EFFECTIVE, head, "Đã dùng khi phần mềm lỗi ngày 12/3"
    )
    [checked] = signatures_checked(action)
    assert checked.valid and (checked.signature.signer, checked.signature.meaning) == (head, VERIFIED)
    assert checked.signature.action == "verify_effective"


def test_an_ineffective_action_leaves_the_risk_in_treatment_until_another_one_works(action, clerk, head, secretary):
    action = done_long_ago(action, clerk)
    action_transition(action=action, name="verify_not_effective", by=secretary, note="Chưa dùng được", signature=signed(VERIFIED))
    # Every action is verified, effective or not: the risk may be monitored, or treated further.
    second = services.risk_action_plan(risk=action.risk, by=head, description="Phương án mới", owner=clerk, due_date=days(15))
    assert second.number == 2
    with override("en"), pytest.raises(ValidationError, match="not verified yet"):
        services.risk_transition(risk=action.risk, name="monitor", by=head)
    done = done_long_ago(second, clerk)
    action_transition(action=done, name="verify_effective", by=head, note="Đã dùng", signature=signed(VERIFIED))
    assert services.risk_transition(risk=action.risk, name="monitor", by=head).state == "monitored"
