"""Every page of the stereotypes app, for every role: anonymous, participant, member of another
team, judge, organizer. The participant is the captain of the team under test; everyone signed
in has accepted the consent and said which languages they read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.models import ContributionStatus
from challenges.stereotypes.models import (
    StereotypeConsent,
    StereotypePair,
    StereotypeProfile,
    StereotypeRating,
)
from teams.models import Membership
from tests.challenges.stereotypes.factories import PairFactory, RatingFactory, make_ready
from tests.factories import make_team

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_team", "judge", "organizer"]
LOGIN = "login"
SIGNED_IN = {
    "anonymous": LOGIN,
    "participant": 200,
    "other_team": 200,
    "judge": 200,
    "organizer": 200,
}
SIGNED_IN_ACTION = {
    "anonymous": LOGIN,
    "participant": 302,
    "other_team": 302,
    "judge": 302,
    "organizer": 302,
}
STAFF = {"anonymous": LOGIN, "participant": 403, "other_team": 403, "judge": 403, "organizer": 200}
STAFF_ACTION = {
    "anonymous": LOGIN,
    "participant": 403,
    "other_team": 403,
    "judge": 403,
    "organizer": 302,
}


def pool_file(names):
    return {
        "file": SimpleUploadedFile(
            "pool.csv", b"id,language,nationality,attribute\nn-1,es,chilenos,serios\n"
        )
    }


MATRIX = [
    ("get", "/stereotypes/{slug}/", None, SIGNED_IN),
    ("get", "/stereotypes/{slug}/consent/", None, SIGNED_IN),
    ("get", "/stereotypes/{slug}/profile/", None, SIGNED_IN),
    (
        "post",
        "/stereotypes/{slug}/consent/",
        lambda names: {"version": "1", "accept": "on"},
        SIGNED_IN_ACTION,
    ),
    (
        "post",
        "/stereotypes/{slug}/profile/",
        lambda names: {"languages": ["es"], "nationalities": "chilenos"},
        SIGNED_IN_ACTION,
    ),
    (
        "post",
        "/stereotypes/{slug}/rate/",
        lambda names: {"pair": names["pair"], "rating": "3"},
        SIGNED_IN_ACTION,
    ),
    ("get", "/stereotypes/{slug}/pool/", None, STAFF),
    ("post", "/stereotypes/{slug}/pool/upload/", pool_file, STAFF_ACTION),
    ("get", "/stereotypes/{slug}/invalidate/", None, STAFF),
    (
        "post",
        "/stereotypes/{slug}/invalidate/",
        lambda names: {"person": f"#{names['teammate']}", "reason": "spam"},
        STAFF_ACTION,
    ),
]


@pytest.fixture
def world(edition, challenge, organizer, judge):
    team = make_team(edition=edition, members=2, name="Bajo prueba")
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    teammate = team.memberships.get(role=Membership.Role.MEMBER).user
    other = make_team(edition=edition, members=1, name="Otro").memberships.get().user
    people = {
        "anonymous": None,
        "participant": captain,
        "other_team": other,
        "judge": judge,
        "organizer": organizer,
    }
    for person in [captain, teammate, other, judge, organizer]:
        make_ready(person, challenge)
    pair = PairFactory(challenge=challenge)
    RatingFactory.create_batch(2, pair__challenge=challenge, author=teammate)
    names = {"slug": challenge.slug, "pair": pair.pk, "teammate": teammate.pk}
    return people, names


def snapshot():
    return (
        StereotypePair.objects.count(),
        StereotypeRating.objects.count(),
        StereotypeRating.objects.filter(status=ContributionStatus.VALIDATED).count(),
        StereotypeConsent.objects.count(),
        sorted(StereotypeProfile.objects.values_list("nationalities", flat=True), key=str),
    )


@pytest.mark.parametrize(
    ("method", "path", "data", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _d, _e in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, method, path, data, expected, role):
    people, names = world
    if people[role] is not None:
        client.force_login(people[role])
    before = snapshot()
    kwargs = {"data": data(names)} if data else {}
    response = getattr(client, method)(path.format(**names), **kwargs)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == want
        if want == 302:
            assert "/accounts/login/" not in response["Location"]
    if want in (LOGIN, 403):
        assert snapshot() == before  # a refused request changes nothing


def test_a_person_never_sees_the_organizer_links(client, world):
    people, names = world
    client.force_login(people["participant"])
    page = client.get(f"/stereotypes/{names['slug']}/").content.decode()
    assert "/pool/" not in page and "/invalidate/" not in page
    client.force_login(people["organizer"])
    page = client.get(f"/stereotypes/{names['slug']}/").content.decode()
    assert "/pool/" in page and "/invalidate/" in page
