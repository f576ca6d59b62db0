"""The signed-in pages: typing in a paper form within one's reach, the feedback page with its
complaint and nonconformity, the list and the satisfaction index with a flat query count."""

import datetime

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from audits.models import Nonconformity
from iso.models import Role
from satisfaction.models import Feedback

from ..factories import FeedbackFactory, OrgUnitFactory, ProcedureFactory, ResolvedCaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def paper_form(criteria, **extra):
    return {"given_on": timezone.localdate().isoformat(), f"criterion_{criteria['contacts'].pk}": "2",
            f"criterion_{criteria['costs'].pk}": "5", "comment": "Phải đi lại hai lần", **extra}


def test_staff_type_in_the_paper_form_of_a_case_of_their_unit(client, completed, clerk, criteria):
    client.force_login(clerk)
    url = reverse("satisfaction:feedback_enter", args=[completed.reference])
    assert client.get(url).status_code == 200

    response = client.post(url, paper_form(criteria))

    feedback = Feedback.objects.get(case=completed)
    assert response.status_code == 302 and response["Location"] == feedback.get_absolute_url()
    assert (feedback.channel, feedback.entered_by, feedback.comment) == ("paper", clerk, "Phải đi lại hai lần")
    assert sorted(feedback.ratings.values_list("criterion__code", "score")) == [("contacts", 2), ("costs", 5)]


def test_a_paper_form_out_of_reach_is_not_found_and_read_only_roles_are_forbidden(client, completed, criteria, unit):
    url = reverse("satisfaction:feedback_enter", args=[completed.reference])
    elsewhere = UserFactory(roles=[Role.STAFF], unit=OrgUnitFactory(code="XHB"))
    client.force_login(elsewhere)
    assert client.post(url, paper_form(criteria)).status_code == 404
    for role in (Role.VIEWER, Role.INTERNAL_AUDITOR):
        client.force_login(UserFactory(roles=[role], unit=unit))
        assert client.post(url, paper_form(criteria)).status_code == 403
    assert not Feedback.objects.exists()


def test_a_paper_form_for_an_open_or_a_rated_case_goes_back_to_the_case_saying_why(client, receive, completed, clerk, criteria):
    client.force_login(clerk)
    client.cookies["django_language"] = "en"
    open_case = receive()
    response = client.get(reverse("satisfaction:feedback_enter", args=[open_case.reference]), follow=True)
    assert response.redirect_chain == [(open_case.get_absolute_url(), 302)]
    assert f"Dossier {open_case.reference} has not been resolved yet" in response.content.decode()
    FeedbackFactory(case=completed, scores={"costs": 4})
    response = client.post(reverse("satisfaction:feedback_enter", args=[completed.reference]), paper_form(criteria))
    assert response.status_code == 302 and response["Location"] == completed.get_absolute_url()
    assert Feedback.objects.count() == 1


def test_the_case_page_shows_its_feedback_or_the_way_to_enter_it(client, completed, clerk):
    client.force_login(clerk)
    enter = reverse("satisfaction:feedback_enter", args=[completed.reference])
    assert enter in client.get(completed.get_absolute_url()).content.decode()

    feedback = FeedbackFactory(case=completed, scores={"costs": 4})

    page = client.get(completed.get_absolute_url()).content.decode()
    assert feedback.get_absolute_url() in page and enter not in page


def test_staff_mark_a_complaint_and_open_one_nonconformity_from_it(client, clerk, unit):
    feedback = FeedbackFactory(case=ResolvedCaseFactory(procedure__owner_unit=unit), comment="Trễ hẹn",
                               scores={"return_time": 1})
    client.force_login(clerk)
    reference = feedback.case.reference

    client.post(reverse("satisfaction:feedback_complaint", args=[reference]))
    first = client.post(reverse("satisfaction:feedback_nonconformity", args=[reference]))
    second = client.post(reverse("satisfaction:feedback_nonconformity", args=[reference]))

    nonconformity = Nonconformity.objects.get()
    assert first.status_code == 302 and first["Location"] == nonconformity.get_absolute_url()
    assert second.status_code == 302 and second["Location"] == feedback.get_absolute_url()
    assert (nonconformity.source, nonconformity.unit) == ("complaint", unit)
    feedback.refresh_from_db()
    assert feedback.is_complaint and feedback.complaint_marked_by == clerk and feedback.nonconformity == nonconformity
    page = client.get(feedback.get_absolute_url()).content.decode()
    assert nonconformity.reference in page and "Trễ hẹn" in page


def test_the_feedback_of_another_unit_is_not_found(client, clerk):
    feedback = FeedbackFactory(is_complaint=True, comment="x", scores={"costs": 1})
    client.force_login(clerk)
    for name in ("feedback_detail", "feedback_complaint", "feedback_nonconformity"):
        response = getattr(client, "get" if name == "feedback_detail" else "post")(
            reverse(f"satisfaction:{name}", args=[feedback.case.reference])
        )
        assert response.status_code == 404, name
    assert not Nonconformity.objects.exists()


def _grow(unit, count: int, start: int):
    procedure = ProcedureFactory(owner_unit=unit)
    for number in range(count):
        FeedbackFactory(
            case=ResolvedCaseFactory(procedure=procedure, reference=f"GROW-{start + number}"),
            channel="paper", entered_by=UserFactory(unit=unit), is_complaint=number % 2 == 0, comment=f"Ý kiến {number}",
            scores={"return_time": 1 + number % 5, "contacts": 4},
        )


@pytest.mark.parametrize("name", ["satisfaction:feedback_list", "satisfaction:index"])
def test_the_list_and_the_index_keep_a_flat_query_count(client, clerk, unit, name, django_assert_max_num_queries):
    _grow(unit, 2, 0)
    client.force_login(clerk)
    url = reverse(name)
    client.get(url)  # warm the caches of content types and permissions
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    _grow(unit, 12, 100)
    with django_assert_max_num_queries(len(first)):
        response = client.get(url)
    assert response.status_code == 200
    if name == "satisfaction:index":
        assert response.context["report"].breakdown.responses == 14
    else:
        assert "GROW-111" in response.content.decode()


def test_the_index_page_names_the_formula_and_shows_a_unit_only_its_own_figures(client, clerk, unit, secretary):
    _grow(unit, 2, 0)
    FeedbackFactory(given_on=timezone.localdate(), scores={"contacts": 1})  # another unit's
    client.force_login(clerk)
    client.cookies["django_language"] = "en"

    response = client.get(reverse("satisfaction:index"))

    report = response.context["report"]
    assert report.breakdown.responses == 2 and [row.key for row in report.by_unit] == [unit.code]
    formula = "Satisfaction index = ratings of 4 (satisfied) or 5 (very satisfied) ÷ all ratings × 100"
    assert formula in response.content.decode()
    client.force_login(secretary)
    assert client.get(reverse("satisfaction:index")).context["report"].breakdown.responses == 3


def test_the_index_page_takes_a_period(client, secretary):
    FeedbackFactory(given_on=datetime.date(2026, 3, 10), scores={"contacts": 5, "costs": 2})
    client.force_login(secretary)

    march = client.get(reverse("satisfaction:index"), {"start": "2026-03-01", "end": "2026-03-31"}).context["report"]
    april = client.get(reverse("satisfaction:index"), {"start": "2026-04-01", "end": "2026-04-30"}).context["report"]

    assert (march.breakdown.responses, str(march.breakdown.index)) == (1, "50.00")
    assert (april.breakdown.responses, april.breakdown.index) == (0, None)
