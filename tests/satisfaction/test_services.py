"""Feedback on a resolved case, once; paper forms typed in by staff; complaints to nonconformities."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import override

from audits.models import Nonconformity
from cases import services as case_services
from iso.models import Role
from satisfaction import services
from satisfaction.models import Feedback, Rating

from ..factories import FeedbackFactory, ResolvedCaseFactory, UserFactory
from .conftest import resolve

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the default language is Vietnamese)."""
    with override("en"):
        yield


def scores(criteria, **by_code):
    return {criteria[code].pk: score for code, score in by_code.items()}


def test_the_applicant_rates_a_completed_case_at_the_kiosk(completed, criteria):
    feedback = services.feedback_submit(
        case=completed, scores=scores(criteria, return_time=5, staff_attitude=4), comment="  Cán bộ tận tình.  "
    )

    assert (feedback.channel, feedback.given_on, feedback.entered_by, feedback.comment) == (
        Feedback.Channel.KIOSK, timezone.localdate(), None, "Cán bộ tận tình."
    )
    assert sorted(feedback.ratings.values_list("criterion__code", "score")) == [("return_time", 5), ("staff_attitude", 4)]
    assert not feedback.is_complaint


def test_a_refused_dossier_may_be_rated_too(receive, birth, clerk, criteria):
    refused = resolve(receive(), birth, clerk, refuse=True)

    feedback = services.feedback_submit(case=refused, scores=scores(criteria, staff_attitude=2))

    assert feedback.case.state == "rejected"


def test_a_case_still_open_or_withdrawn_cannot_be_rated(receive, clerk, criteria):
    open_case = receive()
    withdrawn = case_services.case_withdraw(case=receive(), by=clerk, reason="Công dân xin rút")

    for case in (open_case, withdrawn):
        with pytest.raises(ValidationError, match="has not been resolved yet"):
            services.feedback_submit(case=case, scores=scores(criteria, costs=5))
    assert not Feedback.objects.exists()


def test_a_case_is_rated_once_and_the_database_refuses_a_second_feedback(completed, criteria):
    services.feedback_submit(case=completed, scores=scores(criteria, costs=5))

    with pytest.raises(ValidationError, match="has already been given"):
        services.feedback_submit(case=completed, scores=scores(criteria, costs=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(case=completed, channel="kiosk")
    assert Rating.objects.get().score == 5


def test_ratings_must_be_1_to_5_on_asked_criteria_and_at_least_one(completed, criteria):
    criteria["costs"].is_active = False
    criteria["costs"].save()

    for bad, message in [
        ({}, "Rate at least one criterion"),
        (scores(criteria, costs=4), "not asked"),
        (scores(criteria, contacts=6), "from 1 to 5"),
        (scores(criteria, contacts=0), "from 1 to 5"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.feedback_submit(case=completed, scores=bad)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(feedback=FeedbackFactory(), criterion=criteria["contacts"], score=9)
    assert not Feedback.objects.filter(case=completed).exists()


def test_a_complaint_says_what_it_is_about(completed, criteria):
    with pytest.raises(ValidationError, match="what the complaint is about"):
        services.feedback_submit(case=completed, scores=scores(criteria, contacts=1), is_complaint=True, comment=" ")


def test_staff_type_in_a_paper_form_with_its_date_and_who_entered_it_is_kept(completed, criteria, clerk):
    feedback = services.feedback_enter(
        case=completed, by=clerk, scores=scores(criteria, contacts=3), given_on=timezone.localdate()
    )

    assert (feedback.channel, feedback.entered_by) == (Feedback.Channel.PAPER, clerk)


def test_a_paper_form_is_not_dated_in_the_future_or_before_the_result(completed, criteria, clerk):
    today = timezone.localdate()
    for day, message in [(today + datetime.timedelta(days=1), "in the future"),
                         (today - datetime.timedelta(days=1), "before the dossier was resolved")]:
        with pytest.raises(ValidationError, match=message):
            services.feedback_enter(case=completed, by=clerk, scores=scores(criteria, contacts=3), given_on=day)


@pytest.mark.parametrize("role", [Role.VIEWER, Role.INTERNAL_AUDITOR, Role.APPROVER])
def test_only_staff_who_handle_feedback_type_in_paper_forms(completed, criteria, unit, role):
    with pytest.raises(PermissionDenied):
        services.feedback_enter(case=completed, by=UserFactory(roles=[role], unit=unit), scores=scores(criteria, costs=5))


def test_staff_mark_feedback_as_a_complaint_and_it_says_who(criteria, clerk):
    feedback = FeedbackFactory(comment="Phải đi lại nhiều lần", scores={"contacts": 1})

    feedback = services.feedback_mark_complaint(feedback=feedback, by=clerk)

    assert feedback.is_complaint and feedback.complaint_marked_by == clerk
    with pytest.raises(ValidationError, match="already a complaint"):
        services.feedback_mark_complaint(feedback=feedback, by=clerk)
    with pytest.raises(PermissionDenied):
        services.feedback_mark_complaint(feedback=FeedbackFactory(), by=UserFactory(roles=[Role.VIEWER]))


def test_a_complaint_opens_exactly_one_nonconformity_of_the_case_unit_with_source_complaint(secretary):
    case = ResolvedCaseFactory(reference="QT-06-260105-0001", procedure__title="Đăng ký khai sinh")
    feedback = FeedbackFactory(case=case, is_complaint=True, comment="Trả kết quả trễ hẹn", scores={"return_time": 1})

    nonconformity = services.feedback_raise_nonconformity(feedback=feedback, by=secretary)

    assert nonconformity.source == Nonconformity.Source.COMPLAINT
    assert nonconformity.unit == case.unit and nonconformity.state == Nonconformity.State.OPEN
    assert "QT-06-260105-0001" in nonconformity.description and "Trả kết quả trễ hẹn" in nonconformity.description
    assert nonconformity.clause.number == "8.2.1"
    feedback.refresh_from_db()
    assert feedback.nonconformity == nonconformity and nonconformity.feedback == feedback
    with pytest.raises(ValidationError, match=f"already opened nonconformity {nonconformity.reference}"):
        services.feedback_raise_nonconformity(feedback=feedback, by=secretary)
    assert Nonconformity.objects.count() == 1


def test_only_a_complaint_opens_a_nonconformity_and_only_for_who_may_raise_one(secretary):
    with pytest.raises(ValidationError, match="Only a complaint"):
        services.feedback_raise_nonconformity(feedback=FeedbackFactory(scores={"costs": 2}), by=secretary)
    with pytest.raises(PermissionDenied):
        services.feedback_raise_nonconformity(
            feedback=FeedbackFactory(is_complaint=True, comment="x"), by=UserFactory(roles=[Role.VIEWER])
        )
    assert not Nonconformity.objects.exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        # The database, too, keeps nonconformities for complaints.
        FeedbackFactory(nonconformity=Nonconformity.objects.create(
            reference="NC-2026-900", year=2026, number=900, source="complaint", unit=secretary.unit,
            description="x", detected_by=secretary,
        ))
