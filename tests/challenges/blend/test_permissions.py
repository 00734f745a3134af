"""Every BLEND page, for every role: anonymous, participant, member of another team, judge,
organizer. Everyone signed in has a profile in Peru, the country of the questions here."""

import pytest

from challenges.blend.models import BlendAnswer
from teams.models import Membership
from tests.challenges.blend.factories import BlendAnswerFactory, BlendQuestionFactory
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
# POST actions of a participant: done (or refused with a message), then back to a page.
SIGNED_IN_ACTION = {
    "anonymous": LOGIN,
    "participant": 302,
    "other_team": 302,
    "judge": 302,
    "organizer": 302,
}
STAFF = {"anonymous": LOGIN, "participant": 403, "other_team": 403, "judge": 403, "organizer": 200}

ANSWER = {"action": "submit", "answer_1": "Picarones"}
MATRIX = [
    ("get", "/blend/blend/", None, SIGNED_IN),
    ("get", "/blend/blend/questions/{question}/", None, SIGNED_IN),
    ("post", "/blend/blend/questions/{question}/", ANSWER, SIGNED_IN_ACTION),
    ("post", "/blend/blend/questions/{question}/skip/", {}, SIGNED_IN_ACTION),
    ("get", "/blend/blend/mine/", None, SIGNED_IN),
    ("get", "/blend/blend/validate/", None, SIGNED_IN),
    ("post", "/blend/blend/validate/{answer}/", {"verdict": "valid"}, SIGNED_IN_ACTION),
    ("get", "/blend/blend/countries/", None, SIGNED_IN),
    ("post", "/blend/blend/countries/", {"countries": ["CL"]}, SIGNED_IN_ACTION),
    ("get", "/blend/blend/questions/", None, STAFF),
    ("get", "/blend/blend/questions/upload/", None, STAFF),
    ("post", "/blend/blend/questions/upload/", {}, {**STAFF, "organizer": 400}),
    ("get", "/organize/blend/review/", None, STAFF),
    ("get", "/organize/blend/export.csv", None, STAFF),
    ("get", "/admin/blend/blendquestion/", None, STAFF),
    ("get", "/admin/blend/blendanswer/", None, STAFF),
    ("get", "/admin/blend/blendanswer/{answer}/change/", None, STAFF),
    ("get", "/admin/blend/blendvalidation/", None, STAFF),
    ("get", "/admin/blend/blendskip/", None, STAFF),
    ("get", "/admin/blend/blendprofile/", None, STAFF),
]


@pytest.fixture
def world(challenge, organizer, judge, other_team_member):
    team = make_team(edition=challenge.edition, members=2, name="Bajo prueba")
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    question = BlendQuestionFactory(challenge=challenge)
    # An answer of the captain's teammate, to validate.
    teammate = team.memberships.get(role=Membership.Role.MEMBER).user
    answer = BlendAnswerFactory(question=BlendQuestionFactory(challenge=challenge), author=teammate)
    people = {
        "anonymous": None,
        "participant": captain,
        "other_team": other_team_member,
        "judge": judge,
        "organizer": organizer,
    }
    return people, {"question": question.pk, "answer": answer.pk}


@pytest.mark.parametrize(
    ("method", "path", "data", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _d, _e in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, method, path, data, expected, role):
    people, names = world
    if people[role] is not None:
        client.force_login(people[role])
    url = path.format(**names)
    response = client.get(url) if method == "get" else client.post(url, data)
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == want


def test_anonymous_posts_change_nothing(client, world):
    _people, names = world
    before = BlendAnswer.objects.count()
    client.post(f"/blend/blend/questions/{names['question']}/", ANSWER)
    client.post(f"/blend/blend/validate/{names['answer']}/", {"verdict": "valid"})
    assert BlendAnswer.objects.count() == before
    assert BlendAnswer.objects.get(pk=names["answer"]).status == "pending"


def test_a_person_cannot_validate_their_own_answer_from_the_page(client, world):
    _people, names = world
    author = BlendAnswer.objects.get(pk=names["answer"]).author
    client.force_login(author)
    response = client.post(
        f"/blend/blend/validate/{names['answer']}/",
        {"verdict": "valid"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "your own answer" in response.content.decode()
    assert BlendAnswer.objects.get(pk=names["answer"]).status == "pending"
