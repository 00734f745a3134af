"""The BLEND pages: answering, skipping, my answers, validating, countries, organizers' questions."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from challenges.blend.models import BlendAnswer, BlendProfile, BlendSkip, BlendValidation
from challenges.models import ContributionStatus, ReviewDecision
from tests.challenges.blend.factories import (
    BlendAnswerFactory,
    BlendQuestionFactory,
    BlendValidationFactory,
)
from tests.factories import ChallengeFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ANSWER = {
    "answer_1": "Suspiro a la limeña",
    "answer_2": "",
    "answer_3": "",
    "region": "",
    "no_answer_reason": "",
    "reworded_question": "",
}


def answer_data(action="submit", **overrides):
    return {**ANSWER, "action": action, **overrides}


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, **EN).status_code == 200
    return len(captured)


# --- answering ------------------------------------------------------------------------------


def test_home_shows_the_next_question_and_the_rules(client, challenge, question, participant):
    client.force_login(participant)
    page = client.get("/blend/blend/", **EN).content.decode()
    assert question.question in page
    assert "no AI tools" in page and "no search engines" in page
    assert f'action="/blend/blend/questions/{question.pk}/"' in page
    assert 'for="id_answer_1"' in page  # every field has its label


def test_submit_from_the_page_then_the_next_question(client, challenge, question, participant):
    second = BlendQuestionFactory(challenge=challenge)
    client.force_login(participant)
    response = client.post(
        f"/blend/blend/questions/{question.pk}/", answer_data(region="Lima"), follow=True, **EN
    )
    assert response.redirect_chain[-1][0] == "/blend/blend/"
    page = response.content.decode()
    assert "Your answer was submitted" in page and second.question in page
    answer = BlendAnswer.objects.get()
    assert (answer.author, answer.status, answer.region) == (participant, "pending", "Lima")


def test_a_double_clicked_submit_stores_one_answer(client, challenge, question, participant):
    client.force_login(participant)
    first = client.post(f"/blend/blend/questions/{question.pk}/", answer_data())
    second = client.post(f"/blend/blend/questions/{question.pk}/", answer_data())
    assert first.status_code == second.status_code == 302
    assert BlendAnswer.objects.count() == 1


def test_a_draft_is_saved_shown_again_and_submitted(client, challenge, question, participant):
    client.force_login(participant)
    client.post(f"/blend/blend/questions/{question.pk}/", answer_data("draft", answer_1="Picar"))
    assert BlendAnswer.objects.get().status == ContributionStatus.DRAFT
    page = client.get(f"/blend/blend/questions/{question.pk}/", **EN).content.decode()
    assert "Finish your draft" in page and 'value="Picar"' in page
    client.post(f"/blend/blend/questions/{question.pk}/", answer_data(answer_1="Picarones"))
    answer = BlendAnswer.objects.get()
    assert (answer.status, answer.answer_1) == ("pending", "Picarones")


def test_another_persons_draft_is_never_shown(
    client, challenge, question, participant, other_team_member
):
    BlendAnswerFactory(question=question, author=participant, status="draft", answer_1="secreto")
    client.force_login(other_team_member)
    page = client.get(f"/blend/blend/questions/{question.pk}/", **EN).content.decode()
    assert "secreto" not in page


@pytest.mark.parametrize(
    ("overrides", "action", "field", "message"),
    [
        ({"answer_1": ""}, "submit", "answer_1", "Write answer 1"),
        ({"answer_1": "   "}, "submit", "answer_1", "Write answer 1"),
        ({"answer_1": "", "answer_2": "b"}, "draft", "answer_1", "before answers 2 and 3"),
        ({"no_answer_reason": "not_applicable"}, "submit", "no_answer_reason", "not both"),
        ({"no_answer_reason": "lazy"}, "submit", "no_answer_reason", "valid choice"),
        ({"answer_1": "x" * 501}, "submit", "answer_1", "at most 500"),
        ({"region": "r" * 201}, "submit", "region", "at most 200"),
        ({"reworded_question": "q" * 1001}, "submit", "reworded_question", "at most 1000"),
        ({"answer_1": "<script>alert(1)</script>"}, "draft", "answer_1", "HTML"),
    ],
)
def test_bad_answers_are_refused_with_a_message_and_nothing_changes(
    client, challenge, question, participant, overrides, action, field, message
):
    client.force_login(participant)
    response = client.post(
        f"/blend/blend/questions/{question.pk}/", answer_data(action, **overrides), **EN
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in " ".join(response.context["form"].errors[field])
    assert 'role="alert"' in response.content.decode() or "errorlist" in response.content.decode()
    assert BlendAnswer.objects.count() == 0


def test_a_question_of_another_country_is_refused_with_a_message(client, challenge, participant):
    chilean = BlendQuestionFactory(challenge=challenge, country="CL")
    client.force_login(participant)
    response = client.get(f"/blend/blend/questions/{chilean.pk}/", follow=True, **EN)
    assert "not one of your countries" in response.content.decode()
    response = client.post(f"/blend/blend/questions/{chilean.pk}/", answer_data(), **EN)
    assert response.status_code == 400 and "about Chile" in response.content.decode()
    assert BlendAnswer.objects.count() == 0


def test_a_second_answer_is_refused_with_a_message(client, challenge, question, participant):
    BlendAnswerFactory(question=question, author=participant)
    client.force_login(participant)
    response = client.post(
        f"/blend/blend/questions/{question.pk}/", answer_data(answer_1="Otra"), **EN
    )
    assert response.status_code == 400 and "already submitted" in response.content.decode()
    assert BlendAnswer.objects.get().answer_1 == "Suspiro a la limeña"
    response = client.get(f"/blend/blend/questions/{question.pk}/", follow=True, **EN)
    assert response.redirect_chain[-1][0] == "/blend/blend/mine/"


def test_a_closed_window_shows_why_and_refuses_answers(client, challenge, question, participant):
    challenge.opens_at = timezone.now() - dt.timedelta(days=9)
    challenge.closes_at = timezone.now() - dt.timedelta(days=1)
    challenge.save()
    client.force_login(participant)
    page = client.get("/blend/blend/", **EN).content.decode()
    assert "closed on" in page and question.question not in page
    page = client.get(f"/blend/blend/questions/{question.pk}/", **EN).content.decode()
    assert "closed on" in page and 'name="answer_1"' not in page
    response = client.post(f"/blend/blend/questions/{question.pk}/", answer_data(), **EN)
    assert response.status_code == 400 and "closed on" in response.content.decode()
    assert 'value="Suspiro a la limeña"' in response.content.decode()  # the typed text is kept
    assert BlendAnswer.objects.count() == 0


def test_home_empty_states(client, challenge, make_person):
    person = make_person("")
    client.force_login(person)
    assert "Add your country to your profile" in client.get("/blend/blend/", **EN).content.decode()
    person.profile.country = "PE"
    person.profile.save()
    assert "no more questions" in client.get("/blend/blend/", **EN).content.decode()


def test_skip_from_the_page(client, challenge, question, participant):
    client.force_login(participant)
    response = client.post(f"/blend/blend/questions/{question.pk}/skip/", follow=True, **EN)
    assert "you will not see it again" in response.content.decode()
    assert BlendSkip.objects.filter(user=participant, question=question).exists()
    assert question.question not in response.content.decode()


def test_skipping_a_submitted_answer_says_why(client, challenge, question, participant):
    BlendAnswerFactory(question=question, author=participant)
    client.force_login(participant)
    response = client.post(f"/blend/blend/questions/{question.pk}/skip/", follow=True, **EN)
    assert "cannot be skipped" in response.content.decode()
    assert not BlendSkip.objects.exists()


def test_a_challenge_of_another_kind_is_not_found(client, edition, participant):
    ChallengeFactory(edition=edition, slug="include")
    client.force_login(participant)
    assert client.get("/blend/include/").status_code == 404
    assert client.get("/blend/nothing/").status_code == 404


def test_home_query_count_does_not_grow(client, challenge, participant, django_assert_num_queries):
    client.force_login(participant)
    BlendQuestionFactory(challenge=challenge)
    BlendAnswerFactory(question__challenge=challenge, author=participant)
    queries = count_queries(client, "/blend/blend/")
    for _ in range(2):
        BlendQuestionFactory(challenge=challenge)
        BlendAnswerFactory(question__challenge=challenge, author=participant)
    with django_assert_num_queries(queries):
        client.get("/blend/blend/", **EN)


# --- my answers -----------------------------------------------------------------------------


def test_my_answers_show_status_reasons_and_comments(client, challenge, participant):
    draft = BlendAnswerFactory(question__challenge=challenge, author=participant, status="draft")
    rejected = BlendAnswerFactory(
        question__challenge=challenge,
        author=participant,
        status="rejected",
        decision_reason="peer validation",
    )
    BlendValidationFactory(answer=rejected, approve=False, comment="Eso se dice en Chile")
    BlendValidationFactory(answer=rejected, approve=True, comment="A mí me parece bien")
    BlendAnswerFactory(
        question__challenge=challenge,
        author=participant,
        status="invalidated",
        decision_reason="Copiado de un buscador",
    )
    BlendAnswerFactory(question__challenge=challenge, answer_1="de otra persona")
    client.force_login(participant)
    page = client.get("/blend/blend/mine/", **EN).content.decode()
    assert "Eso se dice en Chile" in page and "A mí me parece bien" not in page
    assert "Decided by validators of the country." in page and "Copiado de un buscador" in page
    assert f"/blend/blend/questions/{draft.question_id}/" in page
    assert "de otra persona" not in page
    filtered = client.get("/blend/blend/mine/?status=draft", **EN)
    assert list(filtered.context["page"].object_list) == [draft]
    ignored = client.get("/blend/blend/mine/?status=nonsense", **EN)
    assert ignored.status_code == 200 and len(ignored.context["page"].object_list) == 3


def test_my_answers_empty_state(client, challenge, participant):
    client.force_login(participant)
    assert "No answers here yet." in client.get("/blend/blend/mine/", **EN).content.decode()


def test_my_answers_query_count_does_not_grow(
    client, challenge, participant, django_assert_num_queries
):
    def add():
        answer = BlendAnswerFactory(
            question__challenge=challenge, author=participant, status="rejected"
        )
        BlendValidationFactory(answer=answer, approve=False, comment="No")

    client.force_login(participant)
    add()
    queries = count_queries(client, "/blend/blend/mine/")
    add()
    add()
    with django_assert_num_queries(queries):
        client.get("/blend/blend/mine/", **EN)


# --- validating -----------------------------------------------------------------------------


def test_validate_shows_the_answer_without_its_author(client, challenge, participant):
    answer = BlendAnswerFactory(question__challenge=challenge, answer_2="Mazamorra", region="Lima")
    client.force_login(participant)
    page = client.get("/blend/blend/validate/", **EN).content.decode()
    assert answer.question.question in page and "Mazamorra" in page and "Lima" in page
    assert answer.author.display_name not in page and answer.author.email not in page
    assert "no AI tools" in page


def test_validating_from_the_page(client, challenge, participant):
    answer = BlendAnswerFactory(question__challenge=challenge)
    client.force_login(participant)
    response = client.post(
        f"/blend/blend/validate/{answer.pk}/",
        {"verdict": "valid", "comment": ""},
        follow=True,
        **EN,
    )
    assert "your validation was recorded" in response.content.decode()
    assert "There are no answers about Peru waiting for you" in response.content.decode()
    answer.refresh_from_db()
    assert answer.status == ContributionStatus.VALIDATED
    assert ReviewDecision.objects.get().decided_by is None


def test_validating_with_htmx_returns_the_next_answer(client, challenge, participant):
    first = BlendAnswerFactory(question__challenge=challenge)
    second = BlendAnswerFactory(question__challenge=challenge, answer_1="Turrón de doña Pepa")
    client.force_login(participant)
    response = client.post(
        f"/blend/blend/validate/{first.pk}/",
        {"verdict": "invalid", "comment": "No es típico"},
        HTTP_HX_REQUEST="true",
        **EN,
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert 'id="validation-queue"' in page and "Turrón de doña Pepa" in page
    assert f"/blend/blend/validate/{second.pk}/" in page
    first.refresh_from_db()
    assert first.status == ContributionStatus.REJECTED
    assert BlendValidation.objects.get().comment == "No es típico"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"comment": ""}, "Say whether the answer is valid"),
        ({"verdict": "maybe"}, "valid choice"),
        ({"verdict": "valid", "comment": "x" * 501}, "at most 500"),
        ({"verdict": "valid", "comment": "<i>ok</i>"}, "HTML"),
    ],
)
def test_bad_validations_are_refused_with_a_message_and_nothing_changes(
    client, challenge, participant, data, message
):
    answer = BlendAnswerFactory(question__challenge=challenge)
    client.force_login(participant)
    response = client.post(f"/blend/blend/validate/{answer.pk}/", data, follow=True, **EN)
    assert message in response.content.decode()
    response = client.post(
        f"/blend/blend/validate/{answer.pk}/", data, HTTP_HX_REQUEST="true", **EN
    )
    assert message in response.content.decode() and 'role="alert"' in response.content.decode()
    assert not BlendValidation.objects.exists() and not ReviewDecision.objects.exists()
    answer.refresh_from_db()
    assert (answer.status, answer.approvals, answer.rejections) == ("pending", 0, 0)


def test_validating_an_answer_of_another_country_says_why(client, challenge, participant):
    answer = BlendAnswerFactory(question__challenge=challenge, question__country="CL", country="CL")
    client.force_login(participant)
    response = client.post(
        f"/blend/blend/validate/{answer.pk}/", {"verdict": "valid"}, follow=True, **EN
    )
    assert "profile country is Chile" in response.content.decode()
    assert not BlendValidation.objects.exists()


def test_validate_empty_states(client, challenge, make_person):
    person = make_person("")
    client.force_login(person)
    assert (
        "Add your country to your profile"
        in client.get("/blend/blend/validate/", **EN).content.decode()
    )


def test_validate_query_count_does_not_grow(
    client, challenge, participant, django_assert_num_queries
):
    client.force_login(participant)
    BlendAnswerFactory(question__challenge=challenge)
    queries = count_queries(client, "/blend/blend/validate/")
    BlendAnswerFactory(question__challenge=challenge)
    BlendAnswerFactory(question__challenge=challenge)
    with django_assert_num_queries(queries):
        client.get("/blend/blend/validate/", **EN)


# --- my countries ---------------------------------------------------------------------------


def test_declaring_other_countries_opens_their_questions(client, challenge, participant):
    chilean = BlendQuestionFactory(challenge=challenge, country="CL")
    client.force_login(participant)
    page = client.get("/blend/blend/countries/", **EN).content.decode()
    assert "Your profile's country is Peru" in page and 'for="id_countries"' in page
    client.post("/blend/blend/countries/", {"countries": ["CL", "AR"]})
    assert sorted(c.code for c in BlendProfile.objects.get(user=participant).countries) == [
        "AR",
        "CL",
    ]
    assert chilean.question in client.get("/blend/blend/", **EN).content.decode()


def test_an_unknown_country_is_refused(client, challenge, participant):
    client.force_login(participant)
    response = client.post("/blend/blend/countries/", {"countries": ["XX"]}, **EN)
    assert response.status_code == 400 and "countries" in response.context["form"].errors
    assert not BlendProfile.objects.exists()


# --- organizers' questions ------------------------------------------------------------------


def test_the_questions_page_counts_answers(client, challenge, organizer):
    question = BlendQuestionFactory(challenge=challenge, external_id="Fo-es-01")
    BlendQuestionFactory(challenge=challenge, country="CL", external_id="Sp-es-04")
    BlendAnswerFactory(question=question, status="validated")
    BlendAnswerFactory(question=question, status="pending")
    BlendAnswerFactory(question=question, status="draft")
    client.force_login(organizer)
    response = client.get("/blend/blend/questions/", **EN)
    counts = {
        item.external_id: (item.submitted, item.validated)
        for item in response.context["page"].object_list
    }
    assert counts == {"Fo-es-01": (2, 1), "Sp-es-04": (0, 0)}
    filtered = client.get("/blend/blend/questions/?country=CL", **EN).context["page"].object_list
    assert [item.external_id for item in filtered] == ["Sp-es-04"]
    searched = client.get("/blend/blend/questions/?q=fo-es-01", **EN).context["page"].object_list
    assert [item.external_id for item in searched] == ["Fo-es-01"]


def test_the_questions_page_empty_state(client, challenge, organizer):
    client.force_login(organizer)
    assert "No questions match" in client.get("/blend/blend/questions/", **EN).content.decode()


def test_questions_query_count_does_not_grow(
    client, challenge, organizer, django_assert_num_queries
):
    client.force_login(organizer)
    BlendAnswerFactory(question__challenge=challenge, status="validated")
    queries = count_queries(client, "/blend/blend/questions/")
    BlendAnswerFactory(question__challenge=challenge)
    BlendAnswerFactory(question__challenge=challenge)
    with django_assert_num_queries(queries):
        client.get("/blend/blend/questions/", **EN)


def test_pages_keep_the_filters(client, challenge, participant, organizer):
    for _ in range(26):
        BlendAnswerFactory(question__challenge=challenge, author=participant)
    client.force_login(participant)
    page = client.get("/blend/blend/mine/?status=pending", **EN).content.decode()
    assert "?status=pending&amp;page=2" in page and "Page 1 of 2" in page
    second = client.get("/blend/blend/mine/?status=pending&page=2", **EN)
    assert len(second.context["page"].object_list) == 1
    client.force_login(organizer)
    page = client.get("/blend/blend/questions/?country=PE", **EN).content.decode()
    assert "Page 1 of" not in page  # 26 questions fit in one page of 50
