"""Emails name the site, and a person without a profile has a sensible name."""

import pytest
from django.core import mail
from django.test import override_settings

from accounts.models import User
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "una-clave-bastante-larga-2025"


@override_settings(SITE_NAME="Hackathon SomosNLP", SITE_DOMAIN="hackathon.somosnlp.org")
def test_the_verification_email_names_the_site_not_the_host(client, edition):
    client.post(
        "/accounts/signup/",
        {"email": "ana@example.org", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST="127.0.0.1",
    )
    body = mail.outbox[-1].body
    assert "Hackathon SomosNLP" in body and "hackathon.somosnlp.org" in body
    greeting = body.splitlines()[0]
    assert "127.0.0.1" not in greeting and "testserver" not in greeting


def test_without_a_domain_setting_the_request_host_is_the_domain(client, edition):
    client.post(
        "/accounts/signup/",
        {"email": "ana@example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    body = mail.outbox[-1].body
    assert body.splitlines()[0] != "Hello from testserver!"
    assert "testserver" in body


def test_a_member_without_a_profile_is_named_from_their_address_not_an_id():
    user = UserFactory(email="ana.quispe42@example.org", with_profile=False)
    assert str(user.display_name) == "Ana (no profile yet)"
    assert str(user.pk) not in str(user.display_name)
    assert "example.org" not in str(user.display_name)
    assert (
        str(UserFactory(email="7@example.org", with_profile=False).display_name)
        == "A participant without a profile"
    )
    ProfileFactory(user=user, display_name="Ana Quispe")
    assert User.objects.get(pk=user.pk).display_name == "Ana Quispe"
