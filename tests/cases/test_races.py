"""Two clerks moving the same case at the same moment, on real PostgreSQL connections."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from cases import services
from cases.models import Case, StepVisit
from iso.models import Role, TransitionLog
from tests.factories import UserFactory
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


def test_two_clerks_moving_a_case_at_once_move_it_once(birth, clerk, unit):
    other_clerk = UserFactory(roles=[Role.STAFF], unit=unit)
    for round_ in range(ROUNDS):
        _move_at_once(birth, clerk, other_clerk, applicant=f"Trần Văn An {round_}")


def _move_at_once(birth, clerk, other_clerk, *, applicant):
    case = services.case_receive(procedure=birth, by=clerk, applicant_name=applicant)
    appraisal = birth.steps["XL"]

    outcomes = race(
        lambda: services.case_move(case=case, to_step=appraisal, by=clerk),
        lambda: services.case_move(case=case, to_step=appraisal, by=other_clerk),
    )

    winners, refused = split(outcomes, Case, ValidationError)
    assert (len(winners), len(refused)) == (1, 1), outcomes
    assert refused[0].messages == ["There is no move from step XL to step XL. Allowed moves: TN (Yêu cầu bổ sung), "
                                   "KQ (Trả kết quả), TC (Từ chối)."]
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.current_step_id) == (Case.State.IN_PROGRESS, appraisal.pk)
    visits = list(StepVisit.objects.filter(case=case).values_list("step__code", "left_at"))
    assert [code for code, _left in visits] == ["TN", "XL"]
    assert visits[0][1] is not None and visits[1][1] is None
    assert list(TransitionLog.objects.for_object(stored).values_list("transition", flat=True)) == ["begin"]
