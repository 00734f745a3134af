"""Prompts: the same prompt with invisible characters, other quotes or accents is a duplicate;
one of only invisible characters is refused; a near-duplicate waits marked; the migration."""

import importlib

import pytest
from django.apps import apps as django_apps

from challenges.domain import ContributionRefused
from challenges.preferences import domain
from challenges.preferences.forms import PromptForm
from challenges.preferences.models import ArenaVote, Prompt
from challenges.text import fingerprint
from challenges.uploads import UploadRejected
from tests.challenges.preferences.factories import PromptFactory, pass_quiz

pytestmark = pytest.mark.django_db

TEXT = "¿Qué se suele comer en Lima un domingo con la familia después de misa?"
NEAR = "¿Qué se suele comer en Lima un domingo con la familia después del fútbol?"


@pytest.fixture
def author(challenge, participant):
    pass_quiz(challenge=challenge, user=participant)
    return participant


def submit(challenge, author, text):
    return domain.submit_prompt(
        challenge=challenge, author=author, country="PE", language="es", text=text
    )


@pytest.mark.parametrize(
    "variant",
    [
        TEXT.replace("Lima", "Li\u200bma"),
        "\u202b" + TEXT + "\u202c",
        TEXT.replace("Qué", "Que").replace("después", "despues"),
        TEXT.replace("¿", "¿\u2066"),
    ],
)
def test_a_variant_of_a_stored_prompt_is_refused(challenge, author, variant):
    submit(challenge, author, TEXT)
    with pytest.raises(ContributionRefused, match="already in the challenge"):
        submit(challenge, author, variant)
    assert Prompt.objects.count() == 1


def test_quotes_do_not_make_a_prompt_new_in_an_upload(challenge, author):
    submit(challenge, author, "¿Qué significa “chamba” en Lima?")
    with pytest.raises(UploadRejected) as refused:
        domain.import_prompts(
            challenge=challenge,
            author=author,
            text='prompt,pais\n"¿Qué significa ""chamba"" en Lima?",PE\n',
            filename="p.csv",
        )
    assert refused.value.errors.shown[0].message == "This prompt is already in the challenge."


def test_a_prompt_of_only_invisible_characters_is_refused(challenge, author):
    with pytest.raises(ContributionRefused, match="only invisible characters"):
        submit(challenge, author, "\u200b\u200f\u2060")
    form = PromptForm(data={"country": "PE", "language": "es", "text": "\u200b\ufeff"})
    assert form.errors["text"] == ["This field has only invisible characters; write visible text."]
    assert not Prompt.objects.exists()


def test_a_near_duplicate_prompt_is_stored_marked(challenge, author):
    original = submit(challenge, author, TEXT)
    near = submit(challenge, author, NEAR)
    other = submit(challenge, author, "¿Cómo se celebra el Inti Raymi en Cusco?")
    assert near.possible_duplicate_of_id == original.pk
    assert other.possible_duplicate_of_id is None
    report = domain.import_prompts(
        challenge=challenge,
        author=author,
        text=f"prompt,pais\n{TEXT.replace('misa', 'la misa')},PE\n",
        filename="p.csv",
    )
    assert report.possible_duplicates.total == 1
    assert Prompt.objects.filter(possible_duplicate_of=original).count() == 2


def test_the_migration_recomputes_prompts_and_votes(challenge, author):
    migration = importlib.import_module(
        "challenges.preferences.migrations.0006_fingerprints_and_near_duplicates"
    )
    first = PromptFactory(challenge=challenge, text=TEXT, fingerprint="old-1")
    copy = PromptFactory(challenge=challenge, text=TEXT + "\u200b", fingerprint="old-2")
    migration.refingerprint_prompts(django_apps, None)
    rows = dict(Prompt.objects.values_list("pk", "fingerprint"))
    assert rows == {first.pk: fingerprint(TEXT), copy.pk: f"duplicate:{copy.pk}"}
    assert Prompt.objects.get(pk=copy.pk).possible_duplicate_of_id == first.pk
    vote = ArenaVote.objects.create(
        challenge=challenge,
        identity="ana",
        vote_type=ArenaVote.VoteType.LEFT,
        model_a="a",
        model_b="b",
        question=TEXT,
        question_fingerprint="old",
        answer_a="x",
        answer_b="y",
        tstamp="2025-03-01T10:00:00Z",
        raw={"tstamp": 1740823200.5},
        fingerprint="old",
    )
    migration.refingerprint_votes(django_apps, None)
    vote.refresh_from_db()
    assert (vote.fingerprint, vote.question_fingerprint) == (
        fingerprint("1740823200.500000", "ana", TEXT, "a", "b"),
        fingerprint(TEXT),
    )
