"""The management review's lifecycle: planned → held → minutes approved, the minutes signed by the
chair, and what may change at each stage."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from iso.models import FieldChange, Signature
from iso.signatures import SignatureRefused, signatures_checked
from iso.workflows import TransitionRefused
from reviews import services
from reviews.models import AgendaItem, Decision, ManagementReview

from ..factories import signed
from .conftest import END, START, at, plan_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

State = ManagementReview.State


def held(review, secretary):
    return services.review_hold(review=review, by=secretary)


def test_reviews_are_numbered_in_the_year_of_their_meeting(secretary, approver):
    first = plan_review(by=secretary, chair=approver)
    second = plan_review(by=secretary, chair=approver, meeting_at=at("2026-12-20", "08:00"))
    next_year = plan_review(by=secretary, chair=approver, meeting_at=at("2027-01-05", "14:00"))

    assert [first.reference, second.reference, next_year.reference] == ["XXLĐ-2026-01", "XXLĐ-2026-02", "XXLĐ-2027-01"]
    assert second.minutes_number == "02/BB-XXLĐ"


def test_only_an_approver_chairs_and_only_the_secretary_plans(secretary, staff, approver):
    with pytest.raises(ValidationError) as refused:
        plan_review(by=secretary, chair=staff)
    assert "chair" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        plan_review(by=staff, chair=approver)
    with pytest.raises(ValidationError) as refused:
        plan_review(by=secretary, chair=approver, start=END, end=START)
    assert "period_end" in refused.value.message_dict
    assert not ManagementReview.objects.exists()


def test_the_secretary_adds_reorders_and_writes_agenda_items_and_each_change_is_kept(review, secretary):
    added = services.agenda_item_add(review=review, by=secretary, title="Kế hoạch đánh giá năm sau")
    assert added.position == review.agenda_items.count() and added.input_key == ""

    moved = services.agenda_item_move(item=added, by=secretary, offset=-1)
    order = list(review.agenda_items.order_by("position").values_list("pk", flat=True))
    assert order[-2] == moved.pk == added.pk
    assert sorted(AgendaItem.objects.filter(review=review).values_list("position", flat=True)) == list(range(1, len(order) + 1))
    services.agenda_item_move(item=AgendaItem.objects.get(pk=order[0]), by=secretary, offset=-1)  # the first stays first
    assert list(review.agenda_items.order_by("position").values_list("pk", flat=True)) == order

    services.agenda_item_update(item=added, by=secretary, discussion="Thư ký trình bày dự thảo.", conclusion="Thống nhất")
    changes = FieldChange.objects.for_object(added)
    assert {(c.field_name, c.new_value) for c in changes} == {("discussion", "Thư ký trình bày dự thảo."), ("conclusion", "Thống nhất")}


def test_the_period_changes_only_before_the_meeting_and_a_new_period_is_gathered_again(review, secretary):
    item = review.agenda_items.get(input_key="audits")
    services.review_update(review=review, by=secretary, period_start=datetime.date(2026, 1, 1))
    item.refresh_from_db()
    review.refresh_from_db()
    assert review.period_start == datetime.date(2026, 1, 1)
    assert item.gathered_at > review.created_at

    held(review, secretary)
    with pytest.raises(ValidationError):
        services.review_update(review=review, by=secretary, period_start=START)
    services.review_update(review=review, by=secretary, place="Hội trường tầng 2")  # the facts may be corrected


def test_a_meeting_is_held_only_once_its_time_has_come(secretary, approver):
    future = plan_review(by=secretary, chair=approver, end=datetime.date(2099, 1, 30))
    with pytest.raises(ValidationError, match="later"):
        held(future, secretary)
    assert ManagementReview.objects.get(pk=future.pk).state == State.PLANNED


def test_decisions_are_recorded_between_the_meeting_and_the_approval(review, secretary):
    with pytest.raises(ValidationError):
        services.decision_record(review=review, by=secretary, category="improvement", text="Số hóa hồ sơ")
    review = held(review, secretary)
    first = services.decision_record(review=review, by=secretary, category=Decision.Category.RESOURCES, text="Bổ sung 01 máy quét")
    second = services.decision_record(review=review, by=secretary, category=Decision.Category.QMS_CHANGE, text="Sửa đổi QT-06")
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(ValidationError):
        services.decision_record(review=review, by=secretary, category="nonsense", text="x")


def test_the_chair_alone_approves_the_minutes_with_a_signature_and_then_nothing_changes(
    review, secretary, approver, second_approver
):
    review = held(review, secretary)
    services.decision_record(review=review, by=secretary, category="improvement", text="Triển khai tra cứu bằng mã QR")

    with pytest.raises(ValidationError, match="conclusion"):
        services.review_approve_minutes(review=review, by=approver, signature=signed())
    services.review_update(review=review, by=secretary, conclusion="Hệ thống phù hợp, được duy trì và có hiệu lực.")
    with pytest.raises(TransitionRefused, match="chair"):
        services.review_approve_minutes(review=review, by=second_approver, signature=signed())
    with pytest.raises(TransitionRefused):
        services.review_approve_minutes(review=review, by=secretary, signature=signed())
    with pytest.raises(SignatureRefused):
        services.review_approve_minutes(review=review, by=approver, signature=None)
    with pytest.raises(SignatureRefused):
        services.review_approve_minutes(review=review, by=approver, signature=signed(password="sai-mật-khẩu"))
    assert ManagementReview.objects.get(pk=review.pk).state == State.HELD

    review = services.review_approve_minutes(review=review, by=approver, signature=signed())

    assert review.state == State.MINUTES_APPROVED and review.approved_at
    [checked] = signatures_checked(review)
    assert checked.valid and checked.signature.signer == approver
    assert checked.signature.action == "approve_minutes" and checked.signature.meaning == Signature.Meaning.APPROVED
    assert "Triển khai tra cứu bằng mã QR" in checked.signature.content
    item = review.agenda_items.first()
    for attempt in (
        lambda: services.agenda_item_update(item=item, by=secretary, discussion="sửa", conclusion=""),
        lambda: services.agenda_item_add(review=review, by=secretary, title="Thêm"),
        lambda: services.review_update(review=review, by=secretary, conclusion="Khác"),
        lambda: services.decision_record(review=review, by=secretary, category="improvement", text="Khác"),
    ):
        with pytest.raises(ValidationError, match="signed"):
            attempt()


def test_a_change_to_the_signed_minutes_breaks_the_signature(review, secretary, approver):
    review = held(review, secretary)
    services.review_update(review=review, by=secretary, conclusion="Duy trì hệ thống.")
    review = services.review_approve_minutes(review=review, by=approver, signature=signed())
    assert [c.valid for c in signatures_checked(review)] == [True]

    # A change made behind the services' back, straight in the database:
    AgendaItem.objects.filter(review=review, input_key="nonconformities").update(snapshot={"figures": []})

    assert [c.valid for c in signatures_checked(review)] == [False]
