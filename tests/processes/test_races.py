"""Two users pressing at the same moment, on real threads with their own PostgreSQL connections.

SQLite serialises every writer, so these only mean something on PostgreSQL; elsewhere the
``postgres`` marker skips them (see tests/conftest.py).
"""

import threading

import pytest
from django.db import connection
from django.utils.translation import override

from iso.models import Role, TransitionLog
from iso.workflows import TransitionRefused
from processes import services
from processes.models import ProcedureRevision
from tests.factories import (
    ProcedureFactory,
    ProcedureRevisionFactory,
    UserFactory,
    make_approved,
    make_in_review,
)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

State = ProcedureRevision.State
ROUNDS = 10
TIMEOUT = 30


def _race(*calls) -> list:
    """Run each call on its own thread, released together; return what each returned or raised."""
    barrier = threading.Barrier(len(calls), timeout=TIMEOUT)
    outcomes: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            # The active language is per thread; messages are compared in English.
            with override("en"):
                outcomes[index] = call()
        except BaseException as exc:  # noqa: BLE001 - the test inspects whatever happened
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "a thread is still waiting, probably on a lock"
    return outcomes


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_revisions_published_at_once_leave_exactly_one_effective(round_):
    secretary_a = UserFactory(roles=[Role.ISO_SECRETARY])
    secretary_b = UserFactory(roles=[Role.ISO_SECRETARY])
    procedure = ProcedureFactory()
    # Two approved revisions of one procedure cannot be reached through revision_start (it waits for
    # the open one to finish), so the second draft is made by the factory and then goes the usual way.
    first = make_approved(ProcedureRevisionFactory(procedure=procedure))
    second = make_approved(ProcedureRevisionFactory(procedure=procedure))

    outcomes = _race(
        lambda: services.revision_publish(revision=first, by=secretary_a),
        lambda: services.revision_publish(revision=second, by=secretary_b),
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


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_two_approvers_pressing_approve_at_once_approve_only_once(round_):
    approver_a = UserFactory(roles=[Role.APPROVER])
    approver_b = UserFactory(roles=[Role.APPROVER])
    revision = make_in_review(ProcedureRevisionFactory())

    outcomes = _race(
        lambda: services.revision_approve(revision=revision, by=approver_a),
        lambda: services.revision_approve(revision=revision, by=approver_b),
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
