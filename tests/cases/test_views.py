"""Case pages: intake, actions, lists and the dashboard, with their query counts."""

import csv
import re
import io

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import override

from cases import services
from cases.models import Case, StepVisit

from .conftest import at

pytestmark = pytest.mark.django_db


def _copies(case: Case, count: int) -> None:
    """``count`` more cases like ``case``, written in bulk: query counts only need rows."""
    start = Case.objects.filter(procedure=case.procedure, year=case.year).count() + 1
    copies = []
    for number in range(start, start + count):
        copy = Case(
            reference=f"{case.procedure.code}-X-{number:05d}", procedure=case.procedure, revision=case.revision,
            year=case.year, sequence=number, unit=case.unit, applicant_name=f"Công dân {number}",
            received_by=case.received_by, received_at=case.received_at, due_at=case.due_at,
            current_step=case.current_step, assignee=case.assignee,
        )
        copies.append(copy)
    Case.objects.bulk_create(copies)
    StepVisit.objects.bulk_create(
        StepVisit(case=c, step=c.current_step, entered_at=c.received_at, due_at=c.due_at, hours_allowed=4) for c in copies
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", [reverse("cases:case_list"), reverse("cases:case_list") + "?mine=on&late=on", reverse("cases:dashboard"),
            reverse("home")],
)
def test_case_pages_keep_a_flat_query_count_from_10_to_1000_cases(client, birth, clerk, url, django_assert_max_num_queries):
    client.force_login(clerk)
    case = services.case_receive(procedure=birth, by=clerk, applicant_name="An", received_at=at("2026-05-18", "08:00"))
    _copies(case, 9)
    with_ten = _queries(client, url)
    _copies(case, 990)
    with django_assert_max_num_queries(with_ten):
        client.get(url)
    # The dashboard reads month tallies, day tallies and the cases overdue now for each of its five figures.
    assert with_ten <= 25


def test_a_clerk_receives_a_case_through_the_intake_page(client, birth, clerk):
    client.force_login(clerk)
    response = client.post(
        reverse("cases:case_create"),
        {"procedure": birth.pk, "applicant_name": "Lê Thị Bình", "applicant_kind": "person",
         "applicant_contact": "0912 345 678", "channel": "online", "received_at": "2026-05-18T08:00"},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == case.get_absolute_url()
    assert (case.applicant_name, case.channel, case.received_by, case.due_at) == (
        "Lê Thị Bình", "online", clerk, at("2026-05-19", "14:00")
    )


def test_the_case_page_offers_the_moves_of_the_current_step(client, birth, clerk):
    case = services.case_receive(procedure=birth, by=clerk, applicant_name="An")
    client.force_login(clerk)
    response = client.get(case.get_absolute_url())
    assert [edge.target.code for edge in response.context["moves"]] == ["XL"]
    assert "Chuyển xử lý → XL" in response.content.decode()


def test_a_move_through_the_page_follows_the_graph_and_a_wrong_one_is_explained(client, birth, clerk):
    case = services.case_receive(procedure=birth, by=clerk, applicant_name="An")
    client.force_login(clerk)
    url = reverse("cases:case_action", args=[case.reference, "move"])
    response = client.post(url, {"to_step": birth.steps["KQ"].pk}, HTTP_ACCEPT_LANGUAGE="en")
    with override("en"):
        assert [str(m) for m in get_messages(response.wsgi_request)] == [
            "There is no move from step TN to step KQ. Allowed moves: XL (Chuyển xử lý)."
        ]
    client.post(url, {"to_step": birth.steps["XL"].pk, "comment": "Đủ hồ sơ"})
    case.refresh_from_db()
    assert (case.state, case.current_step) == ("in_progress", birth.steps["XL"])


def test_a_viewer_cannot_post_case_actions(client, birth, clerk, viewer):
    case = services.case_receive(procedure=birth, by=clerk, applicant_name="An")
    client.force_login(viewer)
    response = client.post(reverse("cases:case_action", args=[case.reference, "move"]), {"to_step": birth.steps["XL"].pk})
    assert response.status_code == 403


def test_the_dashboard_names_its_denominator_and_exports_its_figures(client, birth, clerk):
    case = services.case_receive(procedure=birth, by=clerk, applicant_name="An", received_at=at("2026-05-18", "08:00"))
    case = services.case_move(case=case, to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "09:00"))
    services.case_move(case=case, to_step=birth.steps["KQ"], by=clerk, at=at("2026-05-18", "16:00"))
    client.force_login(clerk)
    params = {"start": "2026-05-01", "end": "2026-05-31"}
    response = client.get(reverse("cases:dashboard"), params, HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["total"].rate == 100
    assert "÷ cases resolved" in response.content.decode()
    export = client.get(reverse("cases:dashboard_export", args=["csv"]), params, HTTP_ACCEPT_LANGUAGE="en")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8"))))
    total = rows[0]
    assert (total["Group"], total["Received"], total["Early"], total["On-time rate (%)"], total["Rate denominator"]) == (
        "Total", "1", "1", "100.0", "cases resolved"
    )
    assert {row["Group"] for row in rows} == {"Total", "Month", "Procedure", "Unit"}
    xlsx = client.get(reverse("cases:dashboard_export", args=["xlsx"]), params)
    assert xlsx.content[:2] == b"PK"


def test_the_chart_keeps_decimal_points_in_vietnamese(client, birth, clerk):
    case = services.case_receive(procedure=birth, by=clerk, applicant_name="An", received_at=at("2026-05-18", "08:00"))
    case = services.case_move(case=case, to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "09:00"))
    services.case_move(case=case, to_step=birth.steps["KQ"], by=clerk, at=at("2026-05-18", "16:00"))
    client.force_login(clerk)
    html = client.get(reverse("cases:dashboard"), {"start": "2026-05-01", "end": "2026-05-31"}, HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert not re.search(r'(x|y|width|height)="\d+,\d', svg)
    assert "100,0%" in svg  # the label itself is Vietnamese
