"""Cases of a one-stop-shop procedure run through the services to their result, and the criteria
the data migration seeds."""

import pytest

from cases import services as case_services
from iso.models import Role
from satisfaction.models import Criterion

from ..cases.conftest import build_birth_registration
from ..factories import ProcedureFactory, ProcedureRevisionFactory, UserFactory, make_effective


@pytest.fixture
def clerk(unit):
    return UserFactory(username="motcua", full_name="Nguyễn Thị Một Cửa", roles=[Role.STAFF], unit=unit)


@pytest.fixture
def birth(unit, secretary, approver):
    """Procedure QT-06 "Đăng ký khai sinh" in force; ``birth.steps`` maps step codes to steps."""
    procedure = ProcedureFactory(code="QT-06", title="Đăng ký khai sinh", owner_unit=unit)
    revision = ProcedureRevisionFactory(procedure=procedure, author=secretary)
    steps = build_birth_registration(revision, unit)
    make_effective(revision, approver=approver, publisher=secretary)
    procedure.steps = steps
    return procedure


def resolve(case, procedure, by, *, refuse: bool = False):
    """Move ``case`` through appraisal to its result (or its refusal)."""
    case = case_services.case_move(case=case, to_step=procedure.steps["XL"], by=by)
    return case_services.case_move(
        case=case, to_step=procedure.steps["TC" if refuse else "KQ"], by=by, comment="Không đủ điều kiện" if refuse else ""
    )


@pytest.fixture
def receive(birth, clerk):
    """A function that receives a case of QT-06 from an applicant."""

    def receive_case(applicant: str = "Trần Văn Bình"):
        return case_services.case_receive(
            procedure=birth, by=clerk, applicant_name=applicant, applicant_contact="0912 345 678"
        )

    return receive_case


@pytest.fixture
def completed(receive, birth, clerk):
    return resolve(receive(), birth, clerk)


@pytest.fixture
def criteria(db) -> dict[str, Criterion]:
    return Criterion.objects.in_bulk(field_name="code")
