"""Arena vote hygiene: votes naming a model, or beyond a person's daily cap, are kept flagged and
not counted (dataset, validation, new prompts)."""

import datetime as dt

import pytest

from challenges.models import ContributionStatus
from challenges.preferences import domain
from challenges.preferences.models import ArenaUpload, ArenaVote, Prompt
from tests.challenges.preferences.factories import (
    ArenaVoteFactory,
    PromptFactory,
    vote_line,
    vote_log,
)

pytestmark = pytest.mark.django_db

# Noon of one day in the test edition's time zone (UTC-12), as a Unix time stamp.
NOON = dt.datetime(2025, 4, 22, 12, tzinfo=dt.timezone(dt.timedelta(hours=-12))).timestamp()


def declare(user, identity: str):
    user.profile.arena_identity = identity
    user.profile.save()
    return user


def upload(challenge, text):
    return domain.import_arena_votes(challenge=challenge, text=text, filename="votes.jsonl")


def answered(answer_a: str, answer_b: str = "Hamburguesas.", **overrides) -> dict:
    line = vote_line(**overrides)
    line["states"][0]["messages"][-1][1] = answer_a
    line["states"][1]["messages"][-1][1] = answer_b
    return line


def questioned(number: int, **overrides) -> dict:
    return vote_line(question=f"¿Qué se come en Lima el día número {number}?", **overrides)


# --- identity words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Soy ChatGPT, un modelo de OpenAI.", "ChatGPT"),
        ("Como modelo entrenado por Google, te diría...", "Google"),
        ("Según el buscador de Google's, no.", "Google"),
        ("GPT-4 no tiene opinión.", "GPT"),
        ("Fui creado por Meta AI.", "Meta AI"),
        ("Fui creado por meta   ai.", "meta   ai"),
        ("Lo googleé ayer: es ceviche.", ""),  # a longer word is not the name
        ("I googled it: ceviche.", ""),
        ("La meta es comer bien.", ""),  # "meta" alone is Spanish for goal
        ("Ceviche con claudesco sabor.", ""),
        ("", ""),
    ],
)
def test_identity_words_are_matched_whole_and_case_aside(text, word):
    assert domain.find_identity_word(texts=[text]) == word


def test_the_identity_words_come_from_the_setting(settings):
    settings.ARENA_IDENTITY_WORDS = ["quipu"]
    assert domain.find_identity_word(texts=["Soy QUIPU, tu asistente."]) == "QUIPU"
    assert domain.find_identity_word(texts=["Soy ChatGPT."]) == ""
    settings.ARENA_IDENTITY_WORDS = []
    assert domain.find_identity_word(texts=["Soy ChatGPT."]) == ""


def test_a_vote_naming_a_model_is_kept_flagged_and_makes_no_prompt(challenge, participant):
    declare(participant, "lima-voter")
    report = upload(
        challenge, vote_log(answered("Como asistente de Anthropic (Claude), diría ceviche."))
    )
    vote = ArenaVote.objects.get()
    assert (vote.flag, vote.flag_detail) == (ArenaVote.Flag.IDENTITY, "Anthropic")
    assert vote.user is None  # "ip": "redacted" is nobody's identity
    assert report.identity_flagged == 1 and ArenaUpload.objects.get().identity_flagged == 1

    report = upload(
        challenge,
        vote_log(answered("Lo sé porque soy GPT.", username="lima-voter", tstamp=NOON)),
    )
    flagged = ArenaVote.objects.get(identity="lima-voter")
    assert flagged.flag == ArenaVote.Flag.IDENTITY and flagged.user == participant
    assert flagged.prompt is None and not Prompt.objects.exists()
    assert report.prompts_created == 0


def test_the_dataset_skips_a_flagged_vote_for_the_next_latest_decisive_one(challenge):
    prompt = PromptFactory(challenge=challenge, status=ContributionStatus.VALIDATED)
    older = ArenaVoteFactory(prompt=prompt, chosen="Ceviche.", rejected="Pizza.")
    ArenaVoteFactory(
        prompt=prompt,
        vote_type=ArenaVote.VoteType.TIE,
        tstamp=older.tstamp + dt.timedelta(hours=1),
    )
    latest = ArenaVoteFactory(
        prompt=prompt,
        answer_a="Soy Gemini: anticuchos.",
        chosen="Soy Gemini: anticuchos.",
        rejected="Tacos.",
        tstamp=older.tstamp + dt.timedelta(hours=2),
    )
    [row] = domain.shared_preference_rows(challenge=challenge)
    assert (row["chosen"], row["rejected"]) == ("Soy Gemini: anticuchos.", "Tacos.")
    assert domain.latest_decisive_vote(prompt=prompt) == latest

    domain.flag_identity_reveals(votes=[latest])
    latest.save()
    assert latest.flag_detail == "Gemini"
    [row] = domain.shared_preference_rows(challenge=challenge)
    assert (row["chosen"], row["rejected"]) == ("Ceviche.", "Pizza.")
    assert domain.dpo_preference_rows(challenge=challenge)[0]["chosen"] == "Ceviche."
    assert domain.latest_decisive_vote(prompt=prompt) == older


# --- the daily cap ----------------------------------------------------------------------------


@pytest.mark.parametrize(("votes", "flagged"), [(2, 0), (3, 0), (4, 1), (6, 3)])
def test_the_daily_cap_at_and_around_the_limit(challenge, participant, settings, votes, flagged):
    settings.ARENA_DAILY_VOTE_CAP = 3
    declare(participant, "lima-voter")
    lines = [questioned(n, username="lima-voter", tstamp=NOON + n * 60) for n in range(votes)]
    report = upload(challenge, vote_log(*reversed(lines)))  # the log's order does not matter
    assert report.over_daily_cap == flagged
    ordered = list(ArenaVote.objects.order_by("tstamp"))
    assert [vote.flag for vote in ordered] == [""] * min(votes, 3) + ["daily_cap"] * flagged
    assert all(vote.flag_detail == "2025-04-22" for vote in ordered[3:])
    # The counted votes made prompts; the ones over the cap did not.
    assert Prompt.objects.count() == min(votes, 3)


def test_the_cap_counts_per_person_and_per_day_of_the_edition(challenge, participant, settings):
    settings.ARENA_DAILY_VOTE_CAP = 1
    end_of_day = NOON + 11 * 3600 + 59 * 60  # 23:59 in UTC-12, already the next day in UTC
    lines = [
        questioned(1, username="lima-voter", tstamp=NOON),
        questioned(2, username="LIMA-VOTER", tstamp=end_of_day),  # same person, same day
        questioned(3, username="lima-voter", tstamp=end_of_day + 120),  # the next day
        questioned(4, username="cusco-voter", tstamp=NOON),
    ]
    upload(challenge, vote_log(*lines))
    flags = {vote.question[-3:-1]: vote.flag for vote in ArenaVote.objects.all()}
    assert flags == {" 1": "", " 2": "daily_cap", " 3": "", " 4": ""}


def test_votes_naming_a_model_take_no_place_under_the_cap(challenge, settings):
    settings.ARENA_DAILY_VOTE_CAP = 1
    upload(
        challenge,
        vote_log(
            answered("Soy Qwen.", username="v", tstamp=NOON),
            questioned(2, username="v", tstamp=NOON + 60),
        ),
    )
    assert sorted(ArenaVote.objects.values_list("flag", flat=True)) == ["", "identity"]


def test_a_later_log_with_earlier_votes_of_the_day_moves_the_cap(challenge, settings):
    settings.ARENA_DAILY_VOTE_CAP = 2
    upload(
        challenge, vote_log(*(questioned(n, username="v", tstamp=NOON + n * 60) for n in (5, 6)))
    )
    assert not ArenaVote.objects.exclude(flag="").exists()
    report = upload(challenge, vote_log(questioned(1, username="v", tstamp=NOON)))
    assert report.over_daily_cap == 0  # the new vote is among the first two of the day
    last = ArenaVote.objects.order_by("-tstamp").first()
    assert (last.flag, last.flag_detail) == ("daily_cap", "2025-04-22")


def test_a_cap_of_zero_counts_every_vote(challenge, settings):
    settings.ARENA_DAILY_VOTE_CAP = 0
    upload(challenge, vote_log(*(questioned(n, username="v", tstamp=NOON + n) for n in range(5))))
    assert not ArenaVote.objects.exclude(flag="").exists()


def test_rematching_never_makes_a_prompt_from_a_flagged_vote(challenge, participant, settings):
    settings.ARENA_DAILY_VOTE_CAP = 1
    upload(
        challenge,
        vote_log(*(questioned(n, username="late-voter", tstamp=NOON + n * 60) for n in (1, 2))),
    )
    declare(participant, "late-voter")
    report = domain.rematch_arena_votes(challenge=challenge)
    assert (report.checked, report.matched, report.prompts_created) == (2, 1, 1)
    capped = ArenaVote.objects.get(flag="daily_cap")
    assert capped.prompt is None and capped.user == participant


# --- the organizers' pages --------------------------------------------------------------------


def test_the_organizers_arena_pages_show_the_flags_and_why(client, challenge, organizer, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ARENA_DAILY_VOTE_CAP = 1
    text = vote_log(
        answered("Entrenado por DeepSeek.", username="v", tstamp=NOON),
        questioned(1, username="v", tstamp=NOON + 60),
        questioned(2, username="v", tstamp=NOON + 120),
    )
    client.force_login(organizer)
    url = f"/preferences/{challenge.slug}/organize/arena/"
    response = client.post(
        url,
        {"file": SimpleUploadedFile("votes.jsonl", text.encode())},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert "1 votes whose answers name a model, 1 beyond a person&#x27;s daily cap" in page
    assert "Flagged: naming a model" in page
    unmatched = client.get(f"{url}unmatched/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "An answer names a model</span> DeepSeek" in unmatched
    assert "Over the person&#x27;s daily cap</span> 2025-04-22" in unmatched
