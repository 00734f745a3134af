import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.models import ContributionStatus
from challenges.preferences import domain
from challenges.preferences.models import ArenaUpload, ArenaVote, Prompt
from challenges.uploads import UploadRejected
from tests.challenges.preferences.factories import PromptFactory, vote_line, vote_log
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path("/work/shared/samples/arena_votes.jsonl")


def declare(user, identity: str, **profile):
    user.profile.arena_identity = identity
    for key, value in profile.items():
        setattr(user.profile, key, value)
    user.profile.save()
    return user


def upload(challenge, text, by=None):
    return domain.import_arena_votes(challenge=challenge, text=text, filename="votes.jsonl", by=by)


def counts():
    return (ArenaVote.objects.count(), Prompt.objects.count(), ArenaUpload.objects.count())


def test_the_sample_log_is_stored_unmatched_and_a_second_upload_adds_nothing(challenge, organizer):
    text = SAMPLE.read_text(encoding="utf-8")
    report = upload(challenge, text, by=organizer)
    assert (report.added, report.matched, report.unmatched, report.duplicates) == (2, 0, 2, 0)
    left = ArenaVote.objects.get(vote_type="leftvote")
    assert left.identity == "redacted" and left.user is None and left.prompt is None
    assert left.question == "¿Qué se suele comer en Lima un domingo con la familia?"
    assert left.system_prompt == "Eres un asistente que responde como una persona de Lima."
    assert left.chosen.startswith("Es muy común") and left.rejected.startswith("Los domingos")
    assert (left.model_a, left.model_b) == ("model-alpha", "model-beta")
    assert left.tstamp == dt.datetime.fromtimestamp(1745330000.51, tz=dt.UTC)
    assert left.raw == json.loads(text.splitlines()[0])
    both_bad = ArenaVote.objects.get(vote_type="bothbad_vote")
    assert (both_bad.chosen, both_bad.rejected) == ("", "")
    assert (
        both_bad.answer_a == "Com dois beijinhos sempre." and both_bad.answer_b == "Com uma vénia."
    )
    again = upload(challenge, text, by=organizer)
    assert (again.added, again.duplicates) == (0, 2)
    assert ArenaVote.objects.count() == 2


def test_a_declared_identity_credits_the_vote_and_creates_the_prompt(challenge, participant):
    declare(participant, "Lima-Voter", country="PE", languages=["qu", "es"])
    report = upload(challenge, vote_log(vote_line(username="lima-voter")))
    assert (report.matched, report.prompts_created) == (1, 1)
    vote = ArenaVote.objects.get()
    prompt = Prompt.objects.get()
    assert vote.user == participant and vote.prompt == prompt
    assert (prompt.author, prompt.source, prompt.status) == (
        participant,
        Prompt.Source.ARENA,
        ContributionStatus.PENDING,
    )
    assert prompt.text == "¿Qué se suele comer en Lima un domingo con la familia?"
    assert prompt.system_prompt == "Eres un asistente que responde como una persona de Lima."
    assert (prompt.country.code, prompt.language) == ("PE", "es")


@pytest.mark.parametrize(
    ("fields", "identity"),
    [
        ({"username": "a", "user": "b", "judge": "c", "ip": "d"}, "a"),
        ({"user": "b", "judge": "c", "ip": "d"}, "b"),
        ({"judge": "c", "ip": "d"}, "c"),
        ({"username": "", "ip": "d"}, "d"),
        ({"ip": None}, ""),
    ],
)
def test_the_identity_is_username_user_or_judge_else_ip(challenge, fields, identity):
    line = vote_line(**fields)
    if fields.get("ip", "") is None:
        line.pop("ip")
    upload(challenge, vote_log(line))
    assert ArenaVote.objects.get().identity == identity


def test_a_rightvote_chooses_the_second_answer_and_a_tie_chooses_none(challenge):
    upload(challenge, vote_log(vote_line(type="rightvote"), vote_line(type="tievote", tstamp=2)))
    right = ArenaVote.objects.get(vote_type="rightvote")
    assert (right.chosen, right.rejected) == ("Hamburguesas.", "Pollo a la brasa o ceviche.")
    assert right.chosen_model == "model-beta" and right.rejected_model == "model-alpha"
    tie = ArenaVote.objects.get(vote_type="tievote")
    assert (tie.chosen, tie.rejected, tie.chosen_model) == ("", "", "")
    assert tie.answer_a and tie.answer_b


def test_a_vote_attaches_to_the_persons_existing_prompt_with_the_same_normalized_text(
    challenge, participant
):
    declare(participant, "voter-1")
    prompt = PromptFactory(
        challenge=challenge,
        author=participant,
        text="¿QUÉ se suele comer en Lima un domingo con la   familia?",
    )
    report = upload(challenge, vote_log(vote_line(user="VOTER-1")))
    assert (report.matched, report.prompts_created) == (1, 0)
    assert ArenaVote.objects.get().prompt == prompt
    assert Prompt.objects.count() == 1


def test_a_prompt_of_somebody_else_is_never_taken(challenge, participant):
    declare(participant, "voter-1")
    PromptFactory(
        challenge=challenge, text="¿Qué se suele comer en Lima un domingo con la familia?"
    )
    report = upload(challenge, vote_log(vote_line(user="voter-1")))
    assert (report.matched, report.unmatched) == (0, 1)
    vote = ArenaVote.objects.get()
    assert vote.user == participant and vote.prompt is None


def test_two_people_with_the_same_prompt_in_one_log_the_first_gets_it(challenge, participant):
    other = UserFactory()
    declare(participant, "first")
    declare(other, "second")
    report = upload(
        challenge, vote_log(vote_line(user="first"), vote_line(user="second", tstamp=5))
    )
    assert (report.matched, report.prompts_created, report.unmatched) == (1, 1, 1)
    assert Prompt.objects.get().author == participant


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (vote_line(type="upvote"), "type", "Unknown vote type"),
        (vote_line(tstamp="yesterday"), "tstamp", "time stamp"),
        (vote_line(tstamp=None), "tstamp", "time stamp"),
        ({**vote_line(), "states": None}, "states", "Two conversation states"),
        (
            {**vote_line(), "states": [vote_line()["states"][0]]},
            "states",
            "Two conversation states",
        ),
        (
            {
                **vote_line(),
                "models": ["solo"],
                "states": [{**s, "model_name": None} for s in vote_line()["states"]],
            },
            "models",
            "model names",
        ),
        (
            {
                **vote_line(),
                "states": [
                    {**vote_line()["states"][0], "messages": "hola"},
                    vote_line()["states"][1],
                ],
            },
            "states[0].messages",
            "[role, text] pairs",
        ),
        (
            {
                **vote_line(),
                "states": [
                    {**vote_line()["states"][0], "messages": [["assistant", "sí"]]},
                    vote_line()["states"][1],
                ],
            },
            "states[0].messages",
            "no user message",
        ),
        (
            {
                **vote_line(),
                "states": [
                    vote_line()["states"][0],
                    {**vote_line()["states"][1], "messages": [["user", "hola"]]},
                ],
            },
            "states[1].messages",
            "no assistant answer",
        ),
    ],
)
def test_bad_vote_lines_are_row_errors_and_nothing_is_stored(challenge, line, field, message):
    before = counts()
    with pytest.raises(UploadRejected) as raised:
        upload(challenge, vote_log(vote_line(), line))
    errors = raised.value.errors.shown
    assert any(e.row == 2 and e.field == field and message in e.message for e in errors), errors
    assert all(e.row == 2 for e in errors)
    assert counts() == before


def test_a_malformed_line_is_a_row_error(challenge):
    before = counts()
    with pytest.raises(UploadRejected) as raised:
        upload(challenge, vote_log(vote_line()) + "{not json\n")
    assert raised.value.errors.shown[0].row == 2
    assert counts() == before


def test_models_fall_back_to_the_states_model_names(challenge):
    line = vote_line()
    line.pop("models")
    upload(challenge, vote_log(line))
    assert ArenaVote.objects.get().model_b == "model-beta"


def test_match_again_attaches_votes_once_people_declare_their_identity(challenge, participant):
    upload(challenge, vote_log(vote_line(username="late"), vote_line(username="nobody", tstamp=9)))
    assert ArenaVote.objects.filter(prompt__isnull=True).count() == 2
    declare(participant, "LATE")
    report = domain.rematch_arena_votes(challenge=challenge)
    assert (report.checked, report.matched, report.prompts_created) == (2, 1, 1)
    vote = ArenaVote.objects.get(identity="late")
    assert vote.user == participant and vote.prompt.author == participant
    again = domain.rematch_arena_votes(challenge=challenge)
    assert (again.checked, again.matched) == (1, 0)


# --- pages ---


def test_the_organizer_uploads_the_sample_log_and_sees_the_summary(client, challenge, organizer):
    client.force_login(organizer)
    file = SimpleUploadedFile("arena_votes.jsonl", SAMPLE.read_bytes())
    response = client.post(
        f"/preferences/{challenge.slug}/organize/arena/",
        {"file": file},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    content = response.content.decode()
    assert "2 votes stored" in content and "arena_votes.jsonl" in content
    assert ArenaUpload.objects.get().uploaded_by == organizer


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b'{"type": "leftvote"}\n', "Two conversation states"),
        (json.dumps(vote_line(type="meh")).encode(), "Unknown vote type"),
        (b"not json at all\n", "Not valid JSON"),
    ],
)
def test_bad_vote_logs_show_every_problem_and_store_nothing(
    client, challenge, organizer, content, message
):
    client.force_login(organizer)
    before = counts()
    file = SimpleUploadedFile("votes.jsonl", content)
    response = client.post(
        f"/preferences/{challenge.slug}/organize/arena/", {"file": file}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert counts() == before


def test_unmatched_votes_are_listed_and_matched_again_from_the_page(
    client, challenge, organizer, participant
):
    upload(challenge, vote_log(vote_line(username="someone")))
    client.force_login(organizer)
    page = client.get(
        f"/preferences/{challenge.slug}/organize/arena/unmatched/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert (
        "someone" in page.content.decode()
        and "Nobody declared this identity." in page.content.decode()
    )
    declare(participant, "someone")
    response = client.post(
        f"/preferences/{challenge.slug}/organize/arena/rematch/",
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "1 now attached" in response.content.decode()
    assert "Every vote is attached to a prompt." in response.content.decode()
    assert ArenaVote.objects.get().prompt.author == participant
