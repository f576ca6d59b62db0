"""Signing in and passwords: strong passwords, lockout after repeated failures, session expiry."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from iso.accounts import TOUCHED
from iso.demo import DEMO_PASSWORD, PEOPLE
from iso.models import Role, User

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Passphrase-for-tests"


@pytest.fixture
def member():
    user = UserFactory(username="lan", full_name="Phạm Thị Lan", roles=[Role.STAFF])
    user.set_password(PASSWORD)
    user.save()
    return user


def _sign_in(client, username, password, *, address="10.0.0.7"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_signs_in(client, member):
    response = _sign_in(client, "lan", PASSWORD)
    assert response.status_code == 302 and _signed_in(client)


def test_after_the_configured_failures_even_the_right_password_is_refused_with_the_lockout_page(client, member):
    limit = settings.AXES_FAILURE_LIMIT
    for attempt in range(limit - 1):
        response = _sign_in(client, "lan", f"wrong-{attempt}")
        assert response.status_code == 200, attempt  # the form again, with its error
    assert _sign_in(client, "lan", "wrong-last").status_code == 429

    response = _sign_in(client, "lan", PASSWORD, )
    assert response.status_code == 429
    assert not _signed_in(client)
    page = response.content.decode()
    assert "Sign-in locked" in page or "Đăng nhập bị khoá" in page
    assert str(limit) in page


def test_the_lockout_page_is_translated(client, member):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "lan", f"wrong-{attempt}")
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    english = _sign_in(client, "lan", PASSWORD).content.decode()
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "vi"})
    vietnamese = _sign_in(client, "lan", PASSWORD).content.decode()
    assert "Sign-in locked" in english
    assert "Sign-in locked" not in vietnamese and "Đăng nhập bị khoá" in vietnamese


def test_a_lockout_holds_one_username_from_one_address_only(client, member):
    other = UserFactory(username="minh")
    other.set_password(PASSWORD)
    other.save()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "lan", f"wrong-{attempt}")

    assert _sign_in(client, "minh", PASSWORD).status_code == 302
    client.logout()
    assert _sign_in(client, "lan", PASSWORD, address="10.0.0.8").status_code == 302


def test_after_the_cool_off_the_right_password_works_again(client, member):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "lan", f"wrong-{attempt}")
    assert _sign_in(client, "lan", PASSWORD).status_code == 429

    # The failures are dated; moving them back past the cool-off is the passing of time.
    past = timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    AccessAttempt.objects.filter(username="lan").update(attempt_time=past)

    assert _sign_in(client, "lan", PASSWORD).status_code == 302 and _signed_in(client)


def test_an_administrator_can_lift_a_lockout_before_the_cool_off(client, member):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "lan", f"wrong-{attempt}")
    call_command("axes_reset_username", "lan")
    assert _sign_in(client, "lan", PASSWORD).status_code == 302


def test_a_success_resets_the_count_of_failures(client, member):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "lan", f"wrong-{attempt}")
    assert _sign_in(client, "lan", PASSWORD).status_code == 302
    client.logout()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(client, "lan", f"again-{attempt}")
    assert _sign_in(client, "lan", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("weak", "reason"),
    [
        ("Short-1a", "too short"),
        ("password1234", "too common"),
        ("739105826417", "entirely numeric"),
        ("lan@example.org", "too similar"),
    ],
)
def test_a_weak_new_password_is_refused_on_password_change(client, member, weak, reason):
    client.force_login(member)
    client.cookies.load({settings.LANGUAGE_COOKIE_NAME: "en"})
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_a_strong_new_password_is_accepted(client, member):
    client.force_login(member)
    new = "seven green kettles at dawn"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(new)


def test_passwords_need_at_least_twelve_characters():
    assert settings.PASSWORD_MIN_LENGTH >= 12


def test_the_demo_password_passes_every_validator():
    from django.contrib.auth.password_validation import validate_password

    for person in PEOPLE:
        validate_password(DEMO_PASSWORD, User(username=person.username))


def test_a_session_in_use_is_renewed_at_most_once_a_minute(client, member):
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600
    client.force_login(member)
    assert settings.SESSION_COOKIE_NAME not in client.get(reverse("home")).cookies  # renewed a moment ago

    session = client.session
    session[TOUCHED] -= settings.SESSION_RENEW_SECONDS  # a minute has passed
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert client.session[TOUCHED] > session[TOUCHED]
    assert Session.objects.get(session_key=client.session.session_key).expire_date > timezone.now() + datetime.timedelta(
        seconds=settings.SESSION_COOKIE_AGE - 5
    )
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["httponly"]
    if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE:
        assert not session_cookie["max-age"]
    else:
        assert int(session_cookie["max-age"]) == settings.SESSION_COOKIE_AGE



def test_a_session_idle_for_longer_than_the_timeout_is_over(client, member):
    client.force_login(member)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))  # the idle time has passed
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
