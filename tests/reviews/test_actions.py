"""The actions a management review decides: recorded between the meeting and the approval, worked on
once the minutes are approved, verified by someone other than their owner, and shown in the next
review's input a) until they are closed."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from iso.models import Signature
from iso.signatures import signatures_checked
from iso.workflows import TransitionRefused
from reviews import inputs, services
from reviews.inputs import figure_value, table_counts
from reviews.models import ReviewAction

from ..factories import signed
from .conftest import at, plan_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()
VERIFIED = Signature.Meaning.VERIFIED


def approved_with_actions(review, secretary, approver, *, owners, dues):
    """Hold ``review``, decide one action per owner, and approve its minutes."""
    review = services.review_hold(review=review, by=secretary)
    decision = services.decision_record(review=review, by=secretary, category="improvement", text="Cải tiến tra cứu hồ sơ")
    actions = [
        services.review_action_plan(review=review, by=secretary, decision=decision, description=f"Việc {n}", owner=owner, due_date=due)
        for n, (owner, due) in enumerate(zip(owners, dues, strict=True), start=1)
    ]
    services.review_update(review=review, by=secretary, conclusion="Hệ thống được duy trì.")
    services.review_approve_minutes(review=review, by=approver, signature=signed())
    return [ReviewAction.objects.get(pk=a.pk) for a in actions]


def done_long_ago(action, owner):
    action = services.review_action_transition(action=action, name="start", by=owner)
    action = services.review_action_transition(action=action, name="finish", by=owner, note="Đã làm xong")
    ReviewAction.objects.filter(pk=action.pk).update(completed_at=timezone.now() - datetime.timedelta(days=40))
    return ReviewAction.objects.get(pk=action.pk)


def test_actions_are_numbered_and_planned_only_for_people_who_can_carry_them_out(review, secretary, staff, viewer):
    with pytest.raises(ValidationError):
        services.review_action_plan(review=review, by=secretary, description="Sớm quá", owner=staff, due_date=TODAY)
    review = services.review_hold(review=review, by=secretary)
    first = services.review_action_plan(review=review, by=secretary, description="Việc 1", owner=staff, due_date=TODAY)
    second = services.review_action_plan(review=review, by=secretary, description="Việc 2", owner=secretary, due_date=TODAY)
    assert (first.label, second.label) == (f"{review.reference}/1", f"{review.reference}/2")
    with pytest.raises(ValidationError) as refused:
        services.review_action_plan(review=review, by=secretary, description="Việc 3", owner=viewer, due_date=TODAY)
    assert "owner" in refused.value.message_dict


def test_work_starts_once_the_minutes_are_approved_and_someone_else_verifies_it(review, secretary, approver, staff):
    review = services.review_hold(review=review, by=secretary)
    action = services.review_action_plan(review=review, by=secretary, description="In mã QR", owner=staff, due_date=TODAY)
    with pytest.raises(ValidationError, match="approved"):
        services.review_action_transition(action=action, name="start", by=staff)
    services.review_update(review=review, by=secretary, conclusion="Duy trì.")
    services.review_approve_minutes(review=review, by=approver, signature=signed())

    action = done_long_ago(ReviewAction.objects.get(pk=action.pk), staff)
    with pytest.raises(TransitionRefused):  # a member of staff does not verify the review's actions
        services.review_action_transition(action=action, name="verify_effective", by=staff, note="Tốt", signature=signed(VERIFIED))
    action = services.review_action_transition(
        action=action, name="verify_effective", by=approver, note="Người dân tra cứu được", signature=signed(VERIFIED)
    )

    assert action.state == ReviewAction.State.VERIFIED_EFFECTIVE and action.verified_by == approver
    assert [c.valid for c in signatures_checked(action)] == [True]
    # The chair's signature on the minutes covers what was decided, not how the action went since.
    assert [c.valid for c in signatures_checked(action.review)] == [True]


def test_the_secretary_never_verifies_an_action_of_her_own(review, secretary, approver):
    [action] = approved_with_actions(review, secretary, approver, owners=[secretary], dues=[TODAY])
    action = done_long_ago(action, secretary)
    with pytest.raises(TransitionRefused):
        services.review_action_transition(action=action, name="verify_effective", by=secretary, note="x", signature=signed(VERIFIED))
    assert ReviewAction.objects.get(pk=action.pk).state == ReviewAction.State.DONE


def test_the_next_review_shows_the_actions_still_open_and_those_closed_in_its_period(secretary, approver, staff):
    last = plan_review(by=secretary, chair=approver, start=datetime.date(2025, 1, 1), end=datetime.date(2025, 11, 30),
                       meeting_at=at("2025-12-18", "08:00"))
    yesterday = TODAY - datetime.timedelta(days=1)
    closed_before, closed_inside, done, late, waiting = approved_with_actions(
        last, secretary, approver, owners=[staff] * 5, dues=[yesterday] * 5
    )
    for action in (closed_before, closed_inside, done):
        done_long_ago(action, staff)
    for action, verified_on in ((closed_before, "2025-12-31"), (closed_inside, "2026-01-01")):
        services.review_action_transition(
            action=ReviewAction.objects.get(pk=action.pk), name="verify_effective", by=approver, note="Có hiệu lực",
            signature=signed(VERIFIED),
        )
        ReviewAction.objects.filter(pk=action.pk).update(verified_at=at(verified_on, "10:00"))
    services.review_action_transition(action=late, name="start", by=staff)

    data = inputs.gather("previous_actions", datetime.date(2026, 1, 1), datetime.date(2026, 11, 30)).data

    expected = {"total": 4, "open": 2, "overdue": 2, "done": 1, "effective": 1, "not_effective": 0}
    assert {key: figure_value(data, key) for key in expected} == expected
    assert list(table_counts(data, "actions")) == [a.label for a in (closed_inside, done, late, waiting)]
    # A review met after the period's end is not a previous one.
    assert figure_value(inputs.gather("previous_actions", datetime.date(2025, 1, 1), datetime.date(2025, 12, 17)).data, "total") == 0

    this_year = plan_review(by=secretary, chair=approver, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 11, 30),
                            meeting_at=at("2026-11-20", "08:00"))
    item = this_year.agenda_items.get(input_key="previous_actions")
    assert item.position == 1 and figure_value(item.snapshot, "open") == 2
