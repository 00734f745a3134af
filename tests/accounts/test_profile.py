import pytest
from django.urls import reverse

from accounts.adapters import HubSocialAccountAdapter
from accounts.domain import build_checklist, fill_hub_username, has_consented
from accounts.models import Consent, Profile
from accounts.validators import validate_hub_username
from tests.factories import ConsentFactory, ProfileFactory, UserFactory, make_team

pytestmark = pytest.mark.django_db
URL = "/profile/"


def valid_form(**overrides):
    data = {
        "display_name": "María Pérez",
        "discord_username": "maria_perez",
        "hub_username": "maria-perez",
        "country": "PE",
        "languages": ["es", "qu"],
        "accept_consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def newcomer(db):
    return UserFactory(with_profile=False)


def test_saving_the_profile_records_consent_with_version_and_time(client, edition, newcomer):
    client.force_login(newcomer)
    response = client.post(URL, valid_form(), follow=True)
    assert response.status_code == 200
    assert (
        "Your profile was saved." in response.content.decode()
        or "perfil" in response.content.decode()
    )
    profile = Profile.objects.get(user=newcomer)
    assert (profile.display_name, profile.hub_username, profile.country.code) == (
        "María Pérez",
        "maria-perez",
        "PE",
    )
    assert profile.languages == ["es", "qu"]
    consent = Consent.objects.get(user=newcomer)
    assert consent.version == edition.consent_version and consent.accepted_at is not None


def test_a_new_consent_version_asks_again(client, edition, newcomer):
    ConsentFactory(user=newcomer, edition=edition, version="old")
    client.force_login(newcomer)
    response = client.post(URL, valid_form(accept_consent=None))
    assert response.status_code == 400
    assert not Profile.objects.filter(user=newcomer).exists()
    assert Consent.objects.filter(user=newcomer).count() == 1


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hub_username", "-maria"),
        ("hub_username", "maria--perez"),
        ("hub_username", "maría"),
        ("hub_username", "a" * 43),
        ("hub_username", ""),
        ("discord_username", "M"),
        ("discord_username", "<script>"),
        ("display_name", "x" * 81),
        ("display_name", ""),
        ("country", "XX"),
        ("country", ""),
        ("languages", ["klingon"]),
        ("languages", []),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(client, edition, newcomer, field, value):
    client.force_login(newcomer)
    response = client.post(URL, valid_form(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Profile.objects.filter(user=newcomer).exists()
    assert not Consent.objects.exists()


def test_errors_are_translated(client, edition, newcomer):
    client.force_login(newcomer)
    response = client.post(URL, valid_form(hub_username="-x"), HTTP_ACCEPT_LANGUAGE="es")
    assert "Un nombre de usuario de Hugging Face" in response.content.decode()


def test_a_hub_username_taken_by_someone_else_is_refused(client, edition, newcomer):
    ProfileFactory(hub_username="Maria-Perez")
    client.force_login(newcomer)
    response = client.post(URL, valid_form(hub_username="maria-perez"))
    assert response.status_code == 400
    assert (
        "hub_username" in response.context["form"].errors
        or response.context["form"].non_field_errors()
    )
    assert not Profile.objects.filter(user=newcomer).exists()


def test_html_in_names_is_shown_escaped(client, edition, newcomer):
    client.force_login(newcomer)
    client.post(URL, valid_form(display_name="<script>alert(1)</script>"))
    page = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("name", ["maria-perez", "M", "a1-b2-c3", "x" * 42])
def test_valid_hub_usernames(name):
    validate_hub_username(name)


def test_checklist_follows_the_person(edition, newcomer):
    def steps(**kw):
        return {
            step.key: step.state for step in build_checklist(user=newcomer, edition=edition, **kw)
        }

    assert set(steps(consented=False).values()) == {"pending"}
    ProfileFactory(user=newcomer)
    newcomer.refresh_from_db()
    state = steps(consented=True)
    assert state["discord"] == state["hub_account"] == state["registration"] == "done"
    assert state["hub_organization"] == "pending_verification"
    assert state["team"] == "pending"
    team = make_team(edition=edition)
    membership = team.memberships.create(user=newcomer, edition=edition)
    assert steps(consented=True, membership=membership)["team"] == "done"
    assert steps(consented=True, membership=membership)["team_registered"] == "pending"


def test_profile_page_shows_the_checklist(client, edition, participant):
    client.force_login(participant)
    page = client.get(URL).content.decode()
    assert 'id="step-hub_organization"' in page


def test_anonymous_visitors_are_sent_to_log_in(client, edition):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_signing_in_with_hugging_face_fills_the_hub_username(newcomer):
    assert fill_hub_username(user=newcomer, hub_username="maria-perez") is True
    profile = Profile.objects.get(user=newcomer)
    assert profile.hub_username == "maria-perez" and profile.display_name == "maria-perez"
    # An existing username is kept; an invalid or taken one is ignored.
    assert fill_hub_username(user=newcomer, hub_username="other") is False
    other = UserFactory(with_profile=False)
    assert fill_hub_username(user=other, hub_username="MARIA-PEREZ") is False
    assert fill_hub_username(user=other, hub_username="-bad-") is False
    assert Profile.objects.get(user=newcomer).hub_username == "maria-perez"


def test_the_social_adapter_reads_the_oidc_claims(rf, newcomer, monkeypatch):
    from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
    from allauth.socialaccount.models import SocialAccount, SocialLogin

    account = SocialAccount(
        provider="huggingface",
        uid="123",
        extra_data={"userinfo": {"preferred_username": "hub-person", "sub": "123"}},
    )
    sociallogin = SocialLogin(user=newcomer, account=account)
    # The parent's save_user writes the account; here only our addition is under test.
    monkeypatch.setattr(
        DefaultSocialAccountAdapter, "save_user", lambda self, request, sl, form=None: sl.user
    )
    HubSocialAccountAdapter().save_user(rf.get("/"), sociallogin)
    assert Profile.objects.get(user=newcomer).hub_username == "hub-person"


def test_has_consented_needs_the_current_version(edition, participant):
    assert not has_consented(user=participant, edition=edition)
    ConsentFactory(user=participant, edition=edition)
    assert has_consented(user=participant, edition=edition)
