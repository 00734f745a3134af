"""Sign-up, email verification, login, logout and password reset through django-allauth."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from accounts.models import User

pytestmark = pytest.mark.django_db
PASSWORD = "una-clave-bastante-larga-2025"


def link_in(message) -> str:
    return re.search(r"https?://testserver(/\S+)", message.body).group(1)


def test_sign_up_verify_and_log_in(client, edition):
    response = client.post(
        "/accounts/signup/",
        {"email": "Ana@Example.org", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    user = User.objects.get()
    assert user.email == "ana@example.org"
    assert len(mail.outbox) == 1
    # Until the email is verified, logging in only sends another verification email.
    client.logout()
    client.post("/accounts/login/", {"login": "ana@example.org", "password": PASSWORD})
    assert client.get("/profile/").status_code == 302
    confirm = link_in(mail.outbox[0])
    client.post(confirm)
    assert user.emailaddress_set.get().verified
    client.logout()
    response = client.post("/accounts/login/", {"login": "ana@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/profile/").status_code == 302


def test_a_second_account_with_the_same_email_is_refused(client, edition, participant):
    response = client.post(
        "/accounts/signup/",
        {"email": participant.email.upper(), "password1": PASSWORD, "password2": PASSWORD},
    )
    assert User.objects.count() == 1
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert response.context["form"].errors


def test_password_reset_sends_a_working_link(client, edition, participant):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=participant, email=participant.email, verified=True, primary=True
    )
    client.post("/accounts/password/reset/", {"email": participant.email})
    assert len(mail.outbox) == 1
    reset = client.get(link_in(mail.outbox[0]), follow=True)
    form_url = reset.redirect_chain[-1][0] if reset.redirect_chain else link_in(mail.outbox[0])
    client.post(
        form_url,
        {"password1": "otra-clave-muy-larga-2025", "password2": "otra-clave-muy-larga-2025"},
    )
    participant.refresh_from_db()
    assert participant.check_password("otra-clave-muy-larga-2025")


def test_rate_limits_are_on():
    assert settings.ACCOUNT_RATE_LIMITS_ENABLED is True
    assert getattr(settings, "ACCOUNT_RATE_LIMITS", None) is not False


def test_repeated_failed_logins_are_rate_limited(client, edition, participant):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(
        user=participant, email=participant.email, verified=True, primary=True
    )
    codes = []
    for _attempt in range(6):
        form = client.post(
            "/accounts/login/", {"login": participant.email, "password": "wrong"}
        ).context["form"]
        codes.append({error.code for errors in form.errors.as_data().values() for error in errors})
    assert all("too_many_login_attempts" not in attempt for attempt in codes[:5])
    assert "too_many_login_attempts" in codes[5]
    # Even the right password is refused while the limit holds.
    response = client.post(
        "/accounts/login/",
        {"login": participant.email, "password": "correct-horse-battery-staple-42"},
    )
    assert response.status_code == 200


def test_hugging_face_button_is_hidden_without_credentials(client, edition):
    assert (
        "Hugging Face"
        not in client.get("/accounts/login/")
        .content.decode()
        .split("<main", 1)[1]
        .split("</main>")[0]
    )


def test_hugging_face_button_shows_with_credentials(client, edition):
    providers = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "huggingface",
                    "name": "Hugging Face",
                    "client_id": "id",
                    "secret": "secret",
                    "settings": {
                        "server_url": "https://huggingface.co",
                        "oauth_pkce_enabled": True,
                        "scope": ["openid", "profile", "email", "read-memberships"],
                    },
                }
            ],
        }
    }
    with override_settings(SOCIALACCOUNT_PROVIDERS=providers):
        page = client.get("/accounts/login/").content.decode()
        assert "Hugging Face" in page
        assert "/accounts/oidc/huggingface/login/" in page
        from allauth.socialaccount.adapter import get_adapter

        provider = get_adapter().get_provider(None, "huggingface")
        assert provider.get_scope() == ["openid", "profile", "email", "read-memberships"]
        assert provider.server_url == "https://huggingface.co/.well-known/openid-configuration"
        assert provider.app.settings["oauth_pkce_enabled"] is True
