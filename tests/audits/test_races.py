"""Two people pressing the same button of a nonconformity at the same moment, on real PostgreSQL
connections."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone
from django.utils.translation import override

from audits import services
from audits.models import ChecklistItem, CorrectiveAction, Finding, Nonconformity
from iso.models import Role, TransitionLog
from iso.workflows import TransitionRefused
from tests.factories import UserFactory, signed
from tests.races import one_winner, race, split

from .conftest import clause

pytestmark = [
    pytest.mark.postgres,
    # Every transactional test restores the data of the migrations (roles, clauses) for the next one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

#: Rounds of each race, run inside one test: a lost race shows up only now and then, and each
#: transactional test costs a flush of the whole database.
ROUNDS = 50


def test_two_secretaries_accepting_the_same_plan_at_once_accept_it_once(secretary, unit):
    other_secretary = UserFactory(roles=[Role.ISO_SECRETARY], unit=unit)
    owner = UserFactory(roles=[Role.STAFF], unit=unit)
    for _round in range(ROUNDS):
        _accept_at_once(secretary, other_secretary, owner, unit)


def _accept_at_once(secretary, other_secretary, owner, unit):
    nonconformity = services.nonconformity_raise(by=secretary, source="complaint", unit=unit, description="Trả chậm")
    nonconformity = services.nonconformity_analyse(
        nonconformity=nonconformity, by=secretary, correction="Trả ngay", whys=["Thiếu người"]
    )
    services.corrective_action_plan(
        nonconformity=nonconformity, by=secretary, description="Bổ sung người trực", owner=owner,
        due_date=timezone.localdate() + datetime.timedelta(days=10),
    )
    nonconformity = services.nonconformity_transition(nonconformity=nonconformity, name="plan", by=secretary)

    outcomes = race(
        lambda: services.nonconformity_transition(nonconformity=nonconformity, name="accept_plan", by=secretary, signature=signed()),
        lambda: services.nonconformity_transition(nonconformity=nonconformity, name="accept_plan", by=other_secretary, signature=signed()),
    )

    winners, refused = split(outcomes, Nonconformity, TransitionRefused)
    assert (len(winners), len(refused)) == (1, 1), outcomes
    assert refused[0].message == (
        f"“Accept the action plan” is not possible while {nonconformity.reference} is in action."
    )
    stored = Nonconformity.objects.get(pk=nonconformity.pk)
    assert stored.state == Nonconformity.State.IN_ACTION
    assert stored.plan_accepted_by == winners[0].plan_accepted_by
    accepted = TransitionLog.objects.for_object(stored).filter(transition="accept_plan")
    assert list(accepted.values_list("actor", flat=True)) == [stored.plan_accepted_by_id]


# Two people saving the same record, both opened at the same version: one wins, the other is told.


def _refused_by(refusal, record, winner) -> bool:
    """The refusal names the record, the person whose save won, and when."""
    with override("en"):
        kind, name = str(type(record)._meta.verbose_name), str(record)
    return refusal.messages[0].startswith(f"{kind[0].upper()}{kind[1:]} “{name}” was changed by {winner.get_full_name()} at ")


def test_two_auditors_recording_the_same_checklist_answer_at_once_never_overwrite_each_other(audit_in_progress, lead, unit):
    other_auditor = UserFactory(roles=[Role.INTERNAL_AUDITOR], unit=unit)
    item = audit_in_progress.checklist_items.get()
    for round_ in range(ROUNDS):
        version = ChecklistItem.objects.get(pk=item.pk).edit_version
        outcomes = race(
            lambda: services.checklist_record(
                item=item, by=lead, result="conforms", evidence=f"Đủ hồ sơ ({round_})", edit_version=version
            ),
            lambda: services.checklist_record(
                item=item, by=other_auditor, result="observation", evidence=f"Thiếu sổ ({round_})", edit_version=version
            ),
        )

        winner, refusal = one_winner(outcomes, ChecklistItem)
        stored = ChecklistItem.objects.select_related("edited_by").get(pk=item.pk)
        assert (stored.result, stored.evidence, stored.edit_version) == (winner.result, winner.evidence, version + 1)
        assert _refused_by(refusal, stored, stored.edited_by), refusal.messages


def test_two_auditors_saving_the_response_to_a_finding_at_once_never_overwrite_each_other(audit_in_progress, lead, unit, justice):
    other_auditor = UserFactory(roles=[Role.INTERNAL_AUDITOR], unit=unit)
    finding = services.finding_record(
        audit=audit_in_progress, by=lead, kind=Finding.Kind.OBSERVATION, clause=clause("7.5"), unit=justice,
        statement="Sổ theo dõi chưa thống nhất mẫu.", evidence="Sổ năm 2026",
    )
    for round_ in range(ROUNDS):
        version = Finding.objects.get(pk=finding.pk).edit_version
        outcomes = race(
            lambda: services.finding_respond(finding=finding, by=lead, response=f"Thống nhất mẫu ({round_})", edit_version=version),
            lambda: services.finding_respond(
                finding=finding, by=other_auditor, response=f"Giữ mẫu cũ ({round_})", edit_version=version
            ),
        )

        winner, refusal = one_winner(outcomes, Finding)
        stored = Finding.objects.select_related("audit", "edited_by").get(pk=finding.pk)
        assert (stored.response, stored.edit_version) == (winner.response, version + 1)
        assert _refused_by(refusal, stored, stored.edited_by), refusal.messages


def test_two_people_analysing_the_same_nonconformity_at_once_never_overwrite_each_other(secretary, unit):
    owner = UserFactory(roles=[Role.STAFF], unit=unit)
    for round_ in range(ROUNDS):
        nonconformity = services.nonconformity_raise(by=secretary, source="complaint", unit=unit, description=f"Chậm {round_}")
        outcomes = race(
            lambda: services.nonconformity_analyse(
                nonconformity=nonconformity, by=secretary, correction="Trả ngay", whys=["Thiếu người"], edit_version=0
            ),
            lambda: services.nonconformity_analyse(
                nonconformity=nonconformity, by=owner, correction="Gọi điện xin lỗi", whys=["Quá tải"], edit_version=0
            ),
        )

        winner, refusal = one_winner(outcomes, Nonconformity)
        stored = Nonconformity.objects.select_related("edited_by").get(pk=nonconformity.pk)
        assert (stored.state, stored.correction, stored.root_cause) == ("analysed", winner.correction, winner.root_cause)
        assert _refused_by(refusal, stored, stored.edited_by), refusal.messages
        assert TransitionLog.objects.for_object(stored).filter(transition="analyse").count() == 1


def test_two_people_assigning_the_same_nonconformity_at_once_never_overwrite_each_other(secretary, lead, unit):
    nonconformity = services.nonconformity_raise(by=secretary, source="complaint", unit=unit, description="Chậm")
    people = [UserFactory(roles=[Role.STAFF], unit=unit) for _n in range(2)]
    today = timezone.localdate()
    for round_ in range(ROUNDS):
        version = Nonconformity.objects.get(pk=nonconformity.pk).edit_version
        due = today + datetime.timedelta(days=10 + round_)
        outcomes = race(
            lambda: services.nonconformity_assign(
                nonconformity=nonconformity, by=secretary, owner=people[0], due_date=due, edit_version=version
            ),
            lambda: services.nonconformity_assign(
                nonconformity=nonconformity, by=lead, owner=people[1], due_date=due + datetime.timedelta(days=1),
                edit_version=version,
            ),
        )

        winner, refusal = one_winner(outcomes, Nonconformity)
        stored = Nonconformity.objects.select_related("edited_by").get(pk=nonconformity.pk)
        assert (stored.owner_id, stored.due_date, stored.edit_version) == (winner.owner_id, winner.due_date, version + 1)
        assert _refused_by(refusal, stored, stored.edited_by), refusal.messages


def test_two_people_planning_on_the_same_nonconformity_at_once_add_one_action_and_tell_the_other(secretary, unit):
    owner = UserFactory(roles=[Role.STAFF], unit=unit)
    nonconformity = services.nonconformity_raise(by=secretary, source="complaint", unit=unit, description="Chậm")
    nonconformity = services.nonconformity_analyse(
        nonconformity=nonconformity, by=secretary, correction="Trả ngay", whys=["Thiếu người"]
    )
    due = timezone.localdate() + datetime.timedelta(days=10)
    for round_ in range(ROUNDS):
        version = Nonconformity.objects.get(pk=nonconformity.pk).edit_version
        outcomes = race(
            lambda: services.corrective_action_plan(
                nonconformity=nonconformity, by=secretary, description=f"Bổ sung người trực ({round_})", owner=owner,
                due_date=due, edit_version=version,
            ),
            lambda: services.corrective_action_plan(
                nonconformity=nonconformity, by=owner, description=f"Trực thay ({round_})", owner=owner,
                due_date=due, edit_version=version,
            ),
        )

        winner, refusal = one_winner(outcomes, CorrectiveAction)
        stored = Nonconformity.objects.select_related("edited_by").get(pk=nonconformity.pk)
        assert stored.actions.count() == round_ + 1 and stored.actions.order_by("-number").first() == winner
        assert _refused_by(refusal, stored, stored.edited_by), refusal.messages


def test_an_answer_recorded_while_the_report_is_signed_never_breaks_the_signature(programme, secretary, lead, justice, unit):
    from audits.models import Audit
    from iso.signatures import signatures_checked
    from iso.workflows import transition_apply

    other_auditor = UserFactory(roles=[Role.INTERNAL_AUDITOR], unit=unit)
    today = timezone.localdate()
    for round_ in range(ROUNDS):
        audit = services.audit_plan(
            programme=programme, by=secretary, reference=f"ĐG-R{round_:02d}", title="Đánh giá", units=[justice],
            planned_start=today, planned_end=today, lead_auditor=lead, team=[other_auditor],
        )
        item = ChecklistItem.objects.create(audit=audit, position=1, question="Hồ sơ có đủ không?", clause=clause("7.5"))
        audit = transition_apply(transition_apply(audit, "prepare", by=lead), "start", by=lead)

        outcomes = race(
            lambda: services.audit_report(audit=audit, by=lead, summary="Hệ thống phù hợp.", signature=signed()),
            lambda: services.checklist_record(item=item, by=other_auditor, result="observation", evidence="Thiếu sổ"),
        )

        reported = [o for o in outcomes if isinstance(o, Audit)]
        assert len(reported) == 1, outcomes
        late = [o for o in outcomes if not isinstance(o, Audit | ChecklistItem)]
        assert all(str(o.messages[0]).endswith("is filled in while the audit is under way.") for o in late), late
        [checked] = signatures_checked(Audit.objects.get(pk=audit.pk))
        assert checked.valid, "an answer changed the checklist after the report was signed"
