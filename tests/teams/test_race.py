"""Two people take the last place of a team at the same moment, on two real connections."""

import threading

import pytest
from django.db import connection
from django.utils import translation

from teams import domain
from teams.domain import TeamRuleError
from teams.models import Membership
from tests.factories import EditionFactory, TeamFactory, UserFactory, make_team


def _race(calls):
    """Run each call in its own thread (own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):  # each thread has its own active language
                call()
            outcomes[index] = "joined"
        except TeamRuleError as error:
            outcomes[index] = f"refused: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_exactly_one_of_two_takes_the_last_place(need_postgres, attempt):
    edition = EditionFactory()
    team = make_team(edition=edition, members=4)
    first, second = UserFactory(), UserFactory()
    outcomes = _race(
        [
            lambda: domain.join_team(user=first, invite_token=team.invite_token),
            lambda: domain.join_team(user=second, invite_token=team.invite_token),
        ]
    )
    assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["joined", "refused"]
    assert any("full" in outcome for outcome in outcomes)
    assert Membership.objects.filter(team=team).count() == 5


@pytest.mark.django_db(transaction=True)
def test_one_person_joining_two_teams_at_once_ends_in_one(need_postgres):
    edition = EditionFactory()
    first, second = make_team(edition=edition, name="A"), make_team(edition=edition, name="B")
    person = UserFactory()
    outcomes = _race(
        [
            lambda: domain.join_team(user=person, invite_token=first.invite_token),
            lambda: domain.join_team(user=person, invite_token=second.invite_token),
        ]
    )
    assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["joined", "refused"]
    assert Membership.objects.filter(user=person).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_teams_with_the_same_name_at_once_end_in_one(need_postgres):
    edition = EditionFactory()
    people = [UserFactory(), UserFactory()]
    outcomes = _race(
        [
            lambda person=person: domain.create_team(
                user=person, edition=edition, name="Igual", countries=[]
            )
            for person in people
        ]
    )
    assert sorted(outcome.split(":")[0] for outcome in outcomes) == ["joined", "refused"]
    assert TeamFactory._meta.model.objects.filter(edition=edition).count() == 1
