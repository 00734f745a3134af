import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from teams.models import Membership, Team, TeamEvent
from tests.factories import MembershipFactory, UserFactory, make_team

pytestmark = pytest.mark.django_db


def team_form(**overrides):
    data = {"name": "Las Alpacas", "countries": ["PE", "BO"], "project_idea": "", "track": ""}
    data.update(overrides)
    return data


def test_create_a_team_from_the_page(client, edition, participant):
    client.force_login(participant)
    assert "Create a team" in client.get("/team/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post("/team/create/", team_form(), follow=True)
    assert response.redirect_chain[-1][0] == "/team/"
    team = Team.objects.get()
    assert team.name == "Las Alpacas"
    assert sorted(country.code for country in team.countries) == ["BO", "PE"]
    assert Membership.objects.get(team=team).is_captain
    page = response.content.decode()
    assert team.invite_token in page


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 61}, "name"),
        ({"countries": []}, "countries"),
        ({"countries": ["ZZ"]}, "countries"),
        ({"track": "C"}, "track"),
        ({"project_idea": "x" * 2001}, "project_idea"),
    ],
)
def test_bad_team_input_is_refused_and_nothing_changes(
    client, edition, participant, overrides, field
):
    client.force_login(participant)
    response = client.post("/team/create/", team_form(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Team.objects.exists() and not Membership.objects.exists()


def test_duplicate_name_is_refused_with_a_message(client, edition, participant):
    make_team(edition=edition, name="Las Alpacas")
    client.force_login(participant)
    response = client.post(
        "/team/create/", team_form(name="LAS ALPACAS"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Team.objects.count() == 1


def test_html_in_team_text_is_escaped(client, edition, participant):
    client.force_login(participant)
    client.post(
        "/team/create/", team_form(name="<b>x</b>", project_idea="<script>alert(1)</script>")
    )
    team = Team.objects.get()
    page = client.get(f"/teams/{team.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_join_by_link_page_then_post(client, edition, participant):
    team = make_team(edition=edition, name="Destino")
    client.force_login(participant)
    page = client.get(f"/join/{team.invite_token}/")
    assert page.status_code == 200 and "Destino" in page.content.decode()
    client.post(f"/join/{team.invite_token}/")
    assert Membership.objects.filter(team=team, user=participant).exists()


def test_an_old_invite_link_gets_a_clear_page(client, edition, participant):
    client.force_login(participant)
    response = client.get("/join/not-a-real-token/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    response = client.post("/join/not-a-real-token/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert not Membership.objects.exists()


def test_a_full_team_refuses_the_sixth_with_a_message(client, edition, participant):
    team = make_team(edition=edition, members=5)
    client.force_login(participant)
    response = client.post(f"/join/{team.invite_token}/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "full" in response.content.decode()
    assert team.memberships.count() == 5


def test_captain_actions_from_the_page(client, edition):
    team = make_team(edition=edition, members=3)
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    first, second = [m.user for m in team.memberships.filter(role=Membership.Role.MEMBER)]
    client.force_login(captain)
    token = team.invite_token
    client.post("/team/invite/")
    team.refresh_from_db()
    assert team.invite_token != token
    # One click does nothing: the page asks for a reason and a confirmation.
    client.post(f"/team/members/{second.pk}/remove/")
    client.post(f"/team/members/{second.pk}/remove/", {"reason": "Ya no participa"})
    client.post(f"/team/members/{first.pk}/captain/", {"confirm": "on"})
    assert team.memberships.filter(user=second).exists()
    assert team.memberships.get(user=captain).is_captain
    client.post(
        f"/team/members/{second.pk}/remove/", {"reason": "Ya no participa", "confirm": "on"}
    )
    assert not team.memberships.filter(user=second).exists()
    client.post(f"/team/members/{first.pk}/captain/", {"reason": "Se va de viaje", "confirm": "on"})
    assert team.memberships.get(user=first).is_captain
    reasons = dict(team.events.values_list("kind", "reason"))
    assert (
        reasons["removed"] == "Ya no participa" and reasons["captain_changed"] == "Se va de viaje"
    )
    client.post("/team/leave/")
    assert list(team.memberships.values_list("user_id", flat=True)) == [first.pk]


def test_register_and_edit_from_the_page(client, edition):
    team = make_team(edition=edition, members=2)
    member = team.memberships.get(role=Membership.Role.MEMBER).user
    client.force_login(member)
    client.post("/team/register/")
    client.post("/team/edit/", team_form(name="Nuevo nombre", track="B", project_idea="Idea"))
    team.refresh_from_db()
    assert team.registered_by == member and team.name == "Nuevo nombre" and team.track == "B"
    response = client.post("/team/register/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "already registered" in response.content.decode()


def test_a_tampered_edit_changes_nothing(client, edition):
    team = make_team(edition=edition, name="Original")
    client.force_login(team.memberships.get().user)
    response = client.post(
        "/team/edit/", {"name": "x" * 500, "countries": ["??"], "track": "Z"}, follow=True
    )
    team.refresh_from_db()
    assert team.name == "Original"
    assert response.status_code == 200
    assert not TeamEvent.objects.filter(kind=TeamEvent.Kind.UPDATED).exists()


def test_the_public_team_page_never_shows_emails(client, edition):
    team = make_team(edition=edition, members=2)
    page = client.get(f"/teams/{team.pk}/").content.decode()
    for membership in team.memberships.select_related("user__profile"):
        assert membership.user.email not in page
        assert membership.user.profile.display_name in page
    assert "@" not in page.split("<main", 1)[1].split("</main>")[0]


def test_team_search_answers_htmx_with_the_results_only(client, edition):
    make_team(edition=edition, name="Guaraníes")
    make_team(edition=edition, name="Quechuas")
    response = client.get("/teams/?q=guara", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Guaraníes" in body and "Quechuas" not in body
    assert "<html" not in body and 'id="team-results"' in body


def test_empty_team_list_says_so(client, edition):
    assert (
        "No team has been created yet."
        in client.get("/teams/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


# --- query counts: the number of queries does not grow with the number of items -------------


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_team_list_query_count_is_constant(client, edition, django_assert_num_queries):
    make_team(edition=edition, members=3)
    one = queries_for(client, "/teams/")
    make_team(edition=edition, members=5)
    make_team(edition=edition, members=2)
    with django_assert_num_queries(one):
        client.get("/teams/")


def test_team_page_query_count_is_constant(client, edition, django_assert_num_queries):
    team = make_team(edition=edition, members=1)
    one = queries_for(client, f"/teams/{team.pk}/")
    MembershipFactory(team=team)
    MembershipFactory(team=team)
    with django_assert_num_queries(one):
        client.get(f"/teams/{team.pk}/")


def test_my_team_query_count_is_constant(client, edition, django_assert_num_queries):
    team = make_team(edition=edition, members=1)
    client.force_login(team.memberships.get().user)
    one = queries_for(client, "/team/")
    MembershipFactory(team=team)
    MembershipFactory(team=team)
    with django_assert_num_queries(one):
        client.get("/team/")


def test_join_page_query_count_is_constant(client, edition, django_assert_num_queries):
    team = make_team(edition=edition, members=1)
    client.force_login(UserFactory())
    one = queries_for(client, f"/join/{team.invite_token}/")
    MembershipFactory(team=team)
    MembershipFactory(team=team)
    with django_assert_num_queries(one):
        client.get(f"/join/{team.invite_token}/")


def test_the_captain_page_asks_before_removing_or_handing_over(client, edition):
    team = make_team(edition=edition, members=2)
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    client.force_login(captain)
    page = client.get("/team/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Each action sits behind a disclosure with a reason and a confirmation box.
    assert page.count('<details class="confirm-action">') == 2
    assert page.count('name="reason"') >= 2 and page.count('name="confirm"') >= 2
