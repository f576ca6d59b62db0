"""A one-stop-shop procedure with a known step graph, in force, and a clock to run cases on."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from iso.models import Role
from processes.models import Step

from ..factories import (
    ProcedureFactory,
    ProcedureRevisionFactory,
    StepEdgeFactory,
    StepFactory,
    UserFactory,
    make_effective,
)

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, time: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=HCM)


def build_birth_registration(revision, unit):
    """TN reception (4 working hours) → XL appraisal (1 working day) → KQ result; XL → TC refusal;
    XL → TN back for a supplement. The heaviest way takes 11.5 working hours."""
    steps = {
        "TN": StepFactory(revision=revision, code="TN", position=1, kind=Step.Kind.START, name="Tiếp nhận hồ sơ",
                          responsible_unit=unit, time_limit=Decimal("4"), time_unit=Step.TimeUnit.WORKING_HOURS),
        "XL": StepFactory(revision=revision, code="XL", position=2, kind=Step.Kind.TASK, name="Thẩm định",
                          responsible_unit=unit, time_limit=Decimal("1"), time_unit=Step.TimeUnit.WORKING_DAYS),
        "KQ": StepFactory(revision=revision, code="KQ", position=3, kind=Step.Kind.END, name="Trả kết quả",
                          time_limit=Decimal("0")),
        "TC": StepFactory(revision=revision, code="TC", position=4, kind=Step.Kind.REFUSAL, name="Từ chối",
                          time_limit=Decimal("0")),
    }
    for source, target, action in [
        ("TN", "XL", "Chuyển xử lý"), ("XL", "KQ", "Trả kết quả"), ("XL", "TC", "Từ chối"), ("XL", "TN", "Yêu cầu bổ sung"),
    ]:
        StepEdgeFactory(revision=revision, source=steps[source], target=steps[target], action=action)
    return steps


@pytest.fixture
def clerk(unit):
    return UserFactory(username="motcua", full_name="Nguyễn Thị Một Cửa", roles=[Role.STAFF], unit=unit)


@pytest.fixture
def birth(unit, secretary, approver):
    """Procedure QT-06 with its effective revision 0; ``birth.steps`` maps step codes to steps."""
    procedure = ProcedureFactory(code="QT-06", title="Đăng ký khai sinh", owner_unit=unit)
    revision = ProcedureRevisionFactory(procedure=procedure, author=secretary)
    steps = build_birth_registration(revision, unit)
    make_effective(revision, approver=approver, publisher=secretary)
    procedure.steps = steps
    procedure.revision = revision
    return procedure
