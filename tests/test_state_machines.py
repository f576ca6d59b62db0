"""Random sequences of transitions, pressed by random people, through every state machine.

Hypothesis drives each machine through its services, as users would: most steps are refused (wrong
state, wrong person, a condition not met), and a refusal must change nothing. After every step the
invariants of the domain hold:

- a procedure (and the quality policy, on the same lifecycle) never has two effective revisions,
  and an approved revision was approved by someone other than its author;
- a case's step visits form a path of its revision's graph from the start step, each closed but
  the last, and a completed case left its last step by a move to an end step;
- a closed nonconformity has only actions verified effective (an ineffective one was reissued and
  its reissue verified); nothing is left open once verification is asked for;
- a completed programme has only closed or cancelled audits; a reported audit has its summary;
- a risk's rating is its last assessment's; a closed risk has no open treatment action, a risk
  monitored after its treatment has every action verified, never by the action's owner;
- every state is one of its machine's states, and the transition log of each object is an unbroken
  path from its first state to the state it is in.

Each example runs in a savepoint that is rolled back, so examples do not see each other's rows.
"""

import contextlib
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from audits import services as audit_services
from audits.models import Audit, AuditProgramme, ChecklistItem, CorrectiveAction, Nonconformity
from cases import services as case_services
from cases.models import Case
from iso.actions import action_transition
from iso.models import Clause, Role, Signature, TransitionLog
from iso.revisions import services as revision_services
from iso.signatures import signatures_checked, transition_signing
from iso.workflows import TransitionRefused, transition_apply
from processes import services as process_services
from processes.models import ProcedureRevision, Step
from qms import services as qms_services
from qms.models import PolicyRevision
from risks import services as risk_services
from risks.models import Risk, RiskAction

from .cases.conftest import build_birth_registration
from .factories import (
    OrgUnitFactory,
    PolicyRevisionFactory,
    ProcedureFactory,
    ProcedureRevisionFactory,
    StepEdgeFactory,
    StepFactory,
    UserFactory,
    make_effective,
    signed,
)

VERIFIED = Signature.Meaning.VERIFIED

pytestmark = pytest.mark.django_db

#: What a step may legitimately end in: the user is told why, and nothing changes.
REFUSALS = (TransitionRefused, ValidationError, PermissionDenied)

#: Few, short examples: the suite stays fast, and a run still walks several hundred transitions.
EXAMPLES = hypothesis_settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: (action, which object, who presses) for each step of a run.
STEPS = st.integers(min_value=0, max_value=5)


def _steps(actions: tuple[str, ...], *, min_size: int, max_size: int):
    """Steps drawn from ``actions`` and, twice as often, "forward": the step a diligent user takes
    next, so that runs reach the late states (closed, completed, superseded) between their detours."""
    names = st.one_of(st.sampled_from(actions), st.just("forward"), st.just("forward"))
    return st.lists(st.tuples(names, STEPS, STEPS), min_size=min_size, max_size=max_size)


def attempt(call, *objects) -> bool:
    """Run one step; True when it went through. A refusal must leave every object as it was."""
    before = [_state_of(obj) for obj in objects]
    try:
        with transaction.atomic():
            call()
    except REFUSALS:
        assert [_state_of(obj) for obj in objects] == before, "a refused step changed something"
        return False
    return True


def _state_of(obj):
    return type(obj).objects.filter(pk=obj.pk).values_list("state", flat=True).first()


@contextlib.contextmanager
def rolled_back():
    """The example's body runs in a savepoint rolled back at its end, leaving nothing for the next."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def assert_log_is_a_path(obj, first_state: str) -> None:
    """The logged transitions of ``obj`` chain from ``first_state`` to the state it is in now."""
    state = first_state
    for source, target in TransitionLog.objects.for_object(obj).order_by("pk").values_list("source", "target"):
        assert source == state, f"{obj}: a logged transition starts from {source}, not {state}"
        state = target
    assert state == obj.state, f"{obj} is {obj.state} but its log ends at {state}"


def _pick(items: list, index: int):
    return items[index % len(items)]


# Procedure revisions


@pytest.fixture
def revision_people(unit):
    return {
        "author": UserFactory(roles=[Role.PROCESS_OWNER], unit=unit),
        "secretary": UserFactory(roles=[Role.ISO_SECRETARY], unit=unit),
        "approver": UserFactory(roles=[Role.APPROVER], unit=unit),
    }


REVISION_ACTIONS = ("start", "submit", "return", "approve", "publish", "withdraw")


@EXAMPLES
@given(steps=_steps(REVISION_ACTIONS, min_size=4, max_size=18))
def test_random_revision_workflows_keep_one_effective_revision_per_procedure(revision_people, steps):
    with rolled_back():
        people = list(revision_people.values())
        procedure = ProcedureFactory()
        first = ProcedureRevisionFactory(procedure=procedure, author=revision_people["author"])
        start = StepFactory(revision=first, kind=Step.Kind.START)
        end = StepFactory(revision=first, kind=Step.Kind.END)
        StepEdgeFactory(revision=first, source=start, target=end)
        calls = {
            "start": lambda r, by: process_services.revision_start(procedure=procedure, by=by),
            "submit": lambda r, by: process_services.revision_submit(revision=r, by=by),
            "return": lambda r, by: process_services.revision_return(revision=r, by=by, comment="Sửa mục 5"),
            "approve": lambda r, by: process_services.revision_approve(revision=r, by=by, signature=signed()),
            "publish": lambda r, by: process_services.revision_publish(revision=r, by=by, signature=signed()),
            "withdraw": lambda r, by: process_services.revision_withdraw(revision=r, by=by, comment="Hết hiệu lực"),
        }

        def forward(_revision, _by):
            latest = procedure.revisions.order_by("-number").first()
            step = {"draft": ("submit", "author"), "in_review": ("approve", "approver"), "approved": ("publish", "secretary")}
            name, person = step.get(latest.state, ("start", "author"))
            return calls[name](latest, revision_people[person])

        calls["forward"] = forward

        for action, which, who in steps:
            revisions = list(procedure.revisions.order_by("number"))
            revision = _pick(revisions, which)
            attempt(lambda: calls[action](revision, _pick(people, who)), *revisions)

            revisions = list(procedure.revisions.order_by("number"))
            assert sum(r.state == ProcedureRevision.State.EFFECTIVE for r in revisions) <= 1
            assert sum(r.state in process_services.OPEN_STATES for r in revisions) <= 1
            for r in revisions:
                assert r.state in ProcedureRevision.State.values
                if r.state in ("approved", "effective", "superseded", "withdrawn"):
                    assert r.approved_by_id and r.approved_by_id != r.author_id
                if r.state in ("superseded", "withdrawn"):
                    assert r.ended_on is not None
                assert_log_is_a_path(r, ProcedureRevision.State.DRAFT)


# The scope and the quality policy: the same lifecycle on another document


@EXAMPLES
@given(steps=_steps(REVISION_ACTIONS, min_size=4, max_size=18))
def test_random_policy_workflows_keep_one_effective_revision_and_frozen_content(revision_people, steps):
    with rolled_back():
        people = [revision_people["secretary"], revision_people["approver"], revision_people["author"]]
        secretary, approver = revision_people["secretary"], revision_people["approver"]
        first = PolicyRevisionFactory(author=secretary)
        document = first.document
        calls = {
            "start": lambda r, by: qms_services.qms_revision_start(document=document, by=by),
            "submit": lambda r, by: revision_services.revision_submit(revision=r, by=by),
            "return": lambda r, by: revision_services.revision_return(revision=r, by=by, comment="Sửa câu chữ"),
            "approve": lambda r, by: revision_services.revision_approve(revision=r, by=by, signature=signed()),
            "publish": lambda r, by: revision_services.revision_publish(revision=r, by=by, signature=signed()),
            "withdraw": lambda r, by: revision_services.revision_withdraw(revision=r, by=by, comment="Hết hiệu lực"),
        }

        def forward(_revision, _by):
            latest = document.revisions.order_by("-number").first()
            step = {"draft": ("submit", secretary), "in_review": ("approve", approver), "approved": ("publish", secretary)}
            name, person = step.get(latest.state, ("start", secretary))
            return calls[name](latest, person)

        calls["forward"] = forward

        for action, which, who in steps:
            revisions = list(document.revisions.order_by("number"))
            revision = _pick(revisions, which)
            attempt(lambda: calls[action](revision, _pick(people, who)), *revisions)

            revisions = list(document.revisions.order_by("number"))
            assert sum(r.state == PolicyRevision.State.EFFECTIVE for r in revisions) <= 1
            assert sum(r.state in revision_services.OPEN_STATES for r in revisions) <= 1
            for r in revisions:
                if r.state in ("approved", "effective", "superseded", "withdrawn"):
                    assert r.approved_by_id and r.approved_by_id != r.author_id
                    assert all(c.valid for c in signatures_checked(r))
                assert_log_is_a_path(r, PolicyRevision.State.DRAFT)


# Cases


@pytest.fixture
def birth_procedure(unit, secretary, approver):
    procedure = ProcedureFactory(code="QT-06", owner_unit=unit)
    revision = ProcedureRevisionFactory(procedure=procedure, author=secretary)
    steps = build_birth_registration(revision, unit)
    make_effective(revision, approver=approver, publisher=secretary)
    return procedure, revision, steps


CASE_ACTIONS = ("move", "move", "move", "request_supplement", "receive_supplement", "reject", "withdraw")


def _assert_visits_follow_the_graph(case: Case, revision) -> None:
    edges = {(e.source.code, e.target.code): e for e in revision.edges.select_related("source", "target")}
    visits = list(case.visits.select_related("step").order_by("entered_at", "pk"))
    assert visits and visits[0].step.kind == Step.Kind.START
    for before, after in zip(visits, visits[1:]):
        assert (before.step.code, after.step.code) in edges, f"{case}: no move {before.step.code} → {after.step.code}"
        assert before.left_at is not None and before.action == edges[before.step.code, after.step.code].action
    *earlier, last = visits
    assert all(v.left_at is not None for v in earlier)
    if case.is_open:
        assert last.left_at is None and case.current_step_id == last.step_id
    else:
        assert last.left_at is not None and case.current_step_id is None
    if case.state == Case.State.COMPLETED:
        endings = [e for (source, _t), e in edges.items() if source == last.step.code and e.target.kind == Step.Kind.END]
        assert [e.action for e in endings if e.action == last.action], f"{case} was completed without reaching an end step"


@EXAMPLES
@given(steps=_steps(CASE_ACTIONS, min_size=2, max_size=12))
def test_random_case_handling_keeps_a_complete_step_history(birth_procedure, staff, secretary, viewer, steps):
    with rolled_back():
        procedure, revision, graph = birth_procedure
        people = [staff, secretary, viewer]
        step_list = list(graph.values())
        case = case_services.case_receive(procedure=procedure, by=staff, applicant_name="Lê Thị Hoa")
        calls = {
            "move": lambda step, by: case_services.case_move(case=case, to_step=step, by=by),
            "request_supplement": lambda step, by: case_services.case_request_supplement(case=case, by=by, missing="Bản sao giấy tờ"),
            "receive_supplement": lambda step, by: case_services.case_receive_supplement(case=case, by=by),
            "reject": lambda step, by: case_services.case_reject(case=case, by=by, reason="Không đủ điều kiện"),
            "withdraw": lambda step, by: case_services.case_withdraw(case=case, by=by, reason="Người nộp rút hồ sơ"),
        }
        main_path = {"TN": "XL", "XL": "KQ"}

        def forward(_step, _by, *, which=0):
            if case.state == Case.State.WAITING_SUPPLEMENT:
                return calls["receive_supplement"](None, staff)
            if case.state == Case.State.IN_PROGRESS and which % 4 == 0 and not case.supplement_requests.exists():
                return calls["request_supplement"](None, staff)
            here = case.current_step.code if case.current_step_id else "KQ"
            return calls["move"](graph[main_path.get(here, "KQ")], staff)

        calls["forward"] = forward

        for action, which, who in steps:
            if action == "forward":
                attempt(lambda: forward(None, None, which=which), case)
            else:
                attempt(lambda: calls[action](_pick(step_list, which), _pick(people, who)), case)
            case = Case.objects.get(pk=case.pk)
            assert case.state in Case.State.values
            _assert_visits_follow_the_graph(case, revision)
            assert_log_is_a_path(case, Case.State.RECEIVED)
            assert (case.resolved_at is not None) == (case.state in Case.RESOLVED_STATES)


# Audit programme and audits


@pytest.fixture
def audit_people(unit):
    audited = OrgUnitFactory(code="TP", name="Phòng Tư pháp")
    return {
        "secretary": UserFactory(roles=[Role.ISO_SECRETARY], unit=unit),
        "approver": UserFactory(roles=[Role.APPROVER], unit=unit),
        "lead": UserFactory(roles=[Role.INTERNAL_AUDITOR], unit=unit),
        "audited": audited,
    }


AUDIT_ACTIONS = (
    "approve_programme", "start_programme", "complete_programme",
    "prepare", "start", "report", "report_blank", "close", "cancel",
)


@EXAMPLES
@given(steps=_steps(AUDIT_ACTIONS, min_size=8, max_size=24))
def test_random_audit_programmes_close_only_what_is_finished(audit_people, steps):
    with rolled_back():
        secretary, approver, lead = audit_people["secretary"], audit_people["approver"], audit_people["lead"]
        people = [secretary, approver, lead]
        today = timezone.localdate()
        programme = audit_services.programme_create(year=today.year, title="Chương trình đánh giá", by=secretary)
        audits = [
            audit_services.audit_plan(
                programme=programme, by=secretary, reference=f"ĐG-0{n}", title=f"Đánh giá {n}",
                units=[audit_people["audited"]], planned_start=today, planned_end=today, lead_auditor=lead,
                clauses=[Clause.objects.get(number="9.2")],
            )
            for n in (1, 2)
        ]
        # The first audit has its checklist and can be prepared; the second has none and cannot.
        ChecklistItem.objects.create(audit=audits[0], position=1, clause=Clause.objects.get(number="9.2"), question="?")

        def on_programme(name):
            def apply(audit, by):
                signing = transition_signing(programme, name, by=by, signature=signed())
                return transition_apply(programme, name, by=by, signing=signing)

            return apply

        calls = {
            "approve_programme": on_programme("approve"),
            "start_programme": on_programme("start"),
            "complete_programme": on_programme("complete"),
            "prepare": lambda audit, by: transition_apply(audit, "prepare", by=by),
            "start": lambda audit, by: transition_apply(audit, "start", by=by),
            "report": lambda audit, by: audit_services.audit_report(audit=audit, by=by, summary="Hệ thống vận hành tốt.", signature=signed()),
            "report_blank": lambda audit, by: audit_services.audit_report(audit=audit, by=by, summary=" ", signature=signed()),
            "close": lambda audit, by: transition_apply(audit, "close", by=by),
            "cancel": lambda audit, by: transition_apply(audit, "cancel", by=by, comment="Đổi kế hoạch"),
        }

        def forward(_audit, _by, *, which=0):
            current = AuditProgramme.objects.get(pk=programme.pk)
            if current.state == AuditProgramme.State.IN_PROGRESS and which % 2:
                return calls["complete_programme"](None, secretary)  # too early, as often as not
            if current.state == AuditProgramme.State.DRAFT:
                return calls["approve_programme"](None, approver)
            if current.state == AuditProgramme.State.APPROVED:
                return calls["start_programme"](None, secretary)
            audit = Audit.objects.filter(pk__in=[a.pk for a in audits]).exclude(state__in=["closed", "cancelled"]).first()
            if audit is None:
                return calls["complete_programme"](None, secretary)
            if audit.state == Audit.State.PLANNED and not audit.checklist_items.exists():
                return calls["cancel"](audit, secretary)
            name = {"planned": "prepare", "prepared": "start", "in_progress": "report", "reported": "close"}[audit.state]
            return calls[name](audit, lead)

        calls["forward"] = forward

        for action, which, who in steps:
            audit = _pick(audits, which)
            if action == "forward":
                attempt(lambda: forward(None, None, which=which), programme, *audits)
            else:
                attempt(lambda: calls[action](audit, _pick(people, who)), programme, *audits)

            programme = AuditProgramme.objects.get(pk=programme.pk)
            audits = [Audit.objects.get(pk=a.pk) for a in audits]
            assert programme.state in AuditProgramme.State.values
            assert (programme.approved_by_id is not None) == (programme.state != AuditProgramme.State.DRAFT)
            assert programme.approved_by_id in (None, approver.pk)
            if programme.state == AuditProgramme.State.COMPLETED:
                assert all(a.state in (Audit.State.CLOSED, Audit.State.CANCELLED) for a in audits)
            assert_log_is_a_path(programme, AuditProgramme.State.DRAFT)
            for a in audits:
                assert a.state in Audit.State.values
                if a.state in (Audit.State.REPORTED, Audit.State.CLOSED):
                    assert a.summary.strip() and a.reported_at is not None
                if a.state != Audit.State.PLANNED and a.state != Audit.State.CANCELLED:
                    assert a.checklist_items.exists()
                assert_log_is_a_path(a, Audit.State.PLANNED)


# Nonconformities and their corrective actions


NONCONFORMITY_ACTIONS = (
    "analyse", "plan_action", "plan", "accept_plan", "start", "finish", "start", "finish",
    "verify_effective", "verify_not_effective", "request_verification", "close", "reject",
)


def _assert_nonconformity_invariants(nonconformity: Nonconformity) -> None:
    actions = list(nonconformity.actions.select_related("reissue"))
    assert nonconformity.state in Nonconformity.State.values
    assert_log_is_a_path(nonconformity, Nonconformity.State.OPEN)
    for action in actions:
        assert action.state in CorrectiveAction.State.values
        assert_log_is_a_path(action, CorrectiveAction.State.PLANNED)
        if action.state in (CorrectiveAction.State.VERIFIED_EFFECTIVE, CorrectiveAction.State.NOT_EFFECTIVE):
            assert action.verified_by_id and action.verified_by_id != action.owner_id
        if action.state == CorrectiveAction.State.NOT_EFFECTIVE:
            assert hasattr(action, "reissue"), f"{action.label} was not effective and was not reissued"
    if nonconformity.state in (Nonconformity.State.AWAITING_VERIFICATION, Nonconformity.State.CLOSED):
        assert not [a for a in actions if a.state in CorrectiveAction.OPEN_STATES]
    if nonconformity.state == Nonconformity.State.CLOSED:
        current = [a for a in actions if not hasattr(a, "reissue")]
        assert current and all(a.state == CorrectiveAction.State.VERIFIED_EFFECTIVE for a in current)
        assert all(
            a.state == CorrectiveAction.State.VERIFIED_EFFECTIVE
            or (a.state == CorrectiveAction.State.NOT_EFFECTIVE and hasattr(a, "reissue"))
            for a in actions
        )
        assert nonconformity.closed_at is not None
    if nonconformity.state == Nonconformity.State.REJECTED:
        assert not actions and nonconformity.rejection_reason


@EXAMPLES
@given(steps=_steps(NONCONFORMITY_ACTIONS, min_size=10, max_size=26))
def test_random_nonconformity_handling_closes_only_with_verified_actions(secretary, staff, auditor, settings, steps):
    with rolled_back():
        settings.CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS = 0
        people = [staff, secretary, auditor]
        nonconformity = audit_services.nonconformity_raise(
            by=secretary, source="complaint", unit=staff.unit, description="Trả kết quả chậm"
        )
        due = timezone.localdate() + datetime.timedelta(days=10)
        nc = lambda: Nonconformity.objects.get(pk=nonconformity.pk)  # noqa: E731 - read fresh for each step

        def action(index):
            return _pick(list(nonconformity.actions.order_by("number")), index)

        calls = {
            "analyse": lambda i, by: audit_services.nonconformity_analyse(
                nonconformity=nc(), by=by, correction="Trả ngay", whys=["Thiếu người trực"]
            ),
            "plan_action": lambda i, by: audit_services.corrective_action_plan(
                nonconformity=nc(), by=by, description="Bố trí người trực thay", owner=staff, due_date=due
            ),
            "plan": lambda i, by: audit_services.nonconformity_transition(nonconformity=nc(), name="plan", by=by),
            "accept_plan": lambda i, by: audit_services.nonconformity_transition(nonconformity=nc(), name="accept_plan", by=by, signature=signed()),
            "request_verification": lambda i, by: audit_services.nonconformity_transition(
                nonconformity=nc(), name="request_verification", by=by
            ),
            "close": lambda i, by: audit_services.nonconformity_transition(nonconformity=nc(), name="close", by=by),
            "reject": lambda i, by: audit_services.nonconformity_transition(
                nonconformity=nc(), name="reject", by=by, comment="Không phải sự không phù hợp"
            ),
            "start": lambda i, by: audit_services.corrective_action_start(action=action(i), by=by),
            "finish": lambda i, by: audit_services.corrective_action_finish(action=action(i), by=by, note="Đã bố trí"),
            "verify_effective": lambda i, by: audit_services.corrective_action_verify(
                action=action(i), verified_by=by, effective=True, note="Không tái diễn", signature=signed(VERIFIED)
            ),
            "verify_not_effective": lambda i, by: audit_services.corrective_action_verify(
                action=action(i), verified_by=by, effective=False, note="Vẫn chậm", signature=signed(VERIFIED)
            ),
        }

        def forward(index, _by):
            current = nc()
            actions = list(current.actions.filter(reissue__isnull=True).order_by("number"))
            if current.state == Nonconformity.State.OPEN:
                return calls["analyse"](0, staff)
            if current.state == Nonconformity.State.ANALYSED:
                return calls["plan" if actions else "plan_action"](0, staff)
            if current.state == Nonconformity.State.ACTION_PLANNED:
                return calls["accept_plan"](0, secretary)
            # A hasty user presses the next button before its time as often as not: the guard must refuse.
            if current.state == Nonconformity.State.IN_ACTION and index % 2:
                return calls["request_verification"](0, staff)
            if current.state == Nonconformity.State.AWAITING_VERIFICATION and index % 2:
                return calls["close"](0, auditor)
            if current.state == Nonconformity.State.IN_ACTION:
                for a in actions:
                    if a.state in ("planned", "in_progress"):
                        service = audit_services.corrective_action_start if a.state == "planned" else audit_services.corrective_action_finish
                        kwargs = {} if a.state == "planned" else {"note": "Đã bố trí"}
                        return service(action=a, by=staff, **kwargs)
                return calls["request_verification"](0, staff)
            for a in actions:
                if a.state == CorrectiveAction.State.DONE:
                    # One verification in three finds the action ineffective: it is reissued.
                    return audit_services.corrective_action_verify(
                        action=a, verified_by=auditor, effective=index % 3 != 0, note="Kết quả kiểm tra", signature=signed(VERIFIED)
                    )
            return calls["close"](0, auditor)

        calls["forward"] = forward

        for name, which, who in steps:
            if name in ("start", "finish", "verify_effective", "verify_not_effective") and not nonconformity.actions.exists():
                continue
            attempt(lambda: calls[name](which, _pick(people, who)), nonconformity, *nonconformity.actions.all())
            _assert_nonconformity_invariants(nc())


# Management reviews


REVIEW_ACTIONS = ("gather", "hold", "decide", "plan_action", "conclude", "approve", "start", "finish", "verify")


def _assert_review_invariants(review, frozen: dict | None) -> None:
    from iso.signatures import signatures_checked
    from reviews.models import ManagementReview, ReviewAction

    assert review.state in ManagementReview.State.values
    assert_log_is_a_path(review, ManagementReview.State.PLANNED)
    signatures = signatures_checked(review)
    if review.state == ManagementReview.State.MINUTES_APPROVED:
        assert review.conclusion and review.approved_at
        assert [(c.valid, c.signature.signer_id) for c in signatures] == [(True, review.chair_id)]
    else:
        assert signatures == []
    if frozen is not None:  # held: the agenda's inputs stay as they were when the meeting took place
        assert dict(review.agenda_items.exclude(input_key="").values_list("input_key", "snapshot")) == frozen
    for action in review.actions.all():
        assert action.state in ReviewAction.State.values
        assert_log_is_a_path(action, ReviewAction.State.PLANNED)
        if action.state != ReviewAction.State.PLANNED:
            assert review.state == ManagementReview.State.MINUTES_APPROVED, "work began before the minutes were approved"
        if action.verified_by_id is not None:
            assert action.verified_by_id != action.owner_id


@EXAMPLES
@given(steps=_steps(REVIEW_ACTIONS, min_size=6, max_size=18))
def test_random_management_reviews_sign_only_complete_minutes_and_freeze_their_inputs(
    secretary, approver, second_approver, staff, settings, steps
):
    from reviews import services as review_services
    from reviews.models import ManagementReview, ReviewAction

    with rolled_back():
        settings.CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS = 0
        people = [secretary, approver, second_approver, staff]
        today = timezone.localdate()
        review = review_services.review_plan(
            by=secretary, title="Họp xem xét", period_start=today.replace(month=1, day=1), period_end=today,
            meeting_at=timezone.now() - datetime.timedelta(hours=1), place="Phòng họp", chair=approver, secretary=secretary,
        )
        current = lambda: ManagementReview.objects.get(pk=review.pk)  # noqa: E731 - read fresh for each step

        def action(index):
            return _pick(list(current().actions.order_by("number")), index)

        calls = {
            "gather": lambda i, by: review_services.review_gather(review=current(), by=by),
            "hold": lambda i, by: review_services.review_hold(review=current(), by=by),
            "decide": lambda i, by: review_services.decision_record(review=current(), by=by, category="improvement", text="Cải tiến"),
            "plan_action": lambda i, by: review_services.review_action_plan(
                review=current(), by=by, description="Thực hiện", owner=_pick([staff, secretary], i), due_date=today
            ),
            "conclude": lambda i, by: review_services.review_update(review=current(), by=by, conclusion="Duy trì"),
            "approve": lambda i, by: review_services.review_approve_minutes(review=current(), by=by, signature=signed()),
            "start": lambda i, by: review_services.review_action_transition(action=action(i), name="start", by=by),
            "finish": lambda i, by: review_services.review_action_transition(action=action(i), name="finish", by=by, note="Xong"),
            "verify": lambda i, by: review_services.review_action_transition(
                action=action(i), name="verify_effective", by=by, note="Có hiệu lực", signature=signed(VERIFIED)
            ),
        }

        def forward(index, _by):
            now = current()
            if now.state == ManagementReview.State.PLANNED:
                return calls["hold"](0, secretary)
            if now.state == ManagementReview.State.HELD:
                if not now.actions.exists():
                    return calls["plan_action"](index, secretary)
                return calls["approve" if now.conclusion and index % 2 else "conclude"](0, approver if now.conclusion else secretary)
            for a in now.actions.order_by("number"):
                if a.state in (ReviewAction.State.PLANNED, ReviewAction.State.IN_PROGRESS):
                    return calls["start" if a.state == "planned" else "finish"](a.number - 1, a.owner)
                if a.state == ReviewAction.State.DONE:
                    return calls["verify"](a.number - 1, approver)
            return None

        calls["forward"] = forward

        frozen = None
        for name, which, who in steps:
            if name in ("start", "finish", "verify") and not current().actions.exists():
                continue
            attempt(lambda: calls[name](which, _pick(people, who)), current(), *current().actions.all())
            if frozen is None and current().state != ManagementReview.State.PLANNED:
                frozen = dict(current().agenda_items.exclude(input_key="").values_list("input_key", "snapshot"))
            _assert_review_invariants(current(), frozen)


# Risks and their treatment actions (the lifecycle of tracked actions, shared with corrective actions)


RISK_ACTIONS = (
    "assess", "plan_action", "treat", "start", "finish", "verify_effective", "verify_not_effective",
    "monitor", "accept", "close",
)


def _assert_risk_invariants(risk: Risk) -> None:
    assert risk.state in Risk.State.values
    assert_log_is_a_path(risk, Risk.State.IDENTIFIED)
    assessments = list(risk.assessments.order_by("assessed_on", "recorded_at", "pk"))
    assert (risk.state == Risk.State.IDENTIFIED) == (not assessments)
    if assessments:
        last = assessments[-1]
        assert (risk.likelihood, risk.impact, risk.level) == (last.likelihood, last.impact, last.likelihood * last.impact)
    actions = list(risk.actions.all())
    for action in actions:
        assert action.state in RiskAction.State.values
        assert_log_is_a_path(action, RiskAction.State.PLANNED)
        if action.state in RiskAction.VERIFIED_STATES:
            assert action.verified_by_id and action.verified_by_id != action.owner_id
    if risk.state == Risk.State.CLOSED:
        assert risk.closure_reason and not [a for a in actions if a.state in RiskAction.OPEN_STATES]
    last_move = TransitionLog.objects.for_object(risk).order_by("pk").values_list("transition", flat=True).last()
    if risk.state == Risk.State.MONITORED and last_move == "monitor":
        assert all(a.state in RiskAction.VERIFIED_STATES for a in actions)


@EXAMPLES
@given(steps=_steps(RISK_ACTIONS, min_size=10, max_size=24))
def test_random_risk_treatment_keeps_the_history_and_the_verifier_apart(process_owner, staff, secretary, settings, steps):
    with rolled_back():
        settings.CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS = 0
        people = [process_owner, staff, secretary]
        today = timezone.localdate()
        risk = risk_services.risk_identify(
            by=process_owner, owner=process_owner, kind="risk", title="Hồ sơ trễ hạn vào cao điểm", source="process",
            unit=process_owner.unit, review_date=today + datetime.timedelta(days=30),
        )
        fresh = lambda: Risk.objects.get(pk=risk.pk)  # noqa: E731 - read fresh for each step

        def action(index):
            return _pick(list(risk.actions.order_by("number")), index)

        def act(name, index, by, **kwargs):
            return action_transition(action=action(index), name=name, by=by, **kwargs)

        calls = {
            "assess": lambda i, by: risk_services.risk_assess(
                risk=fresh(), by=by, likelihood=1 + i % 5, impact=1 + (i * 2) % 5, next_review=today + datetime.timedelta(days=60)
            ),
            "plan_action": lambda i, by: risk_services.risk_action_plan(
                risk=fresh(), by=by, description="Bố trí người hỗ trợ", owner=staff, due_date=today + datetime.timedelta(days=20)
            ),
            "treat": lambda i, by: risk_services.risk_transition(risk=fresh(), name="treat", by=by),
            "monitor": lambda i, by: risk_services.risk_transition(risk=fresh(), name="monitor", by=by),
            "accept": lambda i, by: risk_services.risk_transition(risk=fresh(), name="accept", by=by, comment="Mức thấp"),
            "close": lambda i, by: risk_services.risk_transition(risk=fresh(), name="close", by=by, comment="Không còn"),
            "start": lambda i, by: act("start", i, by),
            "finish": lambda i, by: act("finish", i, by, note="Đã bố trí"),
            "verify_effective": lambda i, by: act("verify_effective", i, by, note="Không tái diễn", signature=signed(VERIFIED)),
            "verify_not_effective": lambda i, by: act("verify_not_effective", i, by, note="Vẫn trễ", signature=signed(VERIFIED)),
        }

        def forward(index, _by):
            current = fresh()
            actions = list(current.actions.order_by("number"))
            if current.state == Risk.State.IDENTIFIED:
                return calls["assess"](index, process_owner)
            if current.state == Risk.State.ASSESSED:
                return calls["treat" if any(a.is_open for a in actions) else "plan_action"](0, process_owner)
            if current.state == Risk.State.IN_TREATMENT:
                for a in actions:
                    if a.state == RiskAction.State.PLANNED:
                        return action_transition(action=a, name="start", by=staff)
                    if a.state == RiskAction.State.IN_PROGRESS:
                        return action_transition(action=a, name="finish", by=staff, note="Đã bố trí")
                    if a.state == RiskAction.State.DONE:
                        return action_transition(
                            action=a, name="verify_effective" if index % 3 else "verify_not_effective", by=process_owner,
                            note="Kết quả kiểm tra", signature=signed(VERIFIED),
                        )
                return calls["monitor"](0, process_owner)
            return calls["assess" if index % 2 else "close"](index, process_owner)

        calls["forward"] = forward

        for name, which, who in steps:
            if name in ("start", "finish", "verify_effective", "verify_not_effective") and not risk.actions.exists():
                continue
            attempt(lambda: calls[name](which, _pick(people, who)), risk, *risk.actions.all())
            _assert_risk_invariants(fresh())
