"""``manage.py load_demo``: one login per role, about ten procedures across the revision lifecycle,
and nothing new when it runs again.

Loading takes about a second, so each test loads once and checks one whole outcome.
"""

import datetime
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import override

from audits import selectors as audit_selectors
from audits.models import Audit, AuditProgramme, CorrectiveAction, Nonconformity
from iso.demo import DEMO_PASSWORD, PEOPLE
from iso.models import Role, TransitionLog, User
from iso.signatures import signatures_checked
from processes import selectors
from processes.models import Procedure, ProcedureRevision
from qms import selectors as qms_selectors
from qms.models import PolicyRevision, ScopeRevision
from risks.models import Risk, RiskAction

pytestmark = pytest.mark.django_db

MAIN_LOGINS = {
    Role.ISO_SECRETARY: "thuky",
    Role.APPROVER: "lanhdao",
    Role.PROCESS_OWNER: "chuquytrinh",
    Role.STAFF: "canbo",
    Role.INTERNAL_AUDITOR: "danhgia",
    Role.VIEWER: "xem",
}


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_each_role_gets_a_login_in_the_group_of_that_role():
    load_demo()

    for role, username in MAIN_LOGINS.items():
        user = User.objects.get(username=username)
        assert user.groups.filter(name=role).exists(), username
        assert user.check_password(DEMO_PASSWORD)
        assert user.full_name and user.job_title and user.unit
    assert User.objects.get(username="thuky").is_staff
    assert not User.objects.get(username="canbo").is_staff
    # Two approvers, so that a revision one of them wrote can be approved by the other.
    assert Group.objects.get(name=Role.APPROVER).user_set.count() >= 2


def test_the_procedures_cover_the_revision_lifecycle_and_obey_its_rules():
    load_demo()
    revisions = ProcedureRevision.objects.all()
    State = ProcedureRevision.State

    assert Procedure.objects.count() >= 10
    assert Procedure.objects.filter(category=Procedure.Category.ADMINISTRATIVE).count() >= 4
    assert not Procedure.objects.filter(clauses=None).exists()

    assert {State.DRAFT, State.IN_REVIEW, State.APPROVED, State.EFFECTIVE, State.SUPERSEDED} <= set(
        revisions.values_list("state", flat=True)
    )
    with_effective = Procedure.objects.annotate(
        effective=Count("revisions", filter=Q(revisions__state=State.EFFECTIVE))
    ).filter(effective__gt=0)
    assert with_effective.count() >= 8
    assert {procedure.effective for procedure in with_effective} == {1}
    for old in revisions.filter(state=State.SUPERSEDED):
        current = old.procedure.revisions.get(state=State.EFFECTIVE)
        assert old.number < current.number and old.ended_on == current.effective_from
    assert revisions.exclude(number=0).exclude(change_summary="").exists()

    for revision in revisions.exclude(state=State.DRAFT):
        assert revision.step_graph().errors() == [], str(revision)
    assert revisions.exclude(approved_by=None).exists()
    assert not revisions.filter(approved_by=F("author")).exists()

    returned = TransitionLog.objects.get(transition="return_to_author")
    assert returned.comment
    assert returned.subject.state == State.DRAFT


def test_some_expected_readers_have_acknowledged_and_some_have_not():
    load_demo()

    partly_read = [
        revision
        for revision in ProcedureRevision.objects.filter(state=ProcedureRevision.State.EFFECTIVE)
        if revision.acknowledgements.exists() and selectors.revision_pending_readers(revision=revision).exists()
    ]

    assert len(partly_read) >= 3


def test_loading_twice_creates_nothing_new_and_prints_every_login_both_times():
    first_output = load_demo()
    counts = row_counts()

    second_output = load_demo()

    assert row_counts() == counts
    for output in (first_output, second_output):
        for person in PEOPLE:
            assert person.username in output
            assert person.full_name in output
        assert DEMO_PASSWORD in output


def test_a_database_with_data_of_its_own_is_refused_naming_it_and_nothing_is_loaded(secretary):
    from tests.factories import ProcedureFactory

    ProcedureFactory(code="QT-99", owner_unit=secretary.unit)
    counts = row_counts()

    with override("en"), pytest.raises(CommandError) as refused:
        load_demo()

    message = str(refused.value)
    assert message.startswith("This database holds data that is not the demo's: 1 user (secretary); ")
    assert "1 procedure (QT-99)" in message and "use --force" in message
    assert row_counts() == counts


def test_a_database_of_the_demo_and_of_work_done_in_it_loads_again():
    from audits.services import nonconformity_raise

    load_demo()
    # Someone tried the tool with a demo login: what they made is the demo's own.
    secretary = User.objects.get(username="thuky")
    nonconformity_raise(by=secretary, source="complaint", unit=secretary.unit, description="Thử ghi nhận")
    counts = row_counts()

    load_demo()

    assert row_counts() == counts


def test_force_loads_the_demo_beside_data_of_its_own(secretary):
    out = StringIO()
    call_command("load_demo", force=True, stdout=out)

    assert User.objects.filter(username__in=[person.username for person in PEOPLE]).count() == len(PEOPLE)
    assert User.objects.filter(pk=secretary.pk).exists()


def test_the_audits_span_last_years_completed_programme_and_this_years_with_every_state_and_impartial_teams():
    load_demo()
    year = timezone.localdate().year

    assert AuditProgramme.objects.get(year=year - 1).state == AuditProgramme.State.COMPLETED
    this_year = AuditProgramme.objects.get(year=year)
    assert this_year.state == AuditProgramme.State.IN_PROGRESS
    assert sorted(this_year.audits.values_list("state", flat=True)) == sorted(
        [Audit.State.CLOSED, Audit.State.REPORTED, Audit.State.IN_PROGRESS, Audit.State.PLANNED]
    )
    assert set(Nonconformity.objects.values_list("state", flat=True)) == set(Nonconformity.State.values)
    assert set(CorrectiveAction.objects.values_list("state", flat=True)) == set(CorrectiveAction.State.values)
    assert CorrectiveAction.objects.filter(
        reissue_of__state=CorrectiveAction.State.NOT_EFFECTIVE, state=CorrectiveAction.State.VERIFIED_EFFECTIVE
    ).exists()
    assert audit_selectors.nonconformity_list(user=User.objects.get(username="thuky"))[0].is_overdue

    for audit in Audit.objects.select_related("lead_auditor").prefetch_related("units", "team"):
        audited = {unit.pk for unit in audit.units.all()}
        assert not [auditor for auditor in audit.auditors() if auditor.unit_id in audited], audit.reference
    for audit in Audit.objects.filter(state=Audit.State.CLOSED):
        assert audit.closing_obstacles() == [], audit.reference

    counts = row_counts()
    load_demo()
    assert row_counts() == counts


def test_the_records_register_is_filled_from_the_procedures_with_hashed_files_and_one_record_due():
    import hashlib

    from records.models import KeptRecord, RecordType

    load_demo()

    effective_records = ProcedureRevision.objects.filter(state=ProcedureRevision.State.EFFECTIVE).aggregate(
        n=Count("records_to_keep")
    )["n"]
    assert RecordType.objects.count() == effective_records
    assert not RecordType.objects.filter(Q(location="") | Q(disposal_method="")).exists()
    filed = KeptRecord.objects.exclude(file="")
    assert filed.filter(content_type__model="case").count() >= 3
    assert filed.filter(content_type__model="audit").exists()
    for record in filed:
        with record.file.open("rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == record.sha256, record.reference
    due = KeptRecord.objects.get(state=KeptRecord.State.DUE_FOR_DISPOSAL)
    assert due.retention_end < timezone.localdate() and due.marked_due_by.username == MAIN_LOGINS[Role.ISO_SECRETARY]


def test_every_approval_of_the_demo_carries_a_valid_electronic_signature():
    load_demo()

    signed = {
        "approve": ProcedureRevision.objects.exclude(approved_by=None),
        "publish": ProcedureRevision.objects.exclude(published_by=None),
        "accept_plan": Nonconformity.objects.exclude(plan_accepted_by=None),
    }
    for action, objects in signed.items():
        assert objects.exists(), action
        for obj in objects:
            [checked] = [c for c in signatures_checked(obj) if c.signature.action == action]
            assert checked.valid, (action, str(obj))
    for programme in AuditProgramme.objects.exclude(approved_by=None):
        assert [c.valid for c in signatures_checked(programme)] == [True]
    for audit in Audit.objects.exclude(reported_at=None):
        assert [c.valid for c in signatures_checked(audit)] == [True]
    for action in CorrectiveAction.objects.exclude(verified_by=None):
        assert [c.valid for c in signatures_checked(action)] == [True]
    for action in RiskAction.objects.exclude(verified_by=None):
        assert [c.valid for c in signatures_checked(action)] == [True]
    assert not User.objects.filter(failed_signatures__gt=0).exists()


def test_the_objectives_read_live_values_and_last_years_missed_one_raised_its_nonconformity():
    from objectives.models import Objective
    from objectives.selectors import objectives_report

    load_demo()
    year = timezone.localdate().year
    secretary = User.objects.get(username=MAIN_LOGINS[Role.ISO_SECRETARY])

    this_year = objectives_report(user=secretary, year=year)
    indicators = {row.objective.indicator for row in this_year.rows}
    assert {"case_on_time_rate", "nonconformities_closed_on_time", "audit_programme_completion", ""} <= indicators
    for row in this_year.rows:
        if row.objective.indicator in ("case_on_time_rate", "audit_programme_completion"):
            assert row.value is not None, row.objective.reference
    assert any(row.objective.unit_id for row in this_year.rows if row.objective.indicator == "case_on_time_rate")
    assert Objective.objects.filter(year=year, indicator="", values__isnull=False).exists()

    last_year = objectives_report(user=secretary, year=year - 1)
    [missed] = [row for row in last_year.rows if row.status == Objective.Status.MISSED]
    assert missed.objective.nonconformity.source == Nonconformity.Source.PROCESS_MONITORING
    assert Objective.objects.exclude(nonconformity=None).count() == 1


def test_the_scope_and_the_policy_are_in_force_signed_and_read_by_part_of_the_staff():
    load_demo()
    secretary = User.objects.get(username=MAIN_LOGINS[Role.ISO_SECRETARY])

    scope = qms_selectors.scope_effective(user=secretary)
    assert scope.number == 1 and "Bộ phận Tiếp nhận và trả kết quả" in scope.statement
    [excluded] = scope.excluded_clauses.all()
    assert excluded.clause.number == "8.3" and excluded.justification.strip()
    assert {issue.kind for issue in scope.issues.all()} == {"internal", "external"}
    parties = " | ".join(party.party for party in scope.parties.all())
    assert "Người dân" in parties and "UBND tỉnh" in parties and "Sở Khoa học và Công nghệ" in parties
    assert scope.units.count() >= 8 and scope.procedures.count() >= 8
    # Widened in 2025 and not announced since: the secretary's red flag.
    assert qms_selectors.scope_announcement(user=secretary).needed
    changes = qms_selectors.context_changes(
        user=secretary, start=scope.effective_from - datetime.timedelta(days=1), end=scope.effective_from
    )
    assert changes.issues_added and changes.issues_removed and changes.parties_added

    policy = qms_selectors.policy_effective(user=secretary)
    assert policy.number == 1 and policy.commitments.count() == 5 and "hài lòng" in policy.text
    readers = policy.acknowledgements.count()
    assert 0 < readers < User.objects.filter(is_active=True).count()
    assert qms_selectors.policy_to_acknowledge(user=User.objects.get(username=MAIN_LOGINS[Role.STAFF])) == policy
    for revision in [*ScopeRevision.objects.all(), *PolicyRevision.objects.all()]:
        assert [(c.signature.action, c.valid) for c in signatures_checked(revision)] == [
            ("approve", True), ("publish", True)
        ]


def test_last_years_management_review_has_signed_minutes_and_actions_and_this_years_is_planned():
    from reviews.inputs import PROVIDERS, figure_value
    from reviews.models import AnnualReport, ManagementReview, ReviewAction

    load_demo()
    year = timezone.localdate().year

    last = ManagementReview.objects.get(state=ManagementReview.State.MINUTES_APPROVED)
    assert last.year == year - 1 and last.chair.username == MAIN_LOGINS[Role.APPROVER]
    assert [c.valid for c in signatures_checked(last)] == [True]
    assert last.agenda_items.count() == len(PROVIDERS) and not last.agenda_items.filter(discussion="").exists()
    assert set(last.decisions.values_list("category", flat=True)) == {"improvement", "qms_change", "resources"}
    states = list(last.actions.values_list("state", flat=True))
    assert states.count(ReviewAction.State.VERIFIED_EFFECTIVE) >= 2 and states.count(ReviewAction.State.IN_PROGRESS) == 1
    for action in last.actions.exclude(verified_by=None):
        assert [c.valid for c in signatures_checked(action)] == [True]
    assert AnnualReport.objects.get(year=year - 1).proposals

    planned = ManagementReview.objects.get(state=ManagementReview.State.PLANNED)
    assert planned.period_start.year == year
    previous = planned.agenda_items.get(input_key="previous_actions")
    assert figure_value(previous.snapshot, "total") == len(states) and figure_value(previous.snapshot, "open") == 1


def test_the_risk_register_spreads_over_the_heat_map_with_history_and_actions_in_every_state():
    from risks import selectors as risk_selectors

    load_demo()
    secretary = User.objects.get(username=MAIN_LOGINS[Role.ISO_SECRETARY])
    risks = Risk.objects.all()
    assert risks.count() >= 15
    assert {Risk.Kind.RISK, Risk.Kind.OPPORTUNITY} <= set(risks.values_list("kind", flat=True))
    assert set(Risk.State.values) == set(risks.values_list("state", flat=True))
    heat = risk_selectors.heat_map(user=secretary)
    cells = [cell for _likelihood, _name, row in heat.rows for cell in row if cell.count]
    assert len(cells) >= 10 and {cell.band for cell in cells} == {"low", "medium", "high", "critical"}
    assert heat.unrated >= 1 and heat.scale.likelihood_names()[0] == "Hiếm khi"
    # Some levels fell after their treatment, and the history keeps the level before.
    lowered = [c for c in risk_selectors.level_changes(user=secretary, start=datetime.date(2000, 1, 1),
                                                      end=timezone.localdate()) if c.direction == "down"]
    assert len(lowered) >= 3
    assert set(RiskAction.State.values) - {RiskAction.State.NOT_EFFECTIVE} <= set(
        RiskAction.objects.values_list("state", flat=True)
    )
    for action in RiskAction.objects.exclude(verified_by=None):
        assert action.verified_by_id != action.owner_id
    summary = risk_selectors.register_summary(user=secretary, at=timezone.localdate())
    assert summary.overdue_reviews >= 2 and summary.open_actions >= 5 and summary.overdue_actions >= 1
