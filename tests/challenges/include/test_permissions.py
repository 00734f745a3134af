"""Every INCLUDE view for every role: anonymous, participant, member of another team, judge,
organizer. The participant is the author of the exam under test."""

import pytest

from challenges.include.models import Exam, ExamQuestion
from challenges.models import ContributionStatus
from tests.challenges.include.conftest import as_file, numbered
from tests.challenges.include.factories import ExamQuestionFactory

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
# A POST with empty data: the form says what is missing.
SIGNED_IN_POST = {
    "anonymous": LOGIN,
    "participant": 400,
    "other_team": 400,
    "judge": 400,
    "organizer": 400,
}
AUTHOR_ONLY = {
    "anonymous": LOGIN,
    "participant": 200,
    "other_team": 404,
    "judge": 404,
    "organizer": 404,
}
AUTHOR_ONLY_POST = {
    "anonymous": LOGIN,
    "participant": 400,
    "other_team": 404,
    "judge": 404,
    "organizer": 404,
}
STAFF = {"anonymous": LOGIN, "participant": 403, "other_team": 403, "judge": 403, "organizer": 200}
STAFF_POST = {
    "anonymous": LOGIN,
    "participant": 403,
    "other_team": 403,
    "judge": 403,
    "organizer": 400,
}

MATRIX = [
    ("get", "/include/{slug}/", SIGNED_IN),
    ("get", "/include/{slug}/exams/new/", SIGNED_IN),
    ("post", "/include/{slug}/exams/new/", SIGNED_IN_POST),
    ("get", "/include/{slug}/exams/{exam}/", AUTHOR_ONLY),
    ("post", "/include/{slug}/exams/{exam}/upload/", AUTHOR_ONLY_POST),
    ("get", "/include/{slug}/organize/exams/", STAFF),
    ("get", "/include/{slug}/organize/exams/{exam}/decide/", STAFF),
    ("post", "/include/{slug}/organize/exams/{exam}/decide/", STAFF_POST),
    ("get", "/admin/include/exam/", STAFF),
    ("get", "/admin/include/examquestion/", STAFF),
    ("get", "/admin/include/exam/{exam}/change/", STAFF),
    ("get", "/admin/include/examquestion/{question}/change/", STAFF),
]


@pytest.fixture
def world(exam, author, other_team_member, judge, organizer):
    question = ExamQuestionFactory(exam=exam)
    people = {
        "anonymous": None,
        "participant": author,
        "other_team": other_team_member,
        "judge": judge,
        "organizer": organizer,
    }
    return people, {"slug": exam.challenge.slug, "exam": exam.pk, "question": question.pk}


@pytest.mark.parametrize(
    ("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _e in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, method, path, expected, role):
    people, names = world
    if people[role] is not None:
        client.force_login(people[role])
    exams, questions = Exam.objects.count(), ExamQuestion.objects.count()
    response = getattr(client, method)(path.format(**names))
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == want
    assert (Exam.objects.count(), ExamQuestion.objects.count()) == (exams, questions)


@pytest.mark.parametrize("role", ["anonymous", "other_team", "judge", "organizer"])
def test_nobody_but_the_author_uploads_to_an_exam(client, world, role):
    people, names = world
    if people[role] is not None:
        client.force_login(people[role])
    client.post(
        f"/include/{names['slug']}/exams/{names['exam']}/upload/", {"file": as_file(numbered(2))}
    )
    assert ExamQuestion.objects.count() == 1


@pytest.mark.parametrize("role", ["anonymous", "participant", "other_team", "judge"])
def test_only_organizers_decide_an_exam(client, world, role):
    people, names = world
    if people[role] is not None:
        client.force_login(people[role])
    client.post(
        f"/include/{names['slug']}/organize/exams/{names['exam']}/decide/", {"status": "validated"}
    )
    assert set(ExamQuestion.objects.values_list("status", flat=True)) == {
        ContributionStatus.PENDING
    }
    assert Exam.objects.get().status == ContributionStatus.PENDING
