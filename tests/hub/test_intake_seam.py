"""A new challenge kind plugs in through one registered Intake, and nothing else: publishing,
imports from the Hub and the credits gate serve it without a line of their own.

The kind here ("riddles") is made up for the test: its contributions are stored as prompts (any
model with a challenge and a status would do), and it is registered only for the test.
"""

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages

from challenges.domain import ContributionRefused
from challenges.intake import (
    REGISTRY,
    CountGate,
    DatasetForm,
    Importer,
    Intake,
    MemberGate,
    Publication,
    importable_kinds,
    publishable_kinds,
)
from challenges.models import ContributionStatus
from challenges.preferences.models import Prompt
from challenges.provenance import Provenance
from challenges.uploads import UploadReport
from hub.importing import get_importer, import_from_hub
from hub.publishing import count_rows, publish_dataset
from scoring.gates import credits_gates
from scoring.models import TeamScore
from tests.challenges.preferences.factories import PromptFactory
from tests.factories import ChallengeFactory, make_team
from tests.hub.conftest import ORG

pytestmark = pytest.mark.django_db

KIND = "riddles"


def riddle_rows(challenge):
    provenance = Provenance(challenge, kind=KIND)
    return [
        {"id": provenance.row_id(prompt.pk), "riddle": prompt.text, "length": len(prompt.text)}
        for prompt in Prompt.objects.filter(
            challenge=challenge, status=ContributionStatus.VALIDATED
        ).order_by("pk")
    ]


def store_riddles(*, challenge, user, target, rows, now=None) -> UploadReport:
    for _row, record in rows:
        PromptFactory(challenge=challenge, author=user, text=record["riddle"])
    return UploadReport(rows=len(rows), stored=len(rows))


def refuse_closed(*, challenge, user, target, now=None) -> None:
    if challenge.slug == "closed":
        raise ContributionRefused("Riddles are closed.")


@pytest.fixture
def riddles(monkeypatch):
    """The made-up kind, registered for this test only."""
    intake = Intake(
        kind=KIND,
        model=Prompt,
        counted_label="solved riddles",
        participate_url=None,
        review_columns=[],
        export_fields=["id"],
        export_rows=lambda challenge: [],
        publication=Publication(
            label="solved riddles",
            published=lambda prompts: prompts.filter(status=ContributionStatus.VALIDATED),
            forms=[
                DatasetForm(
                    name="default",
                    columns={"id": "string", "riddle": "string", "length": "int64"},
                    rows=riddle_rows,
                )
            ],
            summary="Riddles that language models find hard.",
            validation_rule="Only riddles someone solved are included.",
            task_categories=["question-answering"],
        ),
        importer=Importer(
            check=refuse_closed,
            store=store_riddles,
            announce=lambda request, report: messages.success(
                request, f"{report.stored} riddles stored."
            ),
            form_page=lambda challenge, target: ("challenges:detail", {"slug": challenge.slug}),
            done_page=lambda challenge, target: ("challenges:detail", {"slug": challenge.slug}),
        ),
        gates=[
            CountGate(key="riddles", label="Solved riddles", setting="solved_riddles", default=2),
            MemberGate(
                key="riddlers",
                label="Every member told a riddle",
                shortfall=lambda challenge, team_ids: dict.fromkeys(team_ids, 1),
                describe=lambda count: f"{count} told none",
            ),
        ],
    )
    monkeypatch.setitem(REGISTRY, KIND, intake)
    return intake


@pytest.fixture
def challenge(edition, riddles):
    return ChallengeFactory(edition=edition, kind=KIND, slug="riddles")


def test_the_kind_is_offered_wherever_its_intake_says(riddles):
    assert KIND in publishable_kinds() and KIND in importable_kinds()


def test_publishing_reads_its_rows_columns_and_card_from_the_intake(challenge, tmp_path):
    from datasets import load_dataset

    PromptFactory(challenge=challenge, text="What has keys but no locks?", status="validated")
    PromptFactory(challenge=challenge, text="A pending riddle", status="pending")
    assert count_rows(edition=challenge.edition)[KIND] == 1

    published = publish_dataset(edition=challenge.edition, kind=KIND, folder=tmp_path / "out")

    assert published.rows == 1 and published.label == "solved riddles"
    rows = load_dataset(
        "parquet",
        data_files=str(tmp_path / "out" / "data" / "train.parquet"),
        split="train",
        cache_dir=str(tmp_path / "cache"),
    )
    [riddle] = Prompt.objects.filter(challenge=challenge, status="validated")
    assert rows.to_list() == [
        {
            "id": f"{challenge.edition.slug}-{KIND}-{riddle.pk}",
            "riddle": "What has keys but no locks?",
            "length": 27,
        }
    ]
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "Riddles that language models find hard." in card
    assert "Only riddles someone solved are included." in card
    assert "| `length` | `int64` |" in card


def test_the_credits_gate_counts_what_the_intake_declares(challenge):
    edition = challenge.edition
    edition.gates = {"credits": {"solved_riddles": 3}}
    edition.save()
    team = make_team(edition=edition, members=1)
    TeamScore.objects.create(team=team, challenge=challenge, counted=3)

    (state,) = credits_gates(edition=edition, teams=[team])

    checks = {check.key: check for check in state.checks}
    assert (checks["riddles"].done, checks["riddles"].detail) == (True, "3 / 3")
    assert (checks["riddlers"].done, checks["riddlers"].detail) == (False, "1 told none")


def test_importing_goes_through_the_intakes_check_and_store(challenge, fake_hub, participant):
    participant.profile.hub_username = "riddler"
    participant.profile.save()
    repo_id = f"{ORG}/riddles"
    fake_hub.state.add(
        "dataset",
        repo_id,
        day=5,
        author="riddler",
        files={
            "README.md": b"# Riddles\n",
            "riddles.jsonl": b'{"riddle": "What runs but never walks?"}\n',
        },
    )

    result = import_from_hub(challenge=challenge, user=participant, repo_id=repo_id)

    assert result.report.stored == 1
    assert list(Prompt.objects.filter(challenge=challenge).values_list("text", flat=True)) == [
        "What runs but never walks?"
    ]


def test_the_intakes_check_refuses_before_anything_is_read(edition, riddles, participant):
    closed = ChallengeFactory(edition=edition, kind=KIND, slug="closed")
    with pytest.raises(ContributionRefused, match="Riddles are closed"):
        import_from_hub(challenge=closed, user=participant, repo_id=f"{ORG}/nothing-here")


def test_a_kind_without_an_importer_takes_no_dataset(edition, participant):
    other = ChallengeFactory(edition=edition, kind="stereotypes", slug="stereo")
    with pytest.raises(ContributionRefused, match="does not take datasets"):
        get_importer(other)


def test_the_import_page_answers_with_the_intakes_messages_and_pages(
    client, challenge, fake_hub, participant
):
    participant.profile.hub_username = "riddler"
    participant.profile.save()
    fake_hub.state.add(
        "dataset",
        f"{ORG}/more-riddles",
        day=5,
        author="riddler",
        files={"riddles.jsonl": b'{"riddle": "What can you catch but not throw?"}\n'},
    )
    client.force_login(participant)

    response = client.post(
        f"/challenges/{challenge.slug}/import-from-hub/",
        {"repo_id": f"{ORG}/more-riddles"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302 and response["Location"] == f"/challenges/{challenge.slug}/"
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said[0] == "1 riddles stored." and said[1].startswith(f"Read from {ORG}/more-riddles")
