"""Two users pressing at the same moment, on real threads with their own PostgreSQL connections.

SQLite serialises every writer, so these only mean something on PostgreSQL; elsewhere the
``postgres`` marker skips them (see tests/conftest.py).
"""

import pytest
from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.db import connection

from iso.models import Role, TransitionLog
from iso.workflows import TransitionRefused
from processes import services
from processes.models import ProcedureRevision
from tests.factories import (
    signed,
    ProcedureFactory,
    ProcedureRevisionFactory,
    UserFactory,
    make_approved,
    make_in_review,
)
from tests.races import race as _race
from tests.races import split

pytestmark = [
    pytest.mark.postgres,
    # Every transactional test restores the data of the migrations (roles, clauses) for the next one.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

State = ProcedureRevision.State
#: Rounds of each race, run inside one test: a lost race shows up only now and then, and each
#: transactional test costs a flush of the whole database.
ROUNDS = 50


class PurposeForm(django_forms.ModelForm):
    class Meta:
        model = ProcedureRevision
        fields = ["purpose"]


def test_two_revisions_published_at_once_leave_exactly_one_effective():
    secretary_a = UserFactory(roles=[Role.ISO_SECRETARY])
    secretary_b = UserFactory(roles=[Role.ISO_SECRETARY])
    for _round in range(ROUNDS):
        _publish_at_once(secretary_a, secretary_b)


def _publish_at_once(secretary_a, secretary_b):
    procedure = ProcedureFactory()
    # Two approved revisions of one procedure cannot be reached through revision_start (it waits for
    # the open one to finish), so the second draft is made by the factory and then goes the usual way.
    first = make_approved(ProcedureRevisionFactory(procedure=procedure))
    second = make_approved(ProcedureRevisionFactory(procedure=procedure))

    outcomes = _race(
        lambda: services.revision_publish(revision=first, by=secretary_a, signature=signed()),
        lambda: services.revision_publish(revision=second, by=secretary_b, signature=signed()),
    )

    assert all(isinstance(outcome, ProcedureRevision) for outcome in outcomes), outcomes
    states = dict(procedure.revisions.values_list("number", "state"))
    assert sorted(states.values()) == [State.EFFECTIVE, State.SUPERSEDED]
    loser = procedure.revisions.get(state=State.SUPERSEDED)
    winner = procedure.revisions.get(state=State.EFFECTIVE)
    assert loser.ended_on is not None and winner.ended_on is None
    assert list(TransitionLog.objects.for_object(loser).values_list("transition", flat=True)) == [
        "submit", "approve", "publish", "supersede",
    ]
    assert list(TransitionLog.objects.for_object(winner).values_list("transition", flat=True)) == [
        "submit", "approve", "publish",
    ]


def test_two_approvers_pressing_approve_at_once_approve_only_once():
    approver_a = UserFactory(roles=[Role.APPROVER])
    approver_b = UserFactory(roles=[Role.APPROVER])
    for _round in range(ROUNDS):
        _approve_at_once(approver_a, approver_b)


def _approve_at_once(approver_a, approver_b):
    revision = make_in_review(ProcedureRevisionFactory())

    outcomes = _race(
        lambda: services.revision_approve(revision=revision, by=approver_a, signature=signed()),
        lambda: services.revision_approve(revision=revision, by=approver_b, signature=signed()),
    )

    winners = [o for o in outcomes if isinstance(o, ProcedureRevision)]
    refused = [o for o in outcomes if isinstance(o, TransitionRefused)]
    assert (len(winners), len(refused)) == (1, 1), outcomes
    assert refused[0].message == f"“Approve” is not possible while {revision.procedure.code} revision 0 is approved."
    stored = ProcedureRevision.objects.get(pk=revision.pk)
    assert stored.state == State.APPROVED
    approvals = TransitionLog.objects.for_object(revision).filter(transition="approve")
    assert approvals.count() == 1
    assert approvals.get().actor == stored.approved_by == winners[0].approved_by


def test_two_people_saving_the_same_draft_at_once_never_overwrite_each_other():
    author = UserFactory(roles=[Role.PROCESS_OWNER])
    secretary = UserFactory(roles=[Role.ISO_SECRETARY])
    for _round in range(ROUNDS):
        _save_at_once(author, secretary)


def _save_at_once(author, secretary):
    draft = ProcedureRevisionFactory(author=author)
    # Both opened the editor on version 0, each on their own copy of the row.
    mine = PurposeForm(data={"purpose": "Bản của tác giả."}, instance=ProcedureRevision.objects.get(pk=draft.pk))
    theirs = PurposeForm(data={"purpose": "Bản của thư ký."}, instance=ProcedureRevision.objects.get(pk=draft.pk))
    assert mine.is_valid() and theirs.is_valid()

    outcomes = _race(
        lambda: services.revision_save_edits(revision=mine.instance, by=author, forms=[mine], edit_version=0),
        lambda: services.revision_save_edits(revision=theirs.instance, by=secretary, forms=[theirs], edit_version=0),
    )

    winners, refused = split(outcomes, ProcedureRevision, ValidationError)
    assert (len(winners), len(refused)) == (1, 1), outcomes
    assert refused[0].messages[0].startswith(
        f"Someone else changed the procedure revision “{draft.procedure.code} revision 0” at "
    )
    stored = ProcedureRevision.objects.get(pk=draft.pk)
    assert stored.purpose == winners[0].purpose
    assert stored.edit_version == 1
