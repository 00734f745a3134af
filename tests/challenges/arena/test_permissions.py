"""Every arena page for every role: anonymous, participant (the battle's owner), a member of
another team, judge, organizer."""

import pytest

from challenges.arena.domain.battles import start_battle
from challenges.arena.models import Battle, BattleAnswer

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_team", "judge", "organizer"]
LOGIN = "login"


@pytest.fixture
def world(challenge, models, player, other_team_member, judge, organizer):
    """A battle whose answers are in (nothing streamed: no page here starts one)."""
    battle = start_battle(
        challenge=challenge, user=player, text="¿Qué?", country="PE", enqueue=lambda pk: None
    )
    BattleAnswer.objects.update(status=BattleAnswer.Status.DONE, text="Ceviche.")
    Battle.objects.update(status=Battle.Status.READY)
    people = {
        "anonymous": None,
        "participant": player,
        "other_team": other_team_member,
        "judge": judge,
        "organizer": organizer,
    }
    return people, {"slug": challenge.slug, "battle": battle.pk}


def own(status):  # only the battle's owner
    return {
        "anonymous": LOGIN,
        "participant": status,
        "other_team": 404,
        "judge": 404,
        "organizer": 404,
    }


def signed_in(status):
    return {role: (LOGIN if role == "anonymous" else status) for role in ROLES}


def staff(status, others=403):
    return {
        "anonymous": LOGIN, "participant": others, "other_team": others, "judge": others,
        "organizer": status,
    }  # fmt: skip


MATRIX = [
    ("get", "/arena/{slug}/", signed_in(200)),
    ("post", "/arena/{slug}/", signed_in(400)),  # an empty form
    ("get", "/arena/{slug}/battle/{battle}/", own(200)),
    # Without a grant (test_live_answers: with one, and with forged ones): nobody, no login.
    ("get", "/arena/{slug}/battle/{battle}/live/", dict.fromkeys(ROLES, 403)),
    ("post", "/arena/{slug}/battle/{battle}/vote/", own(302)),  # no choice: a message
    ("post", "/arena/{slug}/battle/{battle}/continue/", own(302)),
    ("get", "/arena/{slug}/ratings/", staff(200, others=404)),
    ("get", "/arena/{slug}/organize/", staff(200)),
    ("post", "/arena/{slug}/organize/", staff(302)),
    ("get", "/arena/{slug}/organize/export/fastchat.jsonl", staff(200)),
    ("get", "/arena/{slug}/organize/export/clean.jsonl", staff(200)),
    ("get", "/arena/{slug}/organize/export/other.jsonl", staff(404)),
]


@pytest.mark.parametrize(
    ("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _ in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, method, path, expected, role):
    people, names = world
    if people[role] is not None:
        client.force_login(people[role])
    response = getattr(client, method)(path.format(**names))
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == want
