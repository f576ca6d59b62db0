"""The audit loop: programme, impartial audits, findings, nonconformities, verified corrective actions."""

import datetime
import io

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import override

from audits import selectors, services
from audits.models import Audit, AuditProgramme, ChecklistItem, CorrectiveAction, Finding, Nonconformity
from audits.reminders import due_digest
from cases import services as case_services
from iso.models import Clause, Job, Role, Signature, TransitionLog
from iso.workflows import TransitionRefused, transition_apply

from ..cases.conftest import at, build_birth_registration
from ..factories import OrgUnitFactory, ProcedureFactory, ProcedureRevisionFactory, UserFactory, make_effective, signed

VERIFIED = Signature.Meaning.VERIFIED

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def messages_of(excinfo) -> list[str]:
    error = excinfo.value
    if isinstance(error, TransitionRefused):
        return [error.message]
    if isinstance(error, PermissionDenied):
        return [str(error)]
    return list(error.messages)


def clause(number):
    return Clause.objects.get(number=number)


@pytest.fixture
def justice():
    return OrgUnitFactory(code="TP", name="Phòng Tư pháp")


@pytest.fixture
def lead(unit):
    return UserFactory(username="lead", full_name="Đỗ Văn Trưởng Đoàn", roles=[Role.INTERNAL_AUDITOR], unit=unit)


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
    ChecklistItem.objects.create(audit=audit, question="Hồ sơ có được lưu đúng quy định không?", clause=clause("7.5"))
    audit = transition_apply(audit, "prepare", by=lead)
    return transition_apply(audit, "start", by=lead)


@pytest.fixture
def owner(justice):
    return UserFactory(username="cbtp", full_name="Phan Thị Sở Hữu", roles=[Role.STAFF], unit=justice)


@pytest.fixture
def nonconformity(audit_in_progress, lead, justice, owner):
    finding = services.finding_record(
        audit=audit_in_progress, by=lead, kind=Finding.Kind.MINOR, clause=clause("8.5.1"), unit=justice,
        statement="Hồ sơ khai sinh không ghi ngày trả kết quả.", evidence="Sổ đăng ký, trang 12",
        owner=owner, due_date=TODAY + datetime.timedelta(days=30),
    )
    return finding.nonconformity


def analysed(nc, by):
    return services.nonconformity_analyse(
        nonconformity=nc, by=by, correction="Bổ sung ngày trả kết quả",
        whys=["Thiếu ngày", "Mẫu sổ cũ", "Chưa cập nhật mẫu mới"], extent="Kiểm tra các xã",
    )


def in_action(nc, owner, secretary):
    nc = analysed(nc, owner)
    services.corrective_action_plan(nonconformity=nc, by=owner, description="Cập nhật mẫu sổ", owner=owner,
                                     due_date=TODAY + datetime.timedelta(days=10))
    nc = services.nonconformity_transition(nonconformity=nc, name="plan", by=owner)
    return services.nonconformity_transition(nonconformity=nc, name="accept_plan", by=secretary, signature=signed())


def done_long_ago(action, by, days=60):
    action = services.corrective_action_start(action=action, by=by)
    action = services.corrective_action_finish(action=action, by=by, note="Đã in mẫu sổ mới")
    CorrectiveAction.objects.filter(pk=action.pk).update(completed_at=timezone.now() - datetime.timedelta(days=days))
    action.refresh_from_db()
    return action


# Programme


def test_a_programme_is_approved_by_an_approver_only_once_it_plans_an_audit(programme, secretary, approver):
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.programme_transition(programme=programme, name="approve", by=approver, signature=signed())
    assert messages_of(excinfo) == ["The programme plans no audit yet."]


def test_only_an_approver_approves_the_programme(audit, programme, secretary, approver):
    with override("en"), pytest.raises(TransitionRefused) as excinfo:
        services.programme_transition(programme=programme, name="approve", by=secretary, signature=signed())
    assert messages_of(excinfo) == ["Only an approver may approve an audit programme."]
    programme = services.programme_transition(programme=programme, name="approve", by=approver, signature=signed())
    assert (programme.state, programme.approved_by) == (AuditProgramme.State.APPROVED, approver)


def test_a_programme_completes_only_when_every_audit_is_closed_or_cancelled(audit, programme, secretary, approver):
    programme = services.programme_transition(programme=programme, name="approve", by=approver, signature=signed())
    programme = transition_apply(programme, "start", by=secretary)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        transition_apply(programme, "complete", by=secretary)
    assert messages_of(excinfo) == ["These audits are neither closed nor cancelled: ĐG-01."]
    transition_apply(audit, "cancel", by=secretary, comment="Trùng lịch thanh tra")
    assert transition_apply(programme, "complete", by=secretary).state == AuditProgramme.State.COMPLETED


def test_coverage_counts_the_units_and_clauses_of_audits_not_cancelled(programme, secretary, lead):
    units = {code: OrgUnitFactory(code=code) for code in ("A", "B", "C")}
    lead_unit_units = [u for u in units.values()]
    programme.excluded_clauses.set([clause("8.3")])
    plan = dict(programme=programme, by=secretary, planned_start=TODAY, planned_end=TODAY, lead_auditor=lead)
    services.audit_plan(reference="A1", title="A", units=[units["A"]], clauses=[clause("7.5"), clause("9.2")], **plan)
    services.audit_plan(reference="B1", title="B", units=[units["B"]], clauses=[clause("8")], **plan)
    cancelled = services.audit_plan(reference="C1", title="C", units=[units["C"]], clauses=[clause("10.2")], **plan)
    transition_apply(cancelled, "cancel", by=secretary, comment="Hoãn")

    coverage = selectors.programme_coverage(programme=programme)

    assert {u.code for u in coverage.units_covered} == {"A", "B"}
    assert {u.code for u in coverage.units_uncovered} == {"C", lead.unit.code}
    assert len(lead_unit_units) == 3
    # 28 clauses of the second level, 8.3 out of scope: 27. Covered: 7.5, 9.2 and 8.x but 8.3.
    assert [c.number for c in coverage.clauses_covered] == ["7.5", "8.1", "8.2", "8.4", "8.5", "8.6", "8.7", "9.2"]
    assert len(coverage.clauses_uncovered) == 19
    assert "8.3" not in {c.number for c in coverage.clauses_uncovered}
    assert coverage.unit_share == pytest.approx(2 / 4)


# Audit


def test_an_auditor_of_an_audited_unit_cannot_join_the_team(programme, secretary, justice, lead):
    insider = UserFactory(full_name="Lý Văn Nội Bộ", roles=[Role.INTERNAL_AUDITOR], unit=justice)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.audit_plan(
            programme=programme, by=secretary, reference="ĐG-09", title="x", units=[justice], planned_start=TODAY,
            planned_end=TODAY, lead_auditor=lead, team=[insider],
        )
    assert excinfo.value.message_dict["team"] == [
        "Lý Văn Nội Bộ belongs to Phòng Tư pháp, which this audit covers: an auditor does not audit their own unit."
    ]
    assert not Audit.objects.exists()


def test_widening_the_scope_to_the_lead_auditors_own_unit_is_refused(audit, secretary, lead):
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.audit_set_scope_and_team(audit=audit, by=secretary, units=[lead.unit, *audit.units.all()])
    assert excinfo.value.message_dict["team"] == [
        f"Đỗ Văn Trưởng Đoàn belongs to {lead.unit.name}, which this audit covers: an auditor does not audit their own unit."
    ]


def test_an_audit_is_prepared_only_with_a_checklist_and_run_only_by_its_lead_auditor(audit, lead, auditor):
    with override("en"), pytest.raises(ValidationError) as excinfo:
        transition_apply(audit, "prepare", by=lead)
    assert messages_of(excinfo) == ["Prepare the checklist before marking the audit as prepared."]
    ChecklistItem.objects.create(audit=audit, question="?")
    with override("en"), pytest.raises(TransitionRefused) as excinfo:
        transition_apply(audit, "prepare", by=auditor)
    assert messages_of(excinfo) == ["Only the lead auditor of ĐG-01 Đánh giá Phòng Tư pháp or the ISO secretary may do this."]
    assert transition_apply(audit, "prepare", by=lead).state == Audit.State.PREPARED


def test_findings_are_recorded_only_while_the_audit_is_in_progress_and_within_its_scope(audit, lead, justice, unit):
    statement = dict(kind=Finding.Kind.OBSERVATION, clause=clause("7.5"), statement="s", evidence="e")
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.finding_record(audit=audit, by=lead, unit=justice, **statement)
    assert messages_of(excinfo) == ["Findings are recorded while the audit is in progress; ĐG-01 is planned."]
    ChecklistItem.objects.create(audit=audit, question="?")
    audit = transition_apply(transition_apply(audit, "prepare", by=lead), "start", by=lead)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.finding_record(audit=audit, by=lead, unit=unit, **statement)
    assert excinfo.value.message_dict["unit"] == [f"{unit.name} is not in the scope of ĐG-01."]


def test_a_nonconformity_finding_opens_a_numbered_nonconformity(nonconformity, audit_in_progress, lead, justice):
    assert nonconformity.reference == f"NC-{TODAY.year}-001"
    assert (nonconformity.source, nonconformity.severity, nonconformity.unit) == ("internal_audit", "minor", justice)
    major = services.finding_record(
        audit=audit_in_progress, by=lead, kind=Finding.Kind.MAJOR, clause=clause("9.2"), unit=justice,
        statement="Không đánh giá nội bộ năm trước", evidence="Không có hồ sơ",
    )
    assert (major.number, major.nonconformity.reference, major.nonconformity.severity) == (2, f"NC-{TODAY.year}-002", "major")


def test_closing_an_audit_with_open_items_is_refused_naming_each(audit_in_progress, lead, justice, owner):
    observation = services.finding_record(
        audit=audit_in_progress, by=lead, kind=Finding.Kind.OBSERVATION, clause=clause("7.5"), unit=justice,
        statement="Sổ ghi chép chưa thống nhất", evidence="Sổ 2026",
    )
    major = services.finding_record(
        audit=audit_in_progress, by=lead, kind=Finding.Kind.MAJOR, clause=clause("9.2"), unit=justice,
        statement="Không có kế hoạch", evidence="—",
    )
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.audit_report(audit=audit_in_progress, by=lead, summary="", signature=signed())
    assert excinfo.value.message_dict["summary"] == ["Write the summary of the report first."]
    audit = services.audit_report(
        audit=audit_in_progress, by=lead, summary="Hệ thống vận hành, còn 1 NC lớn.", signature=signed()
    )
    with override("en"), pytest.raises(ValidationError) as excinfo:
        transition_apply(audit, "close", by=lead)
    assert messages_of(excinfo) == [
        "Finding ĐG-01/01 is not dealt with.",
        f"Nonconformity {major.nonconformity.reference} is still open and has no owner and due date.",
    ]
    services.finding_respond(finding=observation, by=lead, response="Đơn vị thống nhất mẫu sổ từ quý sau")
    services.nonconformity_assign(nonconformity=major.nonconformity, by=lead, owner=owner, due_date=TODAY)
    assert transition_apply(audit, "close", by=lead).state == Audit.State.CLOSED


def test_an_audit_is_cancelled_with_a_reason_only_before_it_starts(audit, audit_in_progress, secretary):
    with override("en"), pytest.raises(TransitionRefused) as excinfo:
        transition_apply(audit_in_progress, "cancel", by=secretary, comment="x")
    assert messages_of(excinfo) == ["“Cancel” is not possible while ĐG-01 Đánh giá Phòng Tư pháp is in progress."]


# Nonconformity and corrective actions


def test_the_analysis_needs_the_correction_and_the_root_cause(nonconformity, owner):
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.nonconformity_analyse(nonconformity=nonconformity, by=owner, correction="Sửa ngay")
    assert excinfo.value.message_dict == {"root_cause": ["Record the correction and the root cause (five whys or text) first."]}
    nc = analysed(nonconformity, owner)
    assert (nc.state, nc.whys, nc.root_cause) == ("analysed", ["Thiếu ngày", "Mẫu sổ cũ", "Chưa cập nhật mẫu mới"], "Chưa cập nhật mẫu mới")


def test_someone_of_another_unit_cannot_analyse(nonconformity, staff):
    with override("en"), pytest.raises(TransitionRefused) as excinfo:
        analysed(nonconformity, staff)
    assert messages_of(excinfo) == ["Only the ISO secretary, the owner or a member of Phòng Tư pháp may do this."]


def test_the_plan_needs_an_action_and_is_accepted_by_the_secretary_or_the_lead_auditor(nonconformity, owner, lead, auditor):
    nc = analysed(nonconformity, owner)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.nonconformity_transition(nonconformity=nc, name="plan", by=owner)
    assert messages_of(excinfo) == ["Plan at least one corrective action first."]
    action = services.corrective_action_plan(nonconformity=nc, by=owner, description="Cập nhật mẫu", owner=owner, due_date=TODAY)
    nc = services.nonconformity_transition(nonconformity=nc, name="plan", by=owner)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.corrective_action_start(action=action, by=owner)
    assert messages_of(excinfo) == [f"The action plan of {nc.reference} is not accepted yet."]
    with override("en"), pytest.raises(TransitionRefused) as excinfo:
        services.nonconformity_transition(nonconformity=nc, name="accept_plan", by=owner, signature=signed())
    assert messages_of(excinfo) == ["Only the ISO secretary or the lead auditor may accept the action plan."]
    with override("en"), pytest.raises(TransitionRefused) as excinfo:
        services.nonconformity_transition(nonconformity=nc, name="accept_plan", by=auditor, signature=signed())
    assert messages_of(excinfo) == ["Only the ISO secretary or the lead auditor of the audit may accept the action plan."]
    nc = services.nonconformity_transition(nonconformity=nc, name="accept_plan", by=lead, signature=signed())
    assert (nc.state, nc.plan_accepted_by) == ("in_action", lead)


def test_the_owner_cannot_verify_their_own_action_nor_anyone_before_the_delay(nonconformity, owner, secretary, lead, settings):
    settings.CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS = 30
    nc = in_action(nonconformity, owner, secretary)
    action = services.corrective_action_finish(
        action=services.corrective_action_start(action=nc.actions.get(), by=owner), by=owner, note="Đã làm"
    )
    own = services.corrective_action_plan(nonconformity=nc, by=secretary, description="Rà soát", owner=secretary, due_date=TODAY)
    own = services.corrective_action_finish(action=services.corrective_action_start(action=own, by=secretary), by=secretary, note="Xong")
    with override("en"), pytest.raises(TransitionRefused) as excinfo:
        services.corrective_action_verify(action=own, verified_by=secretary, effective=True, note="Tốt", signature=signed(VERIFIED))
    assert messages_of(excinfo) == ["You own this action, so you cannot verify it: effectiveness is verified by someone else."]
    earliest = (timezone.localtime(action.completed_at) + datetime.timedelta(days=30)).strftime("%d/%m/%Y")
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.corrective_action_verify(action=action, verified_by=lead, effective=True, note="Tốt", signature=signed(VERIFIED))
    assert messages_of(excinfo) == [f"Effectiveness can be verified from {earliest}, 30 days after the action was done."]
    assert CorrectiveAction.objects.get(pk=action.pk).state == "done"


def test_a_nonconformity_closes_only_when_all_its_actions_are_verified_effective(nonconformity, owner, secretary, lead):
    nc = in_action(nonconformity, owner, secretary)
    second = services.corrective_action_plan(nonconformity=nc, by=owner, description="Tập huấn", owner=owner, due_date=TODAY)
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.nonconformity_transition(nonconformity=nc, name="request_verification", by=owner)
    assert messages_of(excinfo) == [f"These actions are not done yet: {nc.reference}/1, {nc.reference}/2."]
    first = done_long_ago(nc.actions.get(number=1), owner)
    second = done_long_ago(second, owner)
    nc = services.nonconformity_transition(nonconformity=nc, name="request_verification", by=owner)
    services.corrective_action_verify(action=first, verified_by=lead, effective=True, note="Sổ mới đã dùng", signature=signed(VERIFIED))
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.nonconformity_transition(nonconformity=nc, name="close", by=lead)
    assert messages_of(excinfo) == [
        f"A nonconformity closes only when all its actions are verified effective; not yet: {nc.reference}/2."
    ]
    services.corrective_action_verify(action=second, verified_by=lead, effective=True, note="Đã tập huấn", signature=signed(VERIFIED))
    nc = services.nonconformity_transition(nonconformity=nc, name="close", by=lead)
    assert nc.state == "closed" and nc.closed_at is not None
    assert [e.transition for e in TransitionLog.objects.for_object(nc)] == [
        "analyse", "plan", "accept_plan", "request_verification", "close",
    ]


def test_an_ineffective_action_sends_the_nonconformity_back_and_is_reissued_under_a_new_number(nonconformity, owner, secretary, lead):
    nc = in_action(nonconformity, owner, secretary)
    first = done_long_ago(nc.actions.get(), owner)
    nc = services.nonconformity_transition(nonconformity=nc, name="request_verification", by=owner)
    with override("en"):  # the reissue's text is written in the active language
        services.corrective_action_verify(action=first, verified_by=lead, effective=False, note="Vẫn dùng sổ cũ", signature=signed(VERIFIED))
    nc.refresh_from_db()
    reissue = nc.actions.get(number=2)
    assert (nc.state, reissue.reissue_of, reissue.owner, reissue.state) == ("in_action", first, owner, "planned")
    assert reissue.description == f"Reissue of {nc.reference}/1: Cập nhật mẫu sổ"
    done_long_ago(reissue, owner)
    services.nonconformity_transition(nonconformity=nc, name="request_verification", by=owner)
    services.corrective_action_verify(action=reissue, verified_by=lead, effective=True, note="Đã khắc phục", signature=signed(VERIFIED))
    assert services.nonconformity_transition(nonconformity=nc, name="close", by=lead).state == "closed"


def test_a_nonconformity_is_rejected_with_a_reason(nonconformity, lead):
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.nonconformity_transition(nonconformity=nonconformity, name="reject", by=lead)
    assert messages_of(excinfo) == ["Give the reason why this is not a nonconformity."]
    nc = services.nonconformity_transition(nonconformity=nonconformity, name="reject", by=lead, comment="Đúng quy định mới")
    assert (nc.state, nc.rejection_reason) == ("rejected", "Đúng quy định mới")


def test_a_late_case_becomes_a_nonconformity_in_one_action(unit, secretary, approver, staff):
    procedure = ProcedureFactory(code="QT-06", owner_unit=unit)
    revision = ProcedureRevisionFactory(procedure=procedure, author=secretary)
    steps = build_birth_registration(revision, unit)
    make_effective(revision, approver=approver, publisher=secretary)
    case = case_services.case_receive(procedure=procedure, by=staff, applicant_name="An", received_at=at("2026-05-18", "08:00"))
    case = case_services.case_move(case=case, to_step=steps["XL"], by=staff, at=at("2026-05-18", "09:00"))
    with override("en"):  # the description is written in the active language
        nc = services.nonconformity_from_late_case(case=case, by=secretary)
    assert (nc.case, nc.source, nc.unit) == (case, "process_monitoring", case.unit)
    assert nc.description == "Case QT-06-260518-0001 (QT-06) was due on 19/05/2026 14:00 and is still open."
    with override("en"), pytest.raises(ValidationError) as excinfo:
        services.nonconformity_from_late_case(case=case, by=secretary)
    assert messages_of(excinfo) == [f"QT-06-260518-0001 already has nonconformity {nc.reference}."]


def test_staff_cannot_plan_audits(programme, staff, justice, lead):
    with override("en"), pytest.raises(PermissionDenied, match="Only the ISO secretary may plan an audit."):
        services.audit_plan(programme=programme, by=staff, reference="X", title="X", units=[justice],
                            planned_start=TODAY, planned_end=TODAY, lead_auditor=lead)


# What is due


def test_the_digest_lists_each_owners_overdue_and_coming_items(nonconformity, owner, secretary, lead):
    nc = in_action(nonconformity, owner, secretary)
    CorrectiveAction.objects.filter(nonconformity=nc).update(due_date=TODAY - datetime.timedelta(days=3))
    Nonconformity.objects.filter(pk=nc.pk).update(due_date=TODAY + datetime.timedelta(days=5))
    owner.email = "cbtp@example.org"
    owner.save()
    with override("en"):
        message = due_digest(user=owner, today=TODAY)
    assert message.to == ["cbtp@example.org"]
    assert message.subject == "ISO tracker: 2 items due or overdue"
    lines = message.body.splitlines()
    overdue = (TODAY - datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    assert f"- {nc.reference}/1 (Planned), due {overdue} — OVERDUE: Cập nhật mẫu sổ" in lines
    assert any(line.startswith(f"- {nc.reference} (In action), due ") and "OVERDUE" not in line for line in lines)
    assert due_digest(user=lead, today=TODAY) is None


def test_the_daily_command_sends_one_digest_per_owner_with_items_due(nonconformity, owner, secretary):
    in_action(nonconformity, owner, secretary)
    owner.email = "cbtp@example.org"
    owner.save()
    call_command("send_due_digest", "--days", "30", stdout=open("/dev/null", "w"))
    assert [m.to for m in mail.outbox] == [["cbtp@example.org"]]
    mail.outbox.clear()
    call_command("send_due_digest", "--days", "1", "--today", (TODAY - datetime.timedelta(days=60)).isoformat(),
                 stdout=open("/dev/null", "w"))
    assert mail.outbox == []


def test_the_queued_digest_job_sends_the_digests_and_counts_its_owners(
    nonconformity, owner, secretary, django_capture_on_commit_callbacks
):
    in_action(nonconformity, owner, secretary)
    owner.email = "cbtp@example.org"
    owner.save()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True), override("en"):
        call_command("send_due_digest", "--days", "30", "--enqueue", stdout=out)

    job = Job.objects.get()
    assert out.getvalue() == f"Digests queued as job {job.pk}.\n"
    assert (job.kind, job.requested_by, job.state) == (Job.Kind.DUE_DIGEST, None, Job.State.DONE)
    assert (job.progress_done, job.progress_total, job.progress_message) == (1, 1, "1 digest sent.")
    assert [m.to for m in mail.outbox] == [["cbtp@example.org"]]
