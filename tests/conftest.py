"""Fixtures every test may use: one unit and one user per role, all members of that unit."""

import pytest
from django.db import connection

from iso.models import Role

from .factories import OrgUnitFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL's row locks and real concurrent connections."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason=f"needs PostgreSQL (DATABASE_URL); the database here is {connection.vendor}")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def unit(db):
    return OrgUnitFactory(code="VP", name="Văn phòng UBND", kind="agency")


def _user(username: str, full_name: str, role: Role, unit):
    return UserFactory(username=username, full_name=full_name, roles=[role], unit=unit)


@pytest.fixture
def secretary(unit):
    return _user("secretary", "Trần Thị Thư Ký", Role.ISO_SECRETARY, unit)


@pytest.fixture
def approver(unit):
    return _user("approver", "Lê Văn Duyệt", Role.APPROVER, unit)


@pytest.fixture
def second_approver(unit):
    return _user("approver2", "Phạm Thị Phó", Role.APPROVER, unit)


@pytest.fixture
def process_owner(unit):
    return _user("owner", "Nguyễn Văn Chủ", Role.PROCESS_OWNER, unit)


@pytest.fixture
def staff(unit):
    return _user("staff", "Hoàng Văn Cán Bộ", Role.STAFF, unit)


@pytest.fixture
def auditor(unit):
    return _user("auditor", "Đỗ Thị Đánh Giá", Role.INTERNAL_AUDITOR, unit)


@pytest.fixture
def viewer(unit):
    return _user("viewer", "Vũ Văn Xem", Role.VIEWER, unit)
