"""Hand-made data for the indicators: cases of two procedures over April and May 2026, nonconformities
due in March and April 2026, and the 2026 audit programme; each through the services, dated with
``at``. The figures each should give are worked out in the tests."""

import datetime

import pytest

from audits import services as audit_services
from audits.models import Audit, ChecklistItem, Nonconformity
from cases import services as case_services
from iso.models import Clause, Role, Signature
from iso.workflows import transition_apply

from ..audits.conftest import justice, lead  # noqa: F401 (fixtures)
from ..cases.conftest import at, birth, build_birth_registration, clerk  # noqa: F401 (fixtures)
from ..factories import OrgUnitFactory, ProcedureFactory, ProcedureRevisionFactory, UserFactory, make_effective, signed

YEAR = 2026
#: 1 January to 15 June 2026, the end excluded.
HALF_YEAR = (datetime.date(YEAR, 1, 1), datetime.date(YEAR, 6, 16))


@pytest.fixture
def commune():
    return OrgUnitFactory(code="XA", name="UBND xã An Hòa")


@pytest.fixture
def land(unit, secretary, approver):
    """A second procedure of the unit, QT-07, with the same step graph."""
    procedure = ProcedureFactory(code="QT-07", title="Chứng thực bản sao", owner_unit=unit)
    revision = ProcedureRevisionFactory(procedure=procedure, author=secretary)
    procedure.steps = build_birth_registration(revision, unit)
    make_effective(revision, approver=approver, publisher=secretary)
    return procedure


@pytest.fixture
def cases(birth, land, clerk, commune):
    """Nine cases, received at 08:00 on Monday 13 April or Monday 18 May 2026, each due the next day
    at 14:00 (4 working hours of reception and 1 working day of appraisal).

    ===  =========  =====  ==========================================================  ========
    a1   QT-06      April  result on Monday 16:00                                      early
    a2   QT-06      April  result on Wednesday, after an apology                       late
    m1   QT-06      May    result on Monday 16:00                                      early
    m2   QT-06      May    result on Tuesday 13:00                                     on time
    m3   QT-06      May    waited for a supplement Monday 10:00 → Friday 09:00,        early
                           result on Friday 10:00: after the first due date, but the
                           wait does not count
    m4   QT-06      May    never moved                                                 open
    m5   QT-06      May    withdrawn by the applicant                                  —
    c1   QT-06      May    at the commune, result on Monday 15:00                      early
    q1   QT-07      May    result on Wednesday, after an apology                       late
    ===  =========  =====  ==========================================================  ========
    """

    def receive(procedure, day, unit=None):
        return case_services.case_receive(
            procedure=procedure, by=clerk, applicant_name="Công dân", received_at=at(day, "08:00"), unit=unit
        )

    def move(procedure, case, step, day, time):
        return case_services.case_move(case=case, to_step=procedure.steps[step], by=clerk, at=at(day, time))

    def early(procedure, day, time="16:00", unit=None):
        case = move(procedure, receive(procedure, day, unit), "XL", day, "09:00")
        return move(procedure, case, "KQ", day, time)

    def late(procedure, monday, wednesday, thursday):
        case = move(procedure, receive(procedure, monday), "XL", monday, "09:00")
        case_services.case_apologise(case=case, by=clerk, reason="Xác minh", new_due_at=at(thursday, "09:00"),
                                     at=at(monday, "10:00"))
        return move(procedure, case, "KQ", wednesday, "09:00")

    made = {
        "a1": early(birth, "2026-04-13"),
        "a2": late(birth, "2026-04-13", "2026-04-15", "2026-04-16"),
        "m1": early(birth, "2026-05-18"),
    }
    m2 = move(birth, receive(birth, "2026-05-18"), "XL", "2026-05-18", "09:00")
    made["m2"] = move(birth, m2, "KQ", "2026-05-19", "13:00")
    m3 = move(birth, receive(birth, "2026-05-18"), "XL", "2026-05-18", "09:00")
    case_services.case_request_supplement(case=m3, by=clerk, missing="Tờ khai", at=at("2026-05-18", "10:00"))
    case_services.case_receive_supplement(case=m3, by=clerk, at=at("2026-05-22", "09:00"))
    made["m3"] = move(birth, m3, "KQ", "2026-05-22", "10:00")
    made["m4"] = receive(birth, "2026-05-18")
    made["m5"] = case_services.case_withdraw(case=receive(birth, "2026-05-18"), by=clerk, reason="Rút", at=at("2026-05-18", "09:30"))
    made["c1"] = early(birth, "2026-05-18", "15:00", unit=commune)
    made["q1"] = late(land, "2026-05-18", "2026-05-20", "2026-05-21")
    return made


@pytest.fixture
def handler(unit):
    return UserFactory(username="xuly", full_name="Lê Thị Xử Lý", roles=[Role.STAFF], unit=unit)


def nonconformity(*, unit, by, owner, due, state="open", closed=None):
    """A nonconformity of ``unit`` due on ``due`` (an ISO date), taken through its real lifecycle to
    ``state``; a closed one is then dated ``closed`` (ISO date and time)."""
    nc = audit_services.nonconformity_raise(
        by=by, source=Nonconformity.Source.COMPLAINT, unit=unit, description=f"Phản ánh, hạn {due}", owner=owner,
        due_date=datetime.date.fromisoformat(due) if due else None, detected_on=datetime.date(YEAR, 2, 1),
    )
    if state == "rejected":
        return audit_services.nonconformity_transition(nonconformity=nc, name="reject", by=by, comment="Không phải NC")
    if state == "open":
        return nc
    nc = audit_services.nonconformity_analyse(nonconformity=nc, by=owner, correction="Sửa ngay", root_cause="Thiếu mẫu")
    action = audit_services.corrective_action_plan(
        nonconformity=nc, by=owner, description="Ban hành mẫu", owner=owner, due_date=nc.due_date
    )
    audit_services.nonconformity_transition(nonconformity=nc, name="plan", by=owner)
    audit_services.nonconformity_transition(nonconformity=nc, name="accept_plan", by=by, signature=signed())
    action = audit_services.corrective_action_start(action=action, by=owner)
    action = audit_services.corrective_action_finish(action=action, by=owner, note="Đã ban hành")
    audit_services.nonconformity_transition(nonconformity=nc, name="request_verification", by=owner)
    audit_services.corrective_action_verify(
        action=action, verified_by=by, effective=True, note="Hiệu quả", signature=signed(Signature.Meaning.VERIFIED)
    )
    nc = audit_services.nonconformity_transition(nonconformity=nc, name="close", by=by)
    day, time = closed.split(" ")
    # Data setup, not a state change: the history is dated in the past.
    Nonconformity.objects.filter(pk=nc.pk).update(closed_at=at(day, time))
    return Nonconformity.objects.get(pk=nc.pk)


@pytest.fixture
def nonconformities(unit, commune, secretary, handler, settings):
    """Eight nonconformities of 2026.

    ===  =======  ==========  =============================================  ==============
    n1   unit     10 March    closed 9 March 10:00                           on time
    n2   unit     20 March    closed 20 March 23:30                          on time
    n3   unit     25 March    closed 26 March 06:00 (25 March 23:00 UTC):    late
                              the day of closing is the organisation's
    n4   unit     15 April    still open, past its due date                  late
    n5   unit     20 April    rejected: not a nonconformity                  not counted
    n6   commune  28 April    closed 27 April                                on time
    n7   unit     none        open, due in no period                         not counted
    n8   unit     10 July     closed 1 July                                  outside the half year
    ===  =======  ==========  =============================================  ==============
    """
    settings.CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS = 0
    commune_owner = UserFactory(username="xa", roles=[Role.STAFF], unit=commune)
    common = {"by": secretary}
    return {
        "n1": nonconformity(unit=unit, owner=handler, due="2026-03-10", state="closed", closed="2026-03-09 10:00", **common),
        "n2": nonconformity(unit=unit, owner=handler, due="2026-03-20", state="closed", closed="2026-03-20 23:30", **common),
        "n3": nonconformity(unit=unit, owner=handler, due="2026-03-25", state="closed", closed="2026-03-26 06:00", **common),
        "n4": nonconformity(unit=unit, owner=handler, due="2026-04-15", **common),
        "n5": nonconformity(unit=unit, owner=handler, due="2026-04-20", state="rejected", **common),
        "n6": nonconformity(unit=commune, owner=commune_owner, due="2026-04-28", state="closed", closed="2026-04-27 15:00",
                            **common),
        "n7": nonconformity(unit=unit, owner=handler, due=None, **common),
        "n8": nonconformity(unit=unit, owner=handler, due="2026-07-10", state="closed", closed="2026-07-01 09:00", **common),
    }


def _audit(programme, secretary, lead, justice, number):
    return audit_services.audit_plan(
        programme=programme, by=secretary, reference=f"ĐG-{YEAR}-{number:02d}", title=f"Đánh giá {number}",
        units=[justice], planned_start=datetime.date(YEAR, number + 2, 10), planned_end=datetime.date(YEAR, number + 2, 11),
        lead_auditor=lead,
    )


def _reported(audit, lead, day):
    ChecklistItem.objects.create(audit=audit, position=1, question="Hồ sơ có đủ không?", clause=Clause.objects.get(number="7.5"))
    audit = transition_apply(transition_apply(audit, "prepare", by=lead), "start", by=lead)
    audit = audit_services.audit_report(audit=audit, by=lead, summary="Hệ thống phù hợp.", signature=signed())
    # Data setup, not a state change: the report is dated in the past.
    Audit.objects.filter(pk=audit.pk).update(reported_at=at(day, "16:00"))
    return Audit.objects.get(pk=audit.pk)


@pytest.fixture
def programme(secretary, lead, justice):
    """The 2026 programme: five audits.

    ==  ========================  ==================
    1   reported 15 March, closed  done in March
    2   reported 20 May            done in May
    3   in progress                not done
    4   planned                    not done
    5   cancelled                  left out
    ==  ========================  ==================
    """
    programme = audit_services.programme_create(year=YEAR, title=f"Chương trình {YEAR}", by=secretary)
    audits = [_audit(programme, secretary, lead, justice, number) for number in range(1, 6)]
    first = _reported(audits[0], lead, "2026-03-15")
    transition_apply(first, "close", by=lead)
    _reported(audits[1], lead, "2026-05-20")
    ChecklistItem.objects.create(audit=audits[2], position=1, question="?", clause=Clause.objects.get(number="7.5"))
    transition_apply(transition_apply(audits[2], "prepare", by=lead), "start", by=lead)
    transition_apply(audits[4], "cancel", by=secretary, comment="Đơn vị sáp nhập")
    return programme

