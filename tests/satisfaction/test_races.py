"""At the same moment on real PostgreSQL connections (threads, as several web workers would be):
one feedback per case, one nonconformity per complaint, and one count of wrong codes for all."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from audits.models import Nonconformity
from satisfaction import services
from satisfaction.models import Feedback, KioskFailure
from satisfaction.tokens import case_token
from tests.races import race, split

from .conftest import resolve

pytestmark = [
    pytest.mark.postgres,
    # Every transactional test restores the data of the migrations (roles, clauses, criteria).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]

ROUNDS = 10


def test_two_submissions_for_one_case_at_once_record_one_feedback(receive, birth, clerk, criteria):
    for round_ in range(ROUNDS):
        case = resolve(receive(f"Lê Văn {round_}"), birth, clerk)
        scores = {criteria["staff_attitude"].pk: 5}

        outcomes = race(
            lambda: services.feedback_submit(case=case, scores=scores),
            lambda: services.feedback_enter(case=case, by=clerk, scores=scores),
        )

        winners, refused = split(outcomes, Feedback, ValidationError)
        assert (len(winners), len(refused)) == (1, 1), outcomes
        assert refused[0].messages == [f"Feedback on dossier {case.reference} has already been given. Thank you."]
        assert Feedback.objects.filter(case=case).count() == 1


def test_two_people_opening_a_nonconformity_from_one_complaint_open_one(receive, birth, clerk, secretary, criteria):
    for round_ in range(ROUNDS):
        case = resolve(receive(f"Phạm Thị {round_}"), birth, clerk)
        feedback = services.feedback_submit(
            case=case, scores={criteria["return_time"].pk: 1}, comment="Trễ hẹn", is_complaint=True
        )

        outcomes = race(
            lambda: services.feedback_raise_nonconformity(feedback=feedback, by=secretary),
            lambda: services.feedback_raise_nonconformity(feedback=feedback, by=clerk),
        )

        winners, refused = split(outcomes, Nonconformity, ValidationError)
        assert (len(winners), len(refused)) == (1, 1), outcomes
        assert Nonconformity.objects.filter(feedback=feedback).count() == 1
    assert Nonconformity.objects.filter(source="complaint").count() == ROUNDS


@override_settings(SATISFACTION_KIOSK_MAX_FAILURES=4)
def test_wrong_codes_sent_on_several_connections_at_once_add_up_for_every_worker(completed):
    kiosk = reverse("satisfaction:kiosk")

    def wrong(number):
        return lambda: Client().post(kiosk, {"case": completed.reference, "code": f"WRONG-0000{number}"},
                                     REMOTE_ADDR="203.0.113.50").status_code

    assert race(*(wrong(n) for n in range(4))) == [200] * 4
    assert KioskFailure.objects.count() == 4

    # A fifth connection, with the right code, finds the address refused.
    refused = Client().post(kiosk, {"case": completed.reference, "code": case_token(completed)}, REMOTE_ADDR="203.0.113.50")
    assert refused.status_code == 429
