"""Team names are the same once folded: "Las Llamas" and "Las Llamas" with a zero-width space
are one name; a name of invisible characters is no name; the migration's key filling."""

import importlib

import pytest
from django.apps import apps as django_apps

from teams import domain
from teams.domain import TeamRuleError
from teams.forms import TeamForm
from teams.models import Team, team_name_key
from tests.factories import make_team

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    ["Las Llamas\u200b", "Las\u200f Llamas", "\ufeffLAS LLAMAS", "Las Llámas", "Las  Llamas"],
)
def test_a_name_equal_to_another_once_folded_is_refused(edition, participant, name):
    make_team(edition=edition, name="Las Llamas")
    with pytest.raises(TeamRuleError, match="already exists"):
        domain.create_team(user=participant, edition=edition, name=name, countries=["PE"])
    assert Team.objects.count() == 1


def test_renaming_to_another_name_plus_an_invisible_character_is_refused(edition):
    make_team(edition=edition, name="Tomado")
    team = make_team(edition=edition, name="Libre")
    with pytest.raises(TeamRuleError, match="already exists"):
        domain.update_team(
            team=team,
            by=team.memberships.get().user,
            name="Tomado\u200b",
            countries=["PE"],
            project_idea="",
            track="",
        )


def test_a_name_of_invisible_characters_is_refused(edition, participant):
    with pytest.raises(TeamRuleError, match="A team needs a name"):
        domain.create_team(user=participant, edition=edition, name="\u200b\u200f", countries=["PE"])
    form = TeamForm(data={"name": "\u200b\ufeff", "countries": ["PE"]})
    assert form.errors["name"] == ["A team needs a name."]


def test_the_name_is_stored_without_invisible_characters(edition, participant):
    team = domain.create_team(
        user=participant, edition=edition, name="Los\u200b Andes\u200f", countries=["PE"]
    )
    assert (team.name, team.name_key) == ("Los Andes", team_name_key("los andes"))


def test_the_create_page_refuses_a_taken_name_with_an_invisible_character(
    client, edition, participant
):
    make_team(edition=edition, name="Las Llamas")
    client.force_login(participant)
    response = client.post(
        "/team/create/",
        {"name": "Las Llamas\u200b", "countries": ["PE"]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "A team with this name already exists in this edition."
    ]
    assert Team.objects.count() == 1


def test_the_migration_keys_the_first_team_and_leaves_a_colliding_one_without_key(edition):
    migration = importlib.import_module("teams.migrations.0002_team_name_key")
    first = make_team(edition=edition, name="Los Andes")
    later = make_team(edition=edition, name="Los Andes (2)")
    # As stored before the key existed: a name meaning the first one's, and no keys.
    Team.objects.filter(pk=later.pk).update(name="los andes\u200b")
    Team.objects.update(name_key="")
    assert migration.fill_name_keys(django_apps, None) == [(later.pk, first.pk)]
    keys = dict(Team.objects.values_list("pk", "name_key"))
    assert keys == {first.pk: team_name_key("Los Andes"), later.pk: ""}
