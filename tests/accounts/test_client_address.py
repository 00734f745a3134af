"""The sign-up and login limits count per client: behind the proxy, the address it appended to
X-Forwarded-For, and only when a trusted proxy count says a proxy of ours wrote it."""

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"


def signups_per_address() -> int:
    amount, period, per = settings.ACCOUNT_RATE_LIMITS["signup"].split("/")
    assert (period, per) == ("m", "ip")
    return int(amount)


def spend_signups(client, forwarded_for: str) -> None:
    """Uses up a minute's sign-ups from one client (empty forms count as attempts)."""
    for _attempt in range(signups_per_address()):
        response = client.post(SIGNUP, {}, HTTP_X_FORWARDED_FOR=forwarded_for)
        assert response.status_code != 429


def test_the_launch_day_figures():
    assert signups_per_address() == 30
    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/300s/key"


def test_the_header_is_ignored_by_default():
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0


def test_behind_the_proxy_two_clients_are_limited_separately(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    spend_signups(client, "203.0.113.1")
    assert client.post(SIGNUP, {}, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 429
    assert client.post(SIGNUP, {}, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code != 429


def test_behind_the_proxy_what_the_client_put_before_its_address_changes_nothing(client, settings):
    # The proxy appends the address it saw: a client can only add entries before it.
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    spend_signups(client, "198.51.100.7, 203.0.113.1")
    response = client.post(SIGNUP, {}, HTTP_X_FORWARDED_FOR="198.51.100.8, 203.0.113.1")
    assert response.status_code == 429


def test_without_a_trusted_proxy_a_forged_header_changes_nothing(client):
    spend_signups(client, "203.0.113.1")
    assert client.post(SIGNUP, {}, HTTP_X_FORWARDED_FOR="203.0.113.2").status_code == 429
    assert client.post(SIGNUP, {}).status_code == 429


def test_failed_logins_slow_down_the_account_not_the_others(client, settings, participant):
    from allauth.account.models import EmailAddress

    from tests.factories import UserFactory

    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    other = UserFactory()
    for user in (participant, other):
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    def refused(user, address: str) -> bool:
        response = client.post(
            "/accounts/login/",
            {"login": user.email, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=address,
        )
        form = response.context["form"]
        codes = {error.code for errors in form.errors.as_data().values() for error in errors}
        return "too_many_login_attempts" in codes

    attempts = [refused(participant, f"203.0.113.{n}") for n in range(1, 7)]
    assert attempts == [False] * 5 + [True]
    assert not refused(other, "203.0.113.1")
