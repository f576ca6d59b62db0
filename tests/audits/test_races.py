"""Two people pressing the same button of a nonconformity at the same moment, on real PostgreSQL
connections."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from audits import services
from audits.models import Nonconformity
from iso.models import Role, TransitionLog
from iso.workflows import TransitionRefused
from tests.factories import UserFactory, signed
from tests.races import race, split

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
