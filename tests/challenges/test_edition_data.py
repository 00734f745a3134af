"""The edition file holds everything an edition needs beyond its windows: the quiz on the prompt
guide, the BLEND question bank and the stereotype pool (data files read as organizers' uploads),
the peer-validation quorum, and the awards that are not points."""

import copy
import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from challenges.blend.models import BlendQuestion
from challenges.domain import (
    ContributionRefused,
    EditionFileError,
    load_edition,
    read_edition_file,
)
from challenges.domain.awards import list_awards
from challenges.models import Challenge, ChangeRecord, Edition
from challenges.preferences import domain as preferences
from challenges.preferences.models import Quiz, QuizAttempt, QuizChoice
from challenges.stereotypes.models import StereotypePair
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
EDITIONS = Path(__file__).resolve().parents[2] / "editions"
SHIPPED = EDITIONS / "somosnlp-2025.toml"
INVITATION = (
    "https://huggingface.co/organizations/somosnlp-hackathon-2025/share/"
    "BMALwncoPyZLRdPuzwugnsDzXHsbLnjjGD"
)


def shipped() -> dict:
    return read_edition_file(SHIPPED)


def challenge_row(data: dict, slug: str) -> dict:
    return next(row for row in data["challenges"] if row["slug"] == slug)


def test_an_empty_database_gets_the_quiz_the_bank_the_pool_and_the_awards():
    edition = load_edition(data=shipped(), base_dir=EDITIONS).edition
    quiz = Quiz.objects.get(challenge__slug="preferences")
    assert quiz.guide_url == "https://somosnlp.org/hackathon/retos/preferencias"
    assert (quiz.pass_mark, quiz.pass_mark_kind, quiz.max_attempts) == (80, "percent", 0)
    assert quiz.questions.count() == 5
    for question in quiz.questions.all():
        assert question.choices.filter(is_correct=True).count() == 1
    # The file does not put the correct answer first every time.
    positions = set(QuizChoice.objects.filter(is_correct=True).values_list("position", flat=True))
    assert len(positions) >= 3
    assert BlendQuestion.objects.filter(challenge__slug="blend").count() == 56
    assert set(BlendQuestion.objects.values_list("country", flat=True)) >= {"ES", "MX", "BR"}
    assert StereotypePair.objects.filter(challenge__slug="stereotypes").count() == 32
    assert [award["slug"] for award in edition.awards] == ["zerogpu", "mistral-credits"]
    for slug in ("blend", "preferences"):
        challenge = Challenge.objects.get(slug=slug)
        assert (challenge.approvals_to_validate, challenge.rejections_to_reject) == (1, 1)


def test_the_2025_file_matches_the_announcement():
    load_edition(data=shipped(), base_dir=EDITIONS)
    edition = Edition.objects.get()
    assert edition.hub_join_url == INVITATION
    video = Challenge.objects.get(slug="video")
    # 7 May was the video's due date as first announced; it was extended to 1 June (AoE).
    assert video.announced_closes_at == dt.datetime(2025, 5, 8, 11, 59, 59, tzinfo=dt.UTC)
    assert video.closes_at == dt.datetime(2025, 6, 2, 11, 59, 59, tzinfo=dt.UTC)
    assert video.opens_at < video.announced_closes_at
    assert video.opens_at == Challenge.objects.get(slug="demo").opens_at


def test_the_command_reads_data_files_beside_the_edition_file(tmp_path):
    folder = tmp_path / "editions"
    shutil.copytree(EDITIONS, folder)
    call_command("load_edition", str(folder / "somosnlp-2025.toml"))
    assert BlendQuestion.objects.count() == 56


def test_loading_twice_adds_no_question_pair_quiz_nor_change():
    load_edition(data=shipped(), base_dir=EDITIONS)
    choices = list(QuizChoice.objects.values_list("pk", flat=True))
    report = load_edition(data=shipped(), base_dir=EDITIONS)
    assert report.changes == [] and ChangeRecord.objects.count() == 0
    assert BlendQuestion.objects.count() == 56 and StereotypePair.objects.count() == 32
    assert Quiz.objects.count() == 1
    assert list(QuizChoice.objects.values_list("pk", flat=True)) == choices


def test_an_edited_quiz_is_updated_and_every_change_recorded():
    load_edition(data=shipped(), base_dir=EDITIONS)
    data = shipped()
    quiz = challenge_row(data, "preferences")["quiz"]
    quiz["pass_mark"] = 60
    quiz["max_attempts"] = 3
    quiz["questions"][0]["answer"] = 2
    report = load_edition(data=data, base_dir=EDITIONS)
    changed = {change.field: change for change in report.changes}
    assert set(changed) == {"pass_mark", "max_attempts", "questions_as_written"}
    assert (changed["pass_mark"].old_value, changed["pass_mark"].new_value) == ("80", "60")
    assert changed["pass_mark"].object_type == "preferences.quiz"
    assert '"answer": 1' in changed["questions_as_written"].old_value
    assert '"answer": 2' in changed["questions_as_written"].new_value
    first = Quiz.objects.get().questions.order_by("position").first()
    assert first.choices.get(is_correct=True).position == 2


def test_rows_a_later_load_adds_to_the_bank_are_recorded(tmp_path):
    folder = tmp_path / "editions"
    shutil.copytree(EDITIONS, folder)
    load_edition(data=shipped(), base_dir=folder)
    bank = folder / "somosnlp-2025" / "blend-questions.csv"
    with open(bank, "a", encoding="utf-8") as handle:
        handle.write("blend-UY-001,UY,es,comida,¿Qué se toma a media tarde en Uruguay?\n")
    report = load_edition(data=shipped(), base_dir=folder)
    assert [(c.field, c.new_value) for c in report.changes] == [
        ("data_files", "blend-questions.csv: 1 rows added")
    ]
    assert BlendQuestion.objects.count() == 57


def test_a_bad_row_in_a_data_file_refuses_the_whole_file_and_stores_nothing(tmp_path):
    folder = tmp_path / "editions"
    shutil.copytree(EDITIONS, folder)
    bank = folder / "somosnlp-2025" / "blend-questions.csv"
    with open(bank, "a", encoding="utf-8") as handle:
        handle.write("blend-XX-001,Narnia,es,comida,¿Qué se come en Narnia?\n")
    with pytest.raises(EditionFileError) as error:
        load_edition(data=shipped(), base_dir=folder)
    assert any("blend-questions.csv, row 57, country" in p for p in error.value.problems)
    assert not Edition.objects.exists() and not BlendQuestion.objects.exists()
    assert not StereotypePair.objects.exists() and not Quiz.objects.exists()


def test_a_missing_data_file_is_named_before_anything_is_written(tmp_path):
    data = shipped()
    challenge_row(data, "blend")["data_files"] = ["nowhere.csv"]
    with pytest.raises(EditionFileError) as error:
        load_edition(data=data, base_dir=tmp_path)
    assert any("nowhere.csv" in problem for problem in error.value.problems)
    assert not Edition.objects.exists()


def test_a_challenge_without_organizer_uploads_takes_no_data_files():
    data = shipped()
    challenge_row(data, "video")["data_files"] = ["somosnlp-2025/blend-questions.csv"]
    with pytest.raises(EditionFileError, match="takes no data files"):
        load_edition(data=data, base_dir=EDITIONS)


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda quiz: quiz["questions"][0].update(answer=9), "counting from 0"),
        (lambda quiz: quiz["questions"][1].update(options=["sola"]), "at least two options"),
        (lambda quiz: quiz.update(title=""), "needs a title"),
        (lambda quiz: quiz.update(questions=[]), "needs questions"),
        (lambda quiz: quiz.update(colour="red"), "unknown quiz keys colour"),
        (lambda quiz: quiz.update(pass_mark=150), "between 1 and 100"),
    ],
)
def test_a_bad_quiz_refuses_the_file_and_writes_nothing(edit, message):
    data = shipped()
    edit(challenge_row(data, "preferences")["quiz"])
    with pytest.raises(EditionFileError) as error:
        load_edition(data=data, base_dir=EDITIONS)
    assert any(message in problem for problem in error.value.problems), error.value.problems
    assert not Edition.objects.exists() and not Quiz.objects.exists()


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda award: award.update(challenge="demoo"), "“demoo” is not a challenge"),
        (lambda award: award.update(requires=["videos"]), "“videos” is not a challenge"),
        (lambda award: award.update(winners="3-2"), "winners is a number or a range"),
        (lambda award: award.pop("title_es"), "needs a slug and a title_es"),
        (lambda award: award.update(points=1), "unknown keys points"),
    ],
)
def test_a_bad_award_refuses_the_file(edit, message):
    data = copy.deepcopy(shipped())
    edit(data["edition"]["awards"][0])
    with pytest.raises(EditionFileError) as error:
        load_edition(data=data, base_dir=EDITIONS)
    assert any(message in problem for problem in error.value.problems), error.value.problems
    assert not Edition.objects.exists()


def test_the_awards_show_on_the_challenges_they_name(client, settings):
    edition = load_edition(data=shipped(), base_dir=EDITIONS).edition
    demo = Challenge.objects.get(slug="demo")
    assert [award.slug for award in list_awards(edition=edition, challenge=demo)] == ["zerogpu"]
    page = client.get(reverse("challenges:detail", args=["demo"]), HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "Extra ZeroGPU time for the best demos" in text and "2-3" in text
    page = client.get(reverse("challenges:detail", args=["video"]), HTTP_ACCEPT_LANGUAGE="es")
    assert "Créditos de Mistral para el equipo ganador" in page.content.decode()
    page = client.get(reverse("challenges:detail", args=["include"]))
    assert "Mistral" not in page.content.decode()


# --- the quiz's order and attempts -------------------------------------------------------------


def test_the_options_are_shuffled_per_attempt_and_kept_within_one():
    load_edition(data=shipped(), base_dir=EDITIONS)
    quiz = Quiz.objects.get()
    user = UserFactory()
    first_places = set()
    for attempt in range(8):
        for question in quiz.questions.all():
            choices = list(question.choices.order_by("position"))
            shown = preferences.order_choices(
                choices=choices, quiz=quiz, question_id=question.pk, user=user, attempt=attempt
            )
            again = preferences.order_choices(
                choices=choices, quiz=quiz, question_id=question.pk, user=user, attempt=attempt
            )
            assert shown == again and sorted(c.pk for c in shown) == sorted(c.pk for c in choices)
            first_places.add(next(n for n, c in enumerate(shown) if c.is_correct))
    assert first_places >= {0, 1, 2}


def test_the_quiz_page_does_not_always_put_the_answer_first(client):
    load_edition(data=shipped(), base_dir=EDITIONS)
    user = UserFactory()
    client.force_login(user)
    correct = set(QuizChoice.objects.filter(is_correct=True).values_list("pk", flat=True))
    page = client.get(reverse("preferences:quiz", args=["preferences"]))
    form = page.context["form"]
    places = [
        [value for value, _label in field.field.choices].index(
            next(value for value, _label in field.field.choices if value in correct)
        )
        for field in form
    ]
    assert len(places) == 5 and set(places) != {0}


def test_a_limited_quiz_refuses_an_attempt_beyond_the_limit():
    data = shipped()
    challenge_row(data, "preferences")["quiz"]["max_attempts"] = 2
    load_edition(data=data, base_dir=EDITIONS)
    quiz = Quiz.objects.get()
    user = UserFactory()
    wrong = {q.pk: q.choices.filter(is_correct=False).first().pk for q in quiz.questions.all()}
    right = {q.pk: q.choices.get(is_correct=True).pk for q in quiz.questions.all()}
    preferences.take_quiz(quiz=quiz, user=user, answers=wrong)
    assert preferences.count_attempts_left(quiz=quiz, user=user) == 1
    preferences.take_quiz(quiz=quiz, user=user, answers=wrong)
    assert preferences.count_attempts_left(quiz=quiz, user=user) == 0
    with pytest.raises(ContributionRefused, match="2 attempts"):
        preferences.take_quiz(quiz=quiz, user=user, answers=right)
    assert QuizAttempt.objects.filter(user=user).count() == 2
    other = UserFactory()
    assert preferences.take_quiz(quiz=quiz, user=other, answers=right).passed
    # Once passed, practising again is always allowed.
    preferences.take_quiz(quiz=quiz, user=other, answers=wrong)
    preferences.take_quiz(quiz=quiz, user=other, answers=wrong)
    assert preferences.count_attempts_left(quiz=quiz, user=other) is None


# --- the change record, readable -------------------------------------------------------------


def test_the_change_record_names_fields_by_label_and_shows_json_in_full(client, organizer):
    load_edition(data=shipped(), base_dir=EDITIONS)
    data = shipped()
    challenge_row(data, "include")["closes"] = dt.date(2025, 6, 5)
    challenge_row(data, "preferences")["quiz"]["questions"][0]["answer"] = 3
    load_edition(data=data, base_dir=EDITIONS)
    closes = ChangeRecord.objects.get(field="closes_at")
    assert closes.field_label == "closes"
    questions = ChangeRecord.objects.get(field="questions_as_written")
    assert questions.field_label == "questions" and len(questions.new_value) > 500
    client.force_login(organizer)
    page = client.get(reverse("challenges:organize"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "· closes<" in page and "closes_at" not in page
    # The whole JSON is on the page (opened on demand), not cut after 80 characters.
    assert "Personas de otros equipos" in page
    admin_page = client.get(
        reverse("admin:challenges_changerecord_change", args=[questions.pk]),
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Personas de otros equipos" in admin_page
