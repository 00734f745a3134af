"""The arena's pages: every role, names hidden until the vote, bad input, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile
from challenges.arena.domain.battles import start_battle, vote_battle
from challenges.arena.models import ArenaSettings, Battle
from challenges.arena.tasks import stream_answer_task
from challenges.preferences.models import ArenaVote

pytestmark = pytest.mark.django_db(transaction=True)


def battle_of(challenge, user, text="¿Qué se come en Lima?"):
    return start_battle(
        challenge=challenge, user=user, text=text, country="PE", enqueue=stream_answer_task.delay
    )


@pytest.fixture
def world(challenge, models, player, other_team_member, judge, organizer):
    battle = battle_of(challenge, player)
    people = {
        "anonymous": None,
        "participant": player,
        "other_team": other_team_member,
        "judge": judge,
        "organizer": organizer,
    }
    return people, {"slug": challenge.slug, "battle": battle.pk}


def test_public_ratings_are_open_to_everyone(client, challenge, world):
    ArenaSettings.objects.create(challenge=challenge, ratings_public=True)
    assert client.get(f"/arena/{challenge.slug}/ratings/").status_code == 200


def test_a_forged_vote_on_someone_elses_battle_changes_nothing(client, world, other_team_member):
    people, names = world
    client.force_login(other_team_member)
    response = client.post(
        f"/arena/{names['slug']}/battle/{names['battle']}/vote/", {"choice": "a"}
    )
    assert response.status_code == 404
    assert not ArenaVote.objects.exists()
    assert Battle.objects.get().status == Battle.Status.READY


def test_the_models_are_named_only_after_the_vote(client, challenge, world, player):
    _people, names = world
    battle = Battle.objects.select_related("model_a", "model_b").get()
    client.force_login(player)
    url = f"/arena/{challenge.slug}/battle/{battle.pk}/"
    hidden = [
        client.get(url).content.decode(),
        client.get(url, headers={"HX-Request": "true"}).content.decode(),
        client.get(f"/arena/{challenge.slug}/").content.decode(),
    ]
    for page in hidden:
        for model in (battle.model_a, battle.model_b):
            assert model.display_name not in page and model.slug not in page
    assert "ceviche" in hidden[0]
    response = client.post(url + "vote/", {"choice": "a"}, follow=True)
    page = response.content.decode()
    assert battle.model_a.display_name in page and battle.model_b.display_name in page


def test_a_battle_from_the_form(client, challenge, models, player):
    client.force_login(player)
    response = client.post(
        f"/arena/{challenge.slug}/",
        {"country": "MX", "language": "es", "text": "¿Qué se desayuna en Oaxaca?"},
    )
    battle = Battle.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/battle/{battle.pk}/")
    assert battle.country == "MX" and battle.turns == ["¿Qué se desayuna en Oaxaca?"]


def test_the_form_starts_in_the_persons_country_and_the_start_does_not_read_it(
    client, challenge, models, player
):
    Profile.objects.update_or_create(user=player, defaults={"country": "AR"})
    client.force_login(player)
    page = client.get(f"/arena/{challenge.slug}/").content.decode()
    assert '<option value="AR" selected>' in page
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            f"/arena/{challenge.slug}/", {"country": "MX", "language": "es", "text": "¿Qué?"}
        )
    assert response.status_code == 302 and Battle.objects.get().country == "MX"
    assert not [q for q in queries.captured_queries if '"accounts_profile"' in q["sql"]]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"country": "MX", "language": "es", "text": "  \u200b "},
        {"country": "MX", "language": "es", "text": "<script>alert(1)</script>"},
        {"country": "ZZ", "language": "es", "text": "¿Qué?"},
        {"country": "MX", "language": "xx", "text": "¿Qué?"},
        {"picked": "999999"},
    ],
)
def test_bad_battle_forms_are_refused_and_nothing_starts(client, challenge, models, player, data):
    client.force_login(player)
    response = client.post(f"/arena/{challenge.slug}/", data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Battle.objects.exists()


def test_a_bad_vote_is_told_and_nothing_changes(client, world, player):
    _people, names = world
    client.force_login(player)
    response = client.post(
        f"/arena/{names['slug']}/battle/{names['battle']}/vote/", {"choice": "left"}, follow=True
    )
    assert list(response.context["messages"])
    assert not ArenaVote.objects.exists()


def test_the_history_query_count_does_not_grow(client, challenge, models, player):
    client.force_login(player)
    url = f"/arena/{challenge.slug}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    vote_battle(battle_id=battle_of(challenge, player).pk, user=player, choice="a")
    one = count()
    for number in range(2):
        vote_battle(
            battle_id=battle_of(challenge, player, text=f"¿Y {number}?").pk, user=player, choice="b"
        )
    assert count() == one


def test_organizers_make_the_ratings_public(client, challenge, models, organizer):
    client.force_login(organizer)
    response = client.post(f"/arena/{challenge.slug}/organize/", {"ratings_public": "on"})
    assert response.status_code == 302
    assert ArenaSettings.objects.get(challenge=challenge).ratings_public
