"""An audited unit, a lead auditor from another unit, this year's programme and an audit in it, and a
late case of the one-stop-shop procedure (its fixtures come from tests/cases)."""

import datetime

import pytest
from django.utils import timezone

from audits import services
from audits.models import ChecklistItem, Finding
from iso.models import Clause, Role
from iso.workflows import transition_apply

from ..cases.conftest import birth, clerk  # noqa: F401 (fixtures used by the page tests)
from ..factories import OrgUnitFactory, UserFactory

TODAY = timezone.localdate()


def clause(number: str) -> Clause:
    return Clause.objects.get(number=number)


@pytest.fixture
def justice():
    return OrgUnitFactory(code="TP", name="Phòng Tư pháp")


@pytest.fixture
def lead(unit):
    """An internal auditor of the office (VP), so impartial towards the justice unit."""
    return UserFactory(username="lead", full_name="Đỗ Văn Trưởng Đoàn", roles=[Role.INTERNAL_AUDITOR], unit=unit)


@pytest.fixture
def justice_auditor(justice):
    return UserFactory(username="dgtp", full_name="Bùi Thị Tư Pháp", roles=[Role.INTERNAL_AUDITOR], unit=justice)


@pytest.fixture
def owner(justice):
    return UserFactory(username="cbtp", full_name="Phan Thị Sở Hữu", roles=[Role.STAFF], unit=justice)


@pytest.fixture
def programme(secretary):
    return services.programme_create(year=TODAY.year, title=f"Chương trình đánh giá nội bộ năm {TODAY.year}", by=secretary)


@pytest.fixture
def audit(programme, secretary, justice, lead):
    return services.audit_plan(
        programme=programme, by=secretary, reference="ĐG-01", title="Đánh giá Phòng Tư pháp", units=[justice],
        planned_start=TODAY, planned_end=TODAY, lead_auditor=lead, clauses=[clause("8.5"), clause("9.2")],
    )


@pytest.fixture
def audit_in_progress(audit, lead):
    # The checklist is prepared outside the pages here: a single question is enough to start.
    ChecklistItem.objects.create(audit=audit, position=1, question="Hồ sơ có được lưu đúng quy định không?", clause=clause("7.5"))
    audit = transition_apply(audit, "prepare", by=lead)
    return transition_apply(audit, "start", by=lead)


@pytest.fixture
def nonconformity(audit_in_progress, lead, justice, owner):
    finding = services.finding_record(
        audit=audit_in_progress, by=lead, kind=Finding.Kind.MINOR, clause=clause("8.5.1"), unit=justice,
        statement="Hồ sơ khai sinh không ghi ngày trả kết quả.", evidence="Sổ đăng ký, trang 12",
        owner=owner, due_date=TODAY + datetime.timedelta(days=30),
    )
    return finding.nonconformity
