"""The kiosk page: no sign-in, the dossier code and the code from the receipt, then the ratings;
guarded against a second feedback, wrong codes, open cases, floods and cross-site posts."""

import datetime

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from satisfaction import throttle
from satisfaction.models import Feedback, KioskFailure
from satisfaction.tokens import case_token

pytestmark = pytest.mark.django_db

KIOSK = reverse("satisfaction:kiosk")
WRONG = "The dossier code or the code for rating is not right. Check both on your receipt."


def identify(case, code=None) -> dict:
    return {"case": case.reference, "code": case_token(case) if code is None else code}


def rate(case, criteria, code=None, **extra) -> dict:
    return {**identify(case, code), "rate": "1", f"criterion_{criteria['return_time'].pk}": "5",
            f"criterion_{criteria['staff_attitude'].pk}": "4", **extra}


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_the_kiosk_needs_no_sign_in_and_speaks_vietnamese_whatever_the_tablet_asks(client):
    response = client.get(KIOSK, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()
    assert "Mã số hồ sơ" in response.content.decode()


def test_the_link_of_the_qr_code_fills_in_both_codes(client, completed):
    response = client.get(KIOSK, {"case": completed.reference, "code": case_token(completed)})

    assert response.context["form"].initial == identify(completed)


def test_the_applicant_names_the_case_sees_only_its_code_and_procedure_then_rates(client, completed, criteria):
    english(client)
    page = client.post(KIOSK, identify(completed))

    text = page.content.decode()
    assert page.status_code == 200 and page.templates[0].name == "satisfaction/kiosk_rate.html"
    assert completed.reference in text and "Đăng ký khai sinh" in text
    assert "Trần Văn Bình" not in text and "0912 345 678" not in text and completed.unit.name not in text
    assert str(criteria["return_time"].question_label) in text
    assert not Feedback.objects.exists()

    done = client.post(KIOSK, rate(completed, criteria, comment="Nhanh gọn", is_complaint="on"))

    assert done.status_code == 302 and done["Location"] == reverse("satisfaction:kiosk_thanks")
    feedback = Feedback.objects.get(case=completed)
    assert (feedback.channel, feedback.comment, feedback.is_complaint) == ("kiosk", "Nhanh gọn", True)
    assert sorted(feedback.ratings.values_list("criterion__code", "score")) == [("return_time", 5), ("staff_attitude", 4)]
    assert client.get(done["Location"]).status_code == 200


def test_a_second_feedback_on_the_same_case_is_refused_with_a_clear_message(client, completed, criteria):
    english(client)
    client.post(KIOSK, rate(completed, criteria))

    again = client.post(KIOSK, identify(completed))
    rated_again = client.post(KIOSK, rate(completed, criteria))

    message = f"Feedback on dossier {completed.reference} has already been given. Thank you."
    assert message in again.content.decode() and message in rated_again.content.decode()
    assert Feedback.objects.count() == 1
    assert not KioskFailure.objects.exists()


def test_a_wrong_code_is_refused_without_saying_whether_the_case_exists(client, completed, criteria):
    english(client)
    wrong_code = client.post(KIOSK, identify(completed, code="ABCDE-FGHJK"))
    no_such_case = client.post(KIOSK, {"case": "QT-99-260101-0001", "code": case_token(completed)})
    rated_with_a_wrong_code = client.post(KIOSK, rate(completed, criteria, code="ABCDE-FGHJK"))

    for response in (wrong_code, no_such_case, rated_with_a_wrong_code):
        assert response.status_code == 200 and response.templates[0].name == "satisfaction/kiosk.html"
        assert WRONG in response.content.decode()
        assert "Đăng ký khai sinh" not in response.content.decode()
    assert not Feedback.objects.exists()
    assert KioskFailure.objects.count() == 3


def test_a_case_not_yet_resolved_cannot_be_rated(client, receive, criteria):
    english(client)
    case = receive()

    response = client.post(KIOSK, rate(case, criteria))

    assert f"Dossier {case.reference} has not been resolved yet" in response.content.decode()
    assert not Feedback.objects.exists()


def test_rating_nothing_asks_for_at_least_one_score(client, completed):
    english(client)
    response = client.post(KIOSK, {**identify(completed), "rate": "1", "comment": "Tốt"})

    assert "Rate at least one criterion." in response.content.decode()
    assert not Feedback.objects.exists()


@override_settings(SATISFACTION_KIOSK_MAX_FAILURES=3, SATISFACTION_KIOSK_WINDOW_MINUTES=15)
def test_after_the_configured_number_of_wrong_codes_the_address_is_refused_for_a_while(client, completed, criteria):
    english(client)
    for _attempt in range(3):
        assert WRONG in client.post(KIOSK, identify(completed, code="ABCDE-FGHJK"), REMOTE_ADDR="203.0.113.7").content.decode()

    blocked = client.post(KIOSK, rate(completed, criteria), REMOTE_ADDR="203.0.113.7")

    assert blocked.status_code == 429 and "Too many wrong" in blocked.content.decode()
    assert not Feedback.objects.exists()
    # Another tablet is not held back, and the kiosk page itself still opens.
    assert client.post(KIOSK, identify(completed), REMOTE_ADDR="198.51.100.2").status_code == 200
    assert client.get(KIOSK, REMOTE_ADDR="203.0.113.7").status_code == 200


@override_settings(SATISFACTION_KIOSK_MAX_FAILURES=3)
def test_the_count_is_shared_by_every_connection_and_worker_because_it_is_in_the_database(completed, criteria):
    # Two browsers (two sessions, two cookie jars) behind the same address, as two web workers
    # would see them: what one is refused counts for the other.
    first, second = english(Client()), english(Client())
    first.post(KIOSK, identify(completed, code="WRONG-CODE1"), REMOTE_ADDR="203.0.113.9")
    second.post(KIOSK, identify(completed, code="WRONG-CODE2"), REMOTE_ADDR="203.0.113.9")
    first.post(KIOSK, identify(completed, code="WRONG-CODE3"), REMOTE_ADDR="203.0.113.9")

    assert second.post(KIOSK, identify(completed), REMOTE_ADDR="203.0.113.9").status_code == 429
    assert KioskFailure.objects.count() == 3
    # No address is kept in the clear.
    assert not KioskFailure.objects.filter(client__contains="203.0.113").exists()


@override_settings(SATISFACTION_KIOSK_MAX_FAILURES=2, SATISFACTION_KIOSK_WINDOW_MINUTES=15)
def test_refusals_older_than_the_window_no_longer_count_and_are_forgotten(rf):
    client = throttle.client_key(rf.get("/", REMOTE_ADDR="203.0.113.5"))
    long_ago = timezone.now() - datetime.timedelta(minutes=16)
    throttle.record_failure(client, now=long_ago)
    throttle.record_failure(client, now=long_ago)
    assert throttle.is_blocked(client, now=long_ago)

    assert not throttle.is_blocked(client)
    throttle.record_failure(client)
    assert KioskFailure.objects.count() == 1


def test_a_post_without_the_csrf_token_is_refused(completed, criteria):
    guarded = Client(enforce_csrf_checks=True)

    assert guarded.post(KIOSK, rate(completed, criteria)).status_code == 403
    assert not Feedback.objects.exists()
