"""The case list pages by keyset: the same cases in the same order as the whole list, every filter
kept, and the same few queries on the first page as on a deep one."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import selectors, services
from cases.models import Case, Timing
from iso.pagination import keyset_page

from ..factories import OrgUnitFactory
from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(birth, clerk):
    """160 cases: running ones late, at risk and on track, waiting ones, resolved ones early and
    late, withdrawn ones; several share a due date, so the order needs the primary key too."""
    first = services.case_receive(procedure=birth, by=clerk, applicant_name="Nguyễn Văn An", received_at=at("2026-05-18", "08:00"))
    commune = OrgUnitFactory(code="XA", name="UBND xã An Hòa")
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    kinds = [
        ("received", "", now - datetime.timedelta(days=3)),
        ("in_progress", "", now + datetime.timedelta(hours=1)),
        ("in_progress", "", now + datetime.timedelta(days=9)),
        ("waiting_supplement", "", now - datetime.timedelta(days=1)),
        ("completed", Timing.EARLY, now - datetime.timedelta(days=30)),
        ("completed", Timing.LATE, now - datetime.timedelta(days=20)),
        ("rejected", Timing.ON_TIME, now - datetime.timedelta(days=20)),
        ("withdrawn", "", now - datetime.timedelta(days=10)),
    ]
    rows = []
    for number in range(2, 161):
        state, timing, due = kinds[number % len(kinds)]
        resolved = due if timing else None
        rows.append(Case(
            reference=f"QT-06-X-{number:03d}", procedure=birth, revision=first.revision, year=2026, sequence=number,
            unit=commune if number % 5 == 0 else first.unit, state=state, timing=timing,
            applicant_name=f"Công dân {number}", received_by=clerk, received_at=min(due, now) - datetime.timedelta(days=40),
            due_at=due + datetime.timedelta(minutes=number % 3), resolved_at=resolved,
            current_step=first.current_step if state in Case.OPEN_STATES else None, assignee=clerk,
        ))
    Case.objects.bulk_create(rows)
    return {"commune": commune}


def walk(user, filters=None, size=5):
    pages, page = [], selectors.case_page(user=user, filters=filters, size=size)
    pages.append([c.reference for c in page])
    while page.has_next:
        page = selectors.case_page(user=user, filters=filters, after=page.next_cursor, size=size)
        pages.append([c.reference for c in page])
    return pages, page


@pytest.mark.parametrize("filters", [
    None, {"late": True}, {"state": "in_progress"}, {"state": "completed"}, {"q": "dân 1"},
    {"unit": "commune"}, {"state": "received", "late": True},
])
def test_pages_hold_the_whole_list_in_its_order(many, secretary, filters):
    if filters and filters.get("unit") == "commune":
        filters = {"unit": many["commune"]}
    whole = [c.reference for c in selectors.case_list(user=secretary, filters=filters)]
    pages, _last = walk(secretary, filters)
    assert [reference for page in pages for reference in page] == whole
    assert all(len(page) == 5 for page in pages[:-1])


def test_previous_pages_come_back_the_same(many, secretary):
    pages, page = walk(secretary)
    back = [[c.reference for c in page]]
    while page.has_previous:
        page = selectors.case_page(user=secretary, before=page.previous_cursor, size=5)
        back.append([c.reference for c in page])
    assert back == list(reversed(pages))


def test_a_mangled_cursor_gives_the_first_page(many, secretary):
    first = [c.reference for c in selectors.case_page(user=secretary, size=5)]
    for cursor in ("nonsense", "WzAsICJ4IiwgMV0", ""):
        assert [c.reference for c in selectors.case_page(user=secretary, after=cursor, size=5)] == first


def test_keyset_reads_only_the_segment_a_state_belongs_to(many, secretary, django_assert_num_queries):
    # The working calendar (for the at-risk boundary), then the resolved cases only.
    with django_assert_num_queries(2):
        page = selectors.case_page(user=secretary, filters={"state": "completed"}, size=5)
        list(page)
    assert keyset_page([Case.objects.none()], field="due_at", size=5).object_list == []


def test_a_deep_page_takes_the_queries_of_the_first(many, client, clerk, django_assert_max_num_queries):
    client.force_login(clerk)
    url = reverse("cases:case_list")
    with CaptureQueriesContext(connection) as captured:
        first = client.get(url)
    first_page = len(captured)  # read now: the next request empties the connection's query log
    cursor = client.get(url, {"after": first.context["page"].next_cursor}).context["page"].next_cursor
    # A page may read the end of the running cases and the start of the others: one query more at most.
    with django_assert_max_num_queries(first_page + 1):
        response = client.get(url, {"after": cursor})
    assert len(response.context["page"]) == 50
    assert "before=" in response.content.decode() and "after=" in response.content.decode()
