"""People of two units around the risk register: the one-stop shop (its staff and process owner)
and the justice office, the ISO secretary and an approver of the office (see tests/conftest.py)."""

import datetime

import pytest
from django.utils import timezone

from iso.models import Role

from ..factories import OrgUnitFactory, UserFactory, make_risk

TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def one_stop(db):
    return OrgUnitFactory(code="MC", name="Bộ phận Một cửa")


@pytest.fixture
def justice(db):
    return OrgUnitFactory(code="TP", name="Phòng Tư pháp")


@pytest.fixture
def clerk(one_stop):
    return UserFactory(username="canbo", full_name="Hoàng Thị Lan", roles=[Role.STAFF], unit=one_stop)


@pytest.fixture
def head(one_stop):
    """The process owner of the one-stop shop: owns its risks and verifies their actions."""
    return UserFactory(username="truongbp", full_name="Lê Thị Minh Tâm", roles=[Role.PROCESS_OWNER], unit=one_stop)


@pytest.fixture
def lawyer(justice):
    return UserFactory(username="cbtp", full_name="Ngô Thị Thanh Hương", roles=[Role.STAFF], unit=justice)


@pytest.fixture
def risk(head):
    """Rated 4 × 4 = 16 (critical on the default 5 × 5 scale), owned by the head of the one-stop shop."""
    return make_risk(owner=head, title="Lỗi phần mềm một cửa điện tử", likelihood=4, impact=4)
