"""A period of review (March 2026), a chair and a secretary, and a way to plan a review over it.

The audited unit, the lead auditor and the one-stop-shop procedure come from the audits and cases
fixtures.
"""

import datetime

import pytest
from django.utils.translation import override

from iso.models import Role
from reviews import services

from ..audits.conftest import justice, lead  # noqa: F401 (fixtures)
from ..cases.conftest import at, birth, clerk  # noqa: F401 (fixtures)
from ..factories import UserFactory

START = datetime.date(2026, 3, 2)
END = datetime.date(2026, 3, 31)
#: The day before the period and the day after it: what falls there is left out.
BEFORE = START - datetime.timedelta(days=1)
AFTER = END + datetime.timedelta(days=1)


@pytest.fixture
def member(unit):
    return UserFactory(username="member", full_name="Lý Thị Thành Viên", job_title="Trưởng phòng", roles=[Role.PROCESS_OWNER], unit=unit)


def plan_review(*, by, chair, start=START, end=END, meeting_at=None, **fields):
    """A review of [start, end], met on ``meeting_at`` (the day after the period, 08:00, by default)."""
    meeting_at = meeting_at or at((end + datetime.timedelta(days=1)).isoformat(), "08:00")
    return services.review_plan(
        by=by, title=fields.pop("title", "Họp xem xét của lãnh đạo quý I năm 2026"), period_start=start,
        period_end=end, meeting_at=meeting_at, place=fields.pop("place", "Phòng họp số 1, trụ sở UBND"),
        chair=chair, secretary=fields.pop("secretary", by), **fields,
    )


@pytest.fixture
def review(secretary, approver, member):
    return plan_review(by=secretary, chair=approver, attendees=[member], guests="Ông Trần Văn Khách, chuyên gia tư vấn")


@pytest.fixture
def english():
    """Refusals read in English, whatever the default language: the tests match their words."""
    with override("en"):
        yield
