"""The fragment a battle's page polls while its models write: from the cache alone, on the
grant the owner's battle page gives (domain.live). No database, no session; a grant for
another battle, another person or session, tampered or expired, reads nothing."""

import re
import time
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from challenges.arena.domain import live
from challenges.arena.domain.battles import start_battle
from challenges.arena.domain.streaming import read_live_entries, store_live_text, stream_answer
from challenges.arena.models import Battle, BattleAnswer
from tests.challenges.preferences.factories import pass_quiz

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_team", "judge", "organizer"]
LIVE_URL = re.compile(r'id="battle-live" hx-get="([^"]+)" hx-trigger="every 1s"')
SECRET_TEXT = "Texto secreto del dueño"


def streaming_battle(challenge, user, text="¿Qué?"):
    """A battle whose first answer is writing (its text in the cache), the second waiting."""
    battle = start_battle(
        challenge=challenge, user=user, text=text, country="PE", enqueue=lambda pk: None
    )
    first = battle.answers.get(side="a")
    BattleAnswer.objects.filter(pk=first.pk).update(status=BattleAnswer.Status.STREAMING)
    store_live_text(answer_id=first.pk, text=f"{SECRET_TEXT} {battle.pk}")
    return battle


def live_url_of(client, challenge, battle) -> str:
    page = client.get(f"/arena/{challenge.slug}/battle/{battle.pk}/").content.decode()
    found = LIVE_URL.search(page)
    assert found, "the battle's page polls the live fragment while its models write"
    return unescape(found.group(1))


@pytest.fixture
def owner_client(player):
    client = Client()
    client.force_login(player)
    return client


@pytest.fixture
def people(player, other_team_member, judge, organizer):
    return {
        "anonymous": None,
        "participant": player,
        "other_team": other_team_member,
        "judge": judge,
        "organizer": organizer,
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_the_owners_session_reads_the_live_answers(
    client, challenge, models, owner_client, people, role
):
    battle = streaming_battle(challenge, people["participant"])
    url = live_url_of(owner_client, challenge, battle)
    if role == "participant":
        client = owner_client
    elif people[role] is not None:
        client.force_login(people[role])
    response = client.get(url)
    body = response.content.decode()
    if role == "participant":
        assert response.status_code == 200
        assert f"{SECRET_TEXT} {battle.pk}" in body and 'hx-trigger="every 1s"' in body
    else:  # the owner's grant, presented by someone else
        assert response.status_code == 403 and SECRET_TEXT not in body


def test_the_owner_signed_in_elsewhere_needs_that_sessions_own_grant(
    challenge, models, owner_client, player
):
    battle = streaming_battle(challenge, player)
    url = live_url_of(owner_client, challenge, battle)
    elsewhere = Client()
    elsewhere.force_login(player)  # another session of the same person
    assert elsewhere.get(url).status_code == 403
    assert elsewhere.get(live_url_of(elsewhere, challenge, battle)).status_code == 200


def test_a_grant_for_one_battle_reads_no_other(challenge, models, owner_client, player, team):
    mine = streaming_battle(challenge, player)
    teammate = team.memberships.exclude(user=player).first().user
    pass_quiz(challenge=challenge, user=teammate)
    theirs = streaming_battle(challenge, teammate, text="¿Y tú?")
    url = live_url_of(owner_client, challenge, mine)
    # The same grant on the other battle's address, or another challenge's slug.
    other_battle = url.replace(f"/battle/{mine.pk}/", f"/battle/{theirs.pk}/")
    other_slug = url.replace(f"/arena/{challenge.slug}/", "/arena/otro-reto/")
    for forged in (other_battle, other_slug):
        response = owner_client.get(forged)
        assert response.status_code == 403 and SECRET_TEXT not in response.content.decode()


def test_forged_and_tampered_grants_are_refused(challenge, models, owner_client, player, team):
    battle = streaming_battle(challenge, player)
    teammate = team.memberships.exclude(user=player).first().user
    pass_quiz(challenge=challenge, user=teammate)
    theirs = streaming_battle(challenge, teammate, text="¿Y tú?")
    url = live_url_of(owner_client, challenge, battle)
    token = parse_qs(urlsplit(url).query)["grant"][0]
    payload = signing.loads(token, salt=live.GRANT_SALT)
    base = f"/arena/{challenge.slug}/battle/{theirs.pk}/live/"
    their_answers = list(theirs.answers.values_list("pk", flat=True))
    forgeries = [
        # The owner's own grant with the other battle's answers swapped in, resigned with
        # another key, or with no signature at all.
        signing.dumps({**payload, "b": theirs.pk, "a": their_answers}, key="x" * 50, salt=live.GRANT_SALT),
        signing.dumps({**payload, "b": theirs.pk, "a": their_answers}, salt="another salt"),
        token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"),
        token.replace(token.split(":")[0], signing.b64_encode(b'{"b":1}').decode()),
        "",
        "not-a-token",
    ]  # fmt: skip
    for forged in forgeries:
        response = owner_client.get(base, {"grant": forged})
        assert response.status_code == 403 and SECRET_TEXT not in response.content.decode()


def test_an_expired_grant_is_refused(challenge, models, owner_client, player, monkeypatch):
    battle = streaming_battle(challenge, player)
    url = live_url_of(owner_client, challenge, battle)
    later = time.time() + live.GRANT_MAX_SECONDS + 5
    monkeypatch.setattr(time, "time", lambda: later)
    response = owner_client.get(url)
    assert response.status_code == 403 and SECRET_TEXT not in response.content.decode()


def test_a_poll_costs_no_query_and_leaves_the_session_alone(
    challenge, models, owner_client, player, django_assert_num_queries
):
    battle = streaming_battle(challenge, player)
    url = live_url_of(owner_client, challenge, battle)
    with django_assert_num_queries(0):
        response = owner_client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    # Neither read nor written: the session middleware would vary on the cookie, or set it.
    assert "Cookie" not in response.get("Vary", "") and not response.cookies
    assert "no-store" in response["Cache-Control"]  # it depends on the cookie: never cached
    body = response.content.decode()
    assert f"{SECRET_TEXT} {battle.pk}" in body
    assert "Waiting for the answer" in body or "Esperando" in body


def test_once_the_answers_end_the_page_reads_the_battle_again(
    challenge, models, owner_client, player
):
    battle = streaming_battle(challenge, player)
    url = live_url_of(owner_client, challenge, battle)
    answers = list(battle.answers.order_by("side"))
    store_live_text(answer_id=answers[1].pk, text="Otra", status=BattleAnswer.Status.DONE)
    body = owner_client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in body  # one still writes
    store_live_text(answer_id=answers[0].pk, text="Hecho", status=BattleAnswer.Status.DONE)
    body = owner_client.get(url).content.decode()
    battle_url = f"/arena/{challenge.slug}/battle/{battle.pk}/"
    assert f'hx-get="{battle_url}" hx-trigger="load"' in body
    assert 'hx-target="#battle-answers"' in body and "every 1s" not in body


def test_one_answer_failed_is_the_end_too(challenge, models, owner_client, player):
    battle = streaming_battle(challenge, player)
    url = live_url_of(owner_client, challenge, battle)
    second = battle.answers.get(side="b")
    store_live_text(
        answer_id=second.pk,
        text="",
        status=BattleAnswer.Status.FAILED,
        failure=BattleAnswer.Failure.TIMEOUT,
    )
    body = owner_client.get(url).content.decode()
    assert 'hx-trigger="load"' in body
    assert str(BattleAnswer.Failure.TIMEOUT.label) in body or 'role="alert"' in body


def test_an_old_grant_sends_the_page_back_to_the_battle(challenge, models, player):
    """A worker killed mid-answer leaves its cache entry writing for ever: the battle page
    (which the stale answers' sweep settles) is read again every GRANT_REFRESH_SECONDS."""
    battle = streaming_battle(challenge, player)
    ids = list(battle.answers.order_by("side").values_list("pk", flat=True))
    issued = time.time() - live.GRANT_REFRESH_SECONDS - 1
    token = live.grant_live_answers(
        slug=challenge.slug,
        battle_id=battle.pk,
        user_id=player.pk,
        answer_ids=ids,
        session_key="clave",
        now=issued,
    )
    grant = live.check_live_grant(
        token=token, slug=challenge.slug, battle_id=battle.pk, session_key="clave"
    )
    assert live.find_live_answers(grant=grant)[1] is True
    assert live.find_live_answers(grant=grant, now=issued + 1)[1] is False


def test_no_grant_without_a_session_key():
    with pytest.raises(ValueError):
        live.grant_live_answers(slug="s", battle_id=1, user_id=1, answer_ids=[1, 2], session_key="")
    token = signing.dumps(
        {"c": "s", "b": 1, "u": 1, "a": [1, 2], "s": "", "t": int(time.time())},
        salt=live.GRANT_SALT,
    )
    with pytest.raises(live.GrantRefused):
        live.check_live_grant(token=token, slug="s", battle_id=1, session_key="")


def test_a_finished_battle_does_not_poll(challenge, models, owner_client, player):
    battle = streaming_battle(challenge, player)
    BattleAnswer.objects.update(status=BattleAnswer.Status.DONE, text="Listo")
    Battle.objects.filter(pk=battle.pk).update(status=Battle.Status.READY)
    page = owner_client.get(f"/arena/{challenge.slug}/battle/{battle.pk}/").content.decode()
    assert "battle-live" not in page and "hx-trigger" not in page


@pytest.mark.django_db(transaction=True)
def test_the_worker_writes_the_end_to_the_cache_after_the_row(challenge, models, player):
    battle = start_battle(
        challenge=challenge, user=player, text="¿Qué?", country="PE", enqueue=lambda pk: None
    )
    ids = list(battle.answers.order_by("side").values_list("pk", flat=True))
    for pk in ids:
        stream_answer(answer_id=pk)
    entries = read_live_entries(answer_ids=ids)
    assert [entry["status"] for entry in entries] == [BattleAnswer.Status.DONE] * 2
    assert [entry["text"] for entry in entries] == list(
        BattleAnswer.objects.filter(pk__in=ids).order_by("side").values_list("text", flat=True)
    )
    assert Battle.objects.get(pk=battle.pk).status == Battle.Status.READY


def test_an_entry_of_the_previous_release_is_the_text_so_far():
    cache.set("arena:live-text:987654", "Texto de antes")
    assert read_live_entries(answer_ids=[987654, 987655]) == [
        {"text": "Texto de antes", "status": BattleAnswer.Status.STREAMING, "failure": ""},
        None,
    ]
