"""Every page of the app, for every role: anonymous, participant, member of another team, judge,
organizer. The participant is the captain of the team under test."""

import pytest

from hub.models import PublishedDataset
from tests.challenges.preferences.factories import ArenaVoteFactory, PromptFactory, make_quiz
from tests.factories import make_team

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_team", "judge", "organizer"]
LOGIN = "login"


def signed_in(status: int) -> dict:
    return {
        "anonymous": LOGIN,
        "participant": status,
        "other_team": status,
        "judge": status,
        "organizer": status,
    }


def staff(status: int) -> dict:
    return {
        "anonymous": LOGIN,
        "participant": 403,
        "other_team": 403,
        "judge": 403,
        "organizer": status,
    }


MATRIX = [
    ("get", "/preferences/{slug}/", signed_in(200)),
    ("post", "/preferences/{slug}/", signed_in(400)),  # an empty form
    ("get", "/preferences/{slug}/upload/", signed_in(200)),
    ("post", "/preferences/{slug}/upload/", signed_in(400)),  # no file
    ("get", "/preferences/{slug}/quiz/", signed_in(200)),
    ("post", "/preferences/{slug}/quiz/", signed_in(400)),  # no answers
    ("get", "/preferences/{slug}/validate/", signed_in(200)),
    ("post", "/preferences/{slug}/validate/", signed_in(302)),  # no prompt: a message
    ("get", "/preferences/{slug}/organize/arena/", staff(200)),
    ("post", "/preferences/{slug}/organize/arena/", staff(400)),  # no file
    ("get", "/preferences/{slug}/organize/arena/unmatched/", staff(200)),
    ("post", "/preferences/{slug}/organize/arena/rematch/", staff(302)),
    ("get", "/preferences/{slug}/organize/dataset/", staff(200)),
    ("post", "/preferences/{slug}/organize/dataset/", staff(405)),  # published from the Hub page
    ("get", "/preferences/{slug}/organize/dataset/{publication}/README.md", staff(302)),
]


ADMIN_PAGES = [
    "/admin/preferences/quiz/",
    "/admin/preferences/quiz/add/",
    "/admin/preferences/quiz/{quiz}/change/",
    "/admin/preferences/quizquestion/",
    "/admin/preferences/quizquestion/{question}/change/",
    "/admin/preferences/quizattempt/",
    "/admin/preferences/prompt/",
    "/admin/preferences/prompt/{prompt}/change/",
    "/admin/preferences/promptvalidation/",
    "/admin/preferences/arenavote/",
    "/admin/preferences/arenaupload/",
]


@pytest.fixture
def world(edition, challenge, organizer, judge, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    team = make_team(edition=edition, members=1, name="Bajo prueba")
    other = make_team(edition=edition, members=1, name="Otro").memberships.get().user
    quiz = make_quiz(challenge=challenge)
    prompt = PromptFactory(challenge=challenge, author=team.memberships.get().user)
    ArenaVoteFactory(prompt=prompt)
    (tmp_path / "published").mkdir()
    (tmp_path / "published" / "README.md").write_text("# Preferences\n")
    publication = PublishedDataset.objects.create(
        edition=edition, kind=challenge.kind, target=str(tmp_path / "published"), rows=1
    )
    people = {
        "anonymous": None,
        "participant": team.memberships.get().user,
        "other_team": other,
        "judge": judge,
        "organizer": organizer,
    }
    names = {
        "slug": challenge.slug,
        "publication": publication.pk,
        "quiz": quiz.pk,
        "question": quiz.questions.first().pk,
        "prompt": prompt.pk,
    }
    return people, names


@pytest.mark.parametrize(
    ("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _e in MATRIX]
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


@pytest.mark.parametrize("role", ROLES)
def test_only_organizers_open_the_admin_pages(client, world, role):
    people, names = world
    if people[role] is not None:
        client.force_login(people[role])
    for path in ADMIN_PAGES:
        response = client.get(path.format(**names))
        if role == "organizer":
            assert response.status_code == 200, path
        elif role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"], path
        else:
            assert response.status_code in (302, 403), path
            assert response.status_code == 403 or "/login/" in response["Location"], path
