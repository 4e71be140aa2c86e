import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import TEST_PASSWORD

LOGIN = reverse("accounts:login")


def test_signing_in_lands_on_the_home_page(client, clp_a):
    response = client.post(LOGIN, {"username": "clp_a", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_wrong_password_shows_a_clear_message_and_keeps_the_username(client, clp_a):
    response = client.post(LOGIN, {"username": "clp_a", "password": "nope"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Please enter a correct username and password" in body
    assert 'value="clp_a"' in body


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, clp_a):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "clp_a", "password": "wrong-password"})
    response = client.post(LOGIN, {"username": "clp_a", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_fewer_failure_than_the_limit_does_not_lock(client, clp_a):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": "clp_a", "password": "wrong-password"})
    response = client.post(LOGIN, {"username": "clp_a", "password": TEST_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "password",
    ["short1!", "password12345", "abcdefghijklmnop", "1234567890123456"],
)
def test_weak_passwords_are_refused(clp_a, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=clp_a)


def test_a_long_mixed_password_is_accepted(clp_a):
    validate_password("walking-group-Tuesday-7", user=clp_a)


def test_sessions_expire_after_thirty_idle_minutes(client, clp_a):
    client.force_login(clp_a)
    client.get(reverse("home"))
    # pushed on by requests at most once a minute: tests/linksworker/test_session_idle.py
    assert "linksworker.middleware.SlidingSessionMiddleware" in settings.MIDDLEWARE
    assert client.session.get_expiry_age() == 30 * 60


def test_signing_out_needs_a_post(as_user, clp_a):
    c = as_user(clp_a)
    assert c.get(reverse("accounts:logout")).status_code == 405
    c.post(reverse("accounts:logout"))
    assert c.get(reverse("home")).status_code == 302


def test_password_spraying_from_one_address_is_refused_beside_the_per_user_lockout(
    client, clp_a, settings
):
    """One password across many usernames never trips the per-user lockout; the address
    does, and is refused even the right password, while other addresses sign in."""
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        client.post(
            LOGIN, {"username": f"someone{n}", "password": "Spring2026!"}, REMOTE_ADDR="203.0.113.9"
        )
    response = client.post(
        LOGIN, {"username": "clp_a", "password": TEST_PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 200
    assert "too many failed sign-ins from your network" in response.content.decode()
    assert "_auth_user_id" not in client.session
    other = client.post(
        LOGIN, {"username": "clp_a", "password": TEST_PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 302


def test_one_fewer_failure_from_an_address_than_its_limit_does_not_refuse(client, clp_a, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        client.post(
            LOGIN, {"username": f"someone{n}", "password": "Spring2026!"}, REMOTE_ADDR="203.0.113.9"
        )
    response = client.post(
        LOGIN, {"username": "clp_a", "password": TEST_PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 302
