"""Pages of management reviews: the secretary prepares, the chair signs, everyone reads approved
minutes and only them; flat query counts on the lists; the annual report for the secretary and the
approvers."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from iso.models import Signature
from reviews.inputs import PROVIDERS
from reviews.models import AgendaItem, Decision, ManagementReview, ReviewAction

from ..factories import signed_post
from .conftest import END, START

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def post(client, review, action, data=None):
    response = client.post(reverse("reviews:review_action", args=[review.reference, action]), data or {}, **EN)
    assert response.status_code == 302, response.status_code
    return ManagementReview.objects.get(pk=review.pk)


def test_the_secretary_plans_a_review_from_its_page_and_the_inputs_are_gathered(client, secretary, approver, member):
    client.force_login(secretary)
    assert client.get(reverse("reviews:review_create")).status_code == 200
    response = client.post(reverse("reviews:review_create"), {
        "title": "Họp xem xét quý I", "period_start": START.isoformat(), "period_end": END.isoformat(),
        "meeting_at": "2026-04-02T08:00", "place": "Phòng họp số 1", "chair": approver.pk, "secretary": secretary.pk,
        "attendees": [member.pk], "guests": "",
    })
    review = ManagementReview.objects.get()
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    assert review.agenda_items.count() == len(PROVIDERS) and list(review.attendees.all()) == [member]


def test_the_review_page_takes_the_meeting_through_to_signed_minutes(client, review, secretary, approver, member):
    client.force_login(secretary)
    page = client.get(review.get_absolute_url(), **EN).content.decode()
    assert "Gather the inputs again" in page and "Record as held" in page

    post(client, review, "gather")
    post(client, review, "add_item", {"title": "Kế hoạch năm sau", "discussion": ""})
    added = review.agenda_items.get(input_key="")
    post(client, review, "edit_item", {"item": added.pk, "title": "Kế hoạch năm sau", "discussion": "Trình bày", "conclusion": "Thống nhất"})
    post(client, review, "move_item", {"item": added.pk, "offset": "-1"})
    assert AgendaItem.objects.get(pk=added.pk).position == len(PROVIDERS)
    review = post(client, review, "transition", {"transition": "hold"})
    assert review.state == ManagementReview.State.HELD
    post(client, review, "decide", {"category": Decision.Category.RESOURCES, "text": "Trang bị máy quét"})
    decision = review.decisions.get()
    post(client, review, "plan_action", {"decision": decision.pk, "description": "Mua máy quét", "owner": member.pk,
                                         "due_date": (TODAY + datetime.timedelta(days=30)).isoformat()})
    post(client, review, "conclude", {"conclusion": "Hệ thống được duy trì."})

    client.force_login(approver)
    page = client.get(review.get_absolute_url(), **EN).content.decode()
    assert "Approve the minutes" in page and "Record a decision" not in page
    review = post(client, review, "transition", {"transition": "approve_minutes", **signed_post(Signature.Meaning.APPROVED)})
    assert review.state == ManagementReview.State.MINUTES_APPROVED

    client.force_login(member)  # an attendee owns an action and starts it from the minutes' page
    action = review.actions.get()
    post(client, review, "action", {"action": action.pk, "transition": "start"})
    assert ReviewAction.objects.get(pk=action.pk).state == ReviewAction.State.IN_PROGRESS


def test_drafts_are_for_the_secretary_and_the_approvers_and_approved_minutes_for_everyone(client, review, staff, viewer, approver):
    for user in (staff, viewer):
        client.force_login(user)
        assert client.get(review.get_absolute_url()).status_code == 404
        assert client.get(reverse("reviews:review_print", args=[review.reference])).status_code == 404
        assert review.reference not in client.get(reverse("reviews:review_list")).content.decode()
    client.force_login(approver)
    assert client.get(review.get_absolute_url()).status_code == 200
    assert review.reference in client.get(reverse("reviews:review_list")).content.decode()

    ManagementReview.objects.filter(pk=review.pk).update(state=ManagementReview.State.MINUTES_APPROVED)
    client.force_login(viewer)
    page = client.get(review.get_absolute_url(), **EN)
    assert page.status_code == 200 and "Edit the meeting" not in page.content.decode()
    assert client.post(reverse("reviews:review_action", args=[review.reference, "add_item"]), {"title": "x"}).status_code == 403
    assert client.get(reverse("reviews:review_edit", args=[review.reference])).status_code == 403


def _approved_reviews(count, secretary, chair, owner, start=0):
    """``count`` reviews with approved minutes and two actions each, written in bulk."""
    reviews = ManagementReview.objects.bulk_create(
        ManagementReview(
            reference=f"XXLĐ-1900-{n:03d}", year=1900, number=n + 1, title=f"Họp {n}", period_start=START, period_end=END,
            meeting_at=timezone.now(), place="Phòng họp", chair=chair, secretary=secretary, created_by=secretary,
            state=ManagementReview.State.MINUTES_APPROVED,
        )
        for n in range(start, start + count)
    )
    ReviewAction.objects.bulk_create(
        ReviewAction(review=review, number=number, description=f"Việc {number}", owner=owner,
                     due_date=TODAY + datetime.timedelta(days=number * 20 - 30))
        for review in reviews for number in (1, 2)
    )


@pytest.mark.parametrize("name", ["reviews:review_list", "reviews:action_list"])
def test_the_lists_keep_a_flat_query_count(client, secretary, approver, staff, name, django_assert_max_num_queries):
    client.force_login(staff)
    _approved_reviews(3, secretary, approver, staff)
    url = reverse(name)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _approved_reviews(40, secretary, approver, staff, start=3)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url)
    assert response.status_code == 200 and "XXLĐ-1900-042" in response.content.decode()


def test_the_action_list_filters_the_users_own_and_the_overdue(client, secretary, approver, staff):
    _approved_reviews(2, secretary, approver, staff)
    _approved_reviews(1, secretary, approver, approver, start=2)
    client.force_login(staff)
    mine = client.get(reverse("reviews:action_list"), {"mine": "on"}).context["page"]
    assert len(mine) == 4 and {a.owner for a in mine} == {staff}
    overdue = client.get(reverse("reviews:action_list"), {"overdue": "on"}).context["page"]
    assert [a.label for a in overdue] == ["XXLĐ-1900-000/1", "XXLĐ-1900-001/1", "XXLĐ-1900-002/1"]


def test_the_annual_report_is_for_the_secretary_and_the_approvers(client, secretary, approver, staff, viewer):
    year = TODAY.year
    for user in (staff, viewer):
        client.force_login(user)
        for name in ("reviews:report_detail", "reviews:report_print", "reviews:report_xlsx"):
            assert client.get(reverse(name, args=[year])).status_code == 403, name
    client.force_login(approver)
    assert client.get(reverse("reviews:report_detail", args=[year])).status_code == 200
    assert client.post(reverse("reviews:report_detail", args=[year]), {"proposals": "x"}).status_code == 403

    client.force_login(secretary)
    response = client.post(reverse("reviews:report_detail", args=[year]), {
        "recipient": "Sở Khoa học và Công nghệ", "proposals": "Đề nghị tập huấn", "signer_title": "CHỦ TỊCH", "signer_name": "Lê Văn Duyệt",
    })
    assert response.status_code == 302
    page = client.get(reverse("reviews:report_detail", args=[year])).content.decode()
    assert "Đề nghị tập huấn" in page
    assert client.get(reverse("reviews:report_print", args=[year]))["Content-Type"] == "application/pdf"
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("reviews:report_xlsx", args=[year])).content))
    assert len(book.sheetnames) >= 10
    assert client.get(reverse("reviews:report_detail", args=[1850])).status_code == 404
