"""Publishing the collected datasets: rows, card, local folder, the Hub (the fake), the command
and the organizers' page."""

import json
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from challenges.models import ContributionStatus
from hub.models import PublishedDataset
from hub.publishing import (
    PublishRefused,
    build_rows,
    count_rows,
    publish_dataset,
    request_publication,
    write_dataset,
)
from tests.challenges.blend.factories import (
    BlendAnswerFactory,
    BlendChallengeFactory,
    BlendQuestionFactory,
)
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.challenges.preferences.factories import (
    ArenaVoteFactory,
    PreferencesChallengeFactory,
    PromptFactory,
)
from tests.challenges.stereotypes.factories import (
    PairFactory,
    RatingFactory,
    StereotypesChallengeFactory,
)
from tests.factories import EditionFactory, UserFactory
from tests.hub.conftest import ORG

pytestmark = pytest.mark.django_db

TOKEN = "hf_test_token_123456"
URL = "/organize/hub/publish/"
VALIDATED = ContributionStatus.VALIDATED

PREFERENCE_ROWS = [
    {
        "country": "PE",
        "system_prompt": "Eres de Lima.",
        "question": "¿Qué se come en Lima?",
        "chosen": "Ceviche.",
        "rejected": "Hamburguesas.",
    }
]
INCLUDE_ROWS = [
    {
        "language": "es",
        "country": "PE",
        "exam_name": "Examen de admisión UNMSM",
        "source": "https://example.org/exam.pdf",
        "license": "unknown",
        "level": "University entrance",
        "category_en": "History",
        "category_original_lang": "Historia",
        "original_question_num": 7,
        "question": "¿En qué año se fundó Lima?",
        "options": ["1535", "1492", "1821", "1900"],
        "answer": 0,
    }
]
BLEND_ROWS = [
    {
        "question_external_id": "Fo-pe-001",
        "country": "PE",
        "language": "es",
        "topic": "Food",
        "question": "¿Qué se come de postre en Perú?",
        "reworded_question": "",
        "answer_1": "Suspiro a la limeña",
        "answer_2": "Picarones",
        "answer_3": "",
        "region": "Lima",
        "no_answer_reason": "",
    }
]
STEREOTYPE_ROWS = [
    {
        "pair_external_id": "p-1",
        "language": "es",
        "nationality": "peruanos",
        "attribute": "amables",
        "rating": 4,
        "extra_attribute": "",
        "other_nationalities": ["chilenos"],
        "region": "Cusco",
    }
]
EXPECTED = {
    "preferences": PREFERENCE_ROWS,
    "include": INCLUDE_ROWS,
    "blend": BLEND_ROWS,
    "stereotypes": STEREOTYPE_ROWS,
}


@pytest.fixture(autouse=True)
def published_dir(settings, tmp_path):
    settings.PUBLISHED_DATASETS_DIR = tmp_path / "published"
    settings.HF_TOKEN = ""
    return settings.PUBLISHED_DATASETS_DIR


@pytest.fixture
def authors(db):
    """Two contributors whose name, email and usernames must never be published."""
    return UserFactory.create_batch(2)


def personal_data(users) -> list[str]:
    values = []
    for user in users:
        profile = user.profile
        values += [user.email, profile.display_name, profile.hub_username]
        values += [profile.discord_username]
    return values


@pytest.fixture
def collected(edition, authors):
    """One validated item of each kind, next to items that must be left out (pending, rejected,
    invalidated, drafts, skips) and another edition's validated items."""
    author, other = authors
    # Preferences: one validated prompt with a vote, a pending and a rejected one.
    preferences = PreferencesChallengeFactory(
        edition=edition, description_en="Write prompts that test cultural adequacy."
    )
    prompt = PromptFactory(
        challenge=preferences, author=author, status=VALIDATED, country="PE",
        system_prompt="Eres de Lima.", text="¿Qué se come en Lima?",
    )  # fmt: skip
    ArenaVoteFactory(prompt=prompt, chosen="Ceviche.", rejected="Hamburguesas.")
    PromptFactory(challenge=preferences, author=other, text="Pendiente")
    PromptFactory(
        challenge=preferences, author=other, status=ContributionStatus.REJECTED, text="Mal"
    )
    # INCLUDE: one accepted question, a pending and a rejected one.
    include = IncludeChallengeFactory(edition=edition)
    exam = ExamFactory(challenge=include, author=author, name="Examen de admisión UNMSM")
    ExamQuestionFactory(
        exam=exam, status=VALIDATED, original_question_num=7,
        question="¿En qué año se fundó Lima?", options=["1535", "1492", "1821", "1900"], answer=0,
    )  # fmt: skip
    ExamQuestionFactory(exam=exam, status=ContributionStatus.PENDING)
    ExamQuestionFactory(exam=exam, status=ContributionStatus.REJECTED)
    # BLEND: one validated answer; pending, rejected and draft ones.
    blend = BlendChallengeFactory(edition=edition)
    question = BlendQuestionFactory(
        challenge=blend, external_id="Fo-pe-001", question="¿Qué se come de postre en Perú?"
    )
    BlendAnswerFactory(
        question=question, author=author, status=VALIDATED, answer_2="Picarones", region="Lima"
    )
    for status in (ContributionStatus.PENDING, ContributionStatus.REJECTED):
        BlendAnswerFactory(question=BlendQuestionFactory(challenge=blend), status=status)
    BlendAnswerFactory(
        question=BlendQuestionFactory(challenge=blend), status=ContributionStatus.DRAFT
    )
    # Stereotypes: one validated rating; an invalidated one and a skip.
    stereotypes = StereotypesChallengeFactory(edition=edition)
    pair = PairFactory(
        challenge=stereotypes, external_id="p-1", nationality="peruanos", attribute="amables"
    )
    RatingFactory(
        pair=pair, author=author, other_nationalities=["chilenos"], region="Cusco",
        own_nationality=True,
    )  # fmt: skip
    RatingFactory(
        pair=PairFactory(challenge=stereotypes), author=other,
        status=ContributionStatus.INVALIDATED,
    )  # fmt: skip
    RatingFactory(pair=PairFactory(challenge=stereotypes), author=other, skip=True)
    # Another edition's validated items stay out.
    other_edition = EditionFactory(slug="otra-edicion", is_current=False)
    ExamQuestionFactory(
        exam=ExamFactory(challenge=IncludeChallengeFactory(edition=other_edition)),
        status=VALIDATED,
    )
    return {"preferences": preferences, "include": include, "blend": blend}


def load(folder, tmp_path):
    from datasets import load_dataset

    return load_dataset(str(folder), split="train", cache_dir=str(tmp_path / "cache")).to_list()


def read_card(path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


# --- rows ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_rows_hold_only_what_was_validated_and_no_personal_data(edition, collected, authors, kind):
    rows = build_rows(edition=edition, kind=kind)

    assert rows == EXPECTED[kind]
    text = json.dumps(rows, ensure_ascii=False)
    for value in personal_data(authors):
        assert value not in text
    assert not {"author_id", "id", "status"} & set(rows[0])


def test_the_counts_are_the_rows_each_dataset_would_have(edition, collected):
    assert count_rows(edition=edition) == {
        "preferences": 1,
        "include": 1,
        "blend": 1,
        "stereotypes": 1,
    }


# --- local folder --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_without_a_token_the_dataset_is_written_and_loads_back(
    edition, collected, organizer, published_dir, tmp_path, kind
):
    published = publish_dataset(edition=edition, kind=kind, by=organizer)

    folder = published_dir / edition.slug / kind
    assert (folder / "data" / "train.parquet").is_file()
    assert (folder / "README.md").is_file()
    assert load(folder, tmp_path) == EXPECTED[kind]
    assert (published.target, published.on_hub) == (str(folder.resolve()), False)
    assert (published.rows, published.commit, published.published_by) == (1, "", organizer)
    assert PublishedDataset.objects.get() == published


def test_the_card_says_what_the_data_is(edition, collected, tmp_path):
    rows = write_dataset(edition=edition, kind="include", folder=tmp_path / "out")

    assert rows == 1
    metadata = read_card(tmp_path / "out" / "README.md")
    assert metadata["license"] == "apache-2.0"
    assert metadata["language"] == ["es"]
    assert metadata["task_categories"] == ["question-answering", "multiple-choice"]
    assert metadata["size_categories"] == ["n<1K"]
    assert metadata["configs"] == [
        {"config_name": "default", "data_files": [{"split": "train", "path": "data/train.parquet"}]}
    ]
    assert metadata["dataset_info"]["splits"][0]["num_examples"] == 1
    names = [feature["name"] for feature in metadata["dataset_info"]["features"]]
    assert names == list(INCLUDE_ROWS[0])
    text = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "Hackathon de prueba" in text
    assert ORG in text
    assert collected["include"].title in text
    assert "1 row in one split (train)" in text
    assert "no personal data" in text

    # The Hub's own parser reads it too.
    from huggingface_hub import DatasetCard

    card = DatasetCard.load(tmp_path / "out" / "README.md")
    assert card.data.license == "apache-2.0"


def test_the_preference_card_names_the_prompts_languages_and_the_challenge(
    edition, collected, tmp_path
):
    write_dataset(edition=edition, kind="preferences", folder=tmp_path / "out")

    metadata = read_card(tmp_path / "out" / "README.md")
    assert metadata["language"] == ["es"]
    assert metadata["task_categories"] == ["text-generation"]
    text = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "Write prompts that test cultural adequacy." in text


def test_publishing_again_replaces_the_files_and_records_it_again(
    edition, collected, published_dir, tmp_path
):
    publish_dataset(edition=edition, kind="blend")
    BlendAnswerFactory(
        question=BlendQuestionFactory(challenge=collected["blend"]),
        status=VALIDATED,
        answer_1="Mazamorra morada",
    )
    publish_dataset(edition=edition, kind="blend")

    rows = load(published_dir / edition.slug / "blend", tmp_path)
    assert [row["answer_1"] for row in rows] == ["Suspiro a la limeña", "Mazamorra morada"]
    assert list(PublishedDataset.objects.values_list("rows", flat=True)) == [2, 1]


def test_an_empty_dataset_is_refused_and_nothing_is_recorded(edition, published_dir):
    StereotypesChallengeFactory(edition=edition)

    with pytest.raises(PublishRefused, match="nothing to publish"):
        publish_dataset(edition=edition, kind="stereotypes")

    assert not PublishedDataset.objects.exists()
    assert not published_dir.exists()


def test_an_unknown_kind_is_refused(edition):
    with pytest.raises(PublishRefused, match="not a dataset that can be published"):
        publish_dataset(edition=edition, kind="emails")
    assert not PublishedDataset.objects.exists()


# --- the Hub -------------------------------------------------------------------------------


def test_with_a_token_the_dataset_goes_to_the_organization_and_loads_back(
    edition, collected, organizer, fake_hub, settings, tmp_path
):
    settings.HF_TOKEN = TOKEN
    repo_id = f"{ORG}/{edition.slug}-include"

    published = publish_dataset(edition=edition, kind="include", by=organizer)

    assert (published.target, published.on_hub, published.rows) == (repo_id, True, 1)
    files = fake_hub.state.repo_files("dataset", repo_id)
    assert {"README.md", "data/train.parquet"} <= set(files)
    assert published.commit == fake_hub.state.find("dataset", repo_id)["sha"]
    assert b"apache-2.0" in files["README.md"]
    # Every upload request carried the token.
    uploads = [r for r in fake_hub.state.requests if r["method"] == "POST"]
    assert uploads and all(r["auth"] == f"Bearer {TOKEN}" for r in uploads)

    from huggingface_hub import snapshot_download

    path = snapshot_download(
        repo_id,
        repo_type="dataset",
        cache_dir=str(tmp_path / "hub-cache"),
        endpoint=fake_hub.url,
        token=TOKEN,
    )
    assert load(path, tmp_path) == INCLUDE_ROWS


def test_publishing_to_the_hub_twice_reuses_the_repository(edition, collected, fake_hub, settings):
    settings.HF_TOKEN = TOKEN
    first = publish_dataset(edition=edition, kind="stereotypes")
    second = publish_dataset(edition=edition, kind="stereotypes")

    assert first.target == second.target
    assert len(fake_hub.state.repos["dataset"]) == 1
    assert PublishedDataset.objects.count() == 2


def test_a_hub_error_is_refused_without_the_token(edition, collected, fake_hub, settings, caplog):
    settings.HF_TOKEN = TOKEN
    # The fake echoes the Authorization header it received in its error message.
    fake_hub.state.errors["/api/repos/create"] = (500, "X", "boom")

    with pytest.raises(PublishRefused) as refused:
        publish_dataset(edition=edition, kind="blend")

    message = str(refused.value.message)
    assert "boom" in message
    assert f"{ORG}/{edition.slug}-blend" in message
    assert TOKEN not in message
    assert TOKEN not in str(refused.value)
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert TOKEN not in caplog.text
    assert not PublishedDataset.objects.exists()


def test_a_folder_wins_over_the_token(edition, collected, fake_hub, settings, tmp_path):
    settings.HF_TOKEN = TOKEN
    published = publish_dataset(edition=edition, kind="blend", folder=tmp_path / "here")

    assert published.on_hub is False
    assert load(tmp_path / "here", tmp_path) == BLEND_ROWS
    assert not fake_hub.state.repos["dataset"]


def test_a_request_queues_one_publication_sent_once_committed(
    edition, collected, organizer, django_capture_on_commit_callbacks
):
    sent = []
    with django_capture_on_commit_callbacks() as callbacks:
        queued = request_publication(
            edition=edition, kind="blend", by=organizer, enqueue=sent.append
        )
        assert sent == []  # nothing is sent before the transaction commits
    assert (queued.status, queued.published_by, queued.rows) == ("queued", organizer, 0)
    for callback in callbacks:
        callback()
    assert sent == [queued.pk]
    # Asked again while it waits: the same publication, nothing more queued.
    again = request_publication(edition=edition, kind="blend", by=organizer, enqueue=sent.append)
    assert again == queued and PublishedDataset.objects.count() == 1


@pytest.mark.parametrize(
    ("kind", "message"), [("stereotypes", "nothing to publish"), ("x", "not a dataset")]
)
def test_a_request_for_nothing_is_refused_at_once(edition, organizer, kind, message):
    with pytest.raises(PublishRefused, match=message):
        request_publication(edition=edition, kind=kind, by=organizer, enqueue=print)
    assert not PublishedDataset.objects.exists()


def test_the_task_publishes_the_queued_publication(edition, collected, organizer, published_dir):
    from hub.tasks import publish_dataset_task

    queued = request_publication(edition=edition, kind="stereotypes", by=organizer, enqueue=print)
    publish_dataset_task(queued.pk)

    published = PublishedDataset.objects.get()
    assert (published.status, published.kind, published.rows, published.on_hub) == (
        "done",
        "stereotypes",
        1,
        False,
    )
    assert published.published_by == organizer and published.finished_at is not None
    assert (published_dir / edition.slug / "stereotypes" / "data" / "train.parquet").is_file()
    # Delivered again: a finished publication is left as it is.
    finished_at = published.finished_at
    publish_dataset_task(queued.pk)
    published.refresh_from_db()
    assert published.finished_at == finished_at and PublishedDataset.objects.count() == 1


def test_the_task_returns_quietly_for_a_publication_that_is_gone(edition):
    from hub.tasks import publish_dataset_task

    assert publish_dataset_task(987654) is None
    assert not PublishedDataset.objects.exists()


def test_a_failed_publication_keeps_the_hubs_reason_without_the_token(
    edition, collected, organizer, fake_hub, settings
):
    from hub.tasks import publish_dataset_task

    settings.HF_TOKEN = TOKEN
    fake_hub.state.errors["/api/repos/create"] = (500, "X", "boom")
    queued = request_publication(edition=edition, kind="include", by=organizer, enqueue=print)
    publish_dataset_task(queued.pk)

    queued.refresh_from_db()
    assert queued.status == "failed" and "boom" in queued.error and TOKEN not in queued.error


# --- the command ---------------------------------------------------------------------------


def test_the_command_prints_one_json_line_per_dataset(edition, collected, tmp_path):
    out = StringIO()
    call_command(
        "publish_datasets",
        "--kind", "include", "--kind", "blend", "--folder", str(tmp_path / "out"),
        stdout=out,
    )  # fmt: skip

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["kind"] for line in lines] == ["include", "blend"]
    for line in lines:
        assert line["rows"] == 1
        assert line["on_hub"] is False
        assert line["commit"] == ""
        assert line["target"] == str((tmp_path / "out" / line["kind"]).resolve())
    assert load(tmp_path / "out" / "blend", tmp_path) == BLEND_ROWS


def test_the_command_publishes_every_dataset_to_the_default_folder(
    edition, collected, published_dir
):
    out = StringIO()
    call_command("publish_datasets", stdout=out)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted(line["kind"] for line in lines) == sorted(EXPECTED)
    assert PublishedDataset.objects.count() == 4
    assert (published_dir / edition.slug / "stereotypes" / "README.md").is_file()


def test_the_command_says_which_dataset_failed(edition, collected):
    out = StringIO()
    collected["include"].delete()

    with pytest.raises(CommandError, match="1 of 2 datasets were not published"):
        call_command("publish_datasets", "--kind", "include", "--kind", "blend", stdout=out)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[0]["kind"] == "include" and "nothing to publish" in lines[0]["error"]
    assert lines[1]["kind"] == "blend" and lines[1]["rows"] == 1


# --- the organizers' page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 403),
        ("judge", 403),
        ("other_team_member", 403),
        ("organizer", 200),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_permission_matrix(client, edition, collected, request, role, expected, method):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = getattr(client, method)(URL, {"kind": "include"} if method == "post" else None)

    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif method == "post" and expected == 200:
        assert response.status_code == 302 and response["Location"] == URL
    else:
        assert response.status_code == expected
    published = PublishedDataset.objects.exists()
    assert published == (method == "post" and role == "organizer")


def test_the_page_lists_the_datasets_and_the_publications(client, edition, collected, organizer):
    publish_dataset(edition=edition, kind="include", by=organizer)
    client.force_login(organizer)

    content = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "accepted INCLUDE questions" in content
    assert "Publish stereotype ratings" in content
    assert organizer.profile.display_name in content
    assert str(PublishedDataset.objects.get().target) in content


def make_publications(edition, count):
    for _number in range(count):
        PublishedDataset.objects.create(
            edition=edition, kind="include", target="x", rows=1, published_by=UserFactory()
        )


def test_the_page_query_count_is_constant(
    client, edition, collected, organizer, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(organizer)
    make_publications(edition, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    make_publications(edition, 2)
    with django_assert_num_queries(len(one)):
        assert client.get(URL).status_code == 200


def test_posting_queues_the_publication_and_the_page_follows_it(
    client, edition, collected, organizer, published_dir, django_capture_on_commit_callbacks
):
    client.force_login(organizer)

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(URL, {"kind": "blend"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert "“validated BLEND answers” is being published" in content
    assert 'hx-trigger="every 2s"' in content  # the list refreshes itself while it runs
    published = PublishedDataset.objects.get()
    assert (published.kind, published.published_by, published.status) == (
        "blend",
        organizer,
        "queued",
    )
    assert len(callbacks) == 1
    # The worker publishes it; the list, asked for by htmx, shows the result and stops asking.
    from hub.tasks import publish_dataset_task

    publish_dataset_task(published.pk)
    partial = client.get(URL, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "every 2s" not in partial and "<h1>" not in partial
    assert "validated BLEND answers" in partial and "train.parquet" in partial
    assert (published_dir / edition.slug / "blend" / "data" / "train.parquet").is_file()


def test_a_local_publications_files_are_downloaded_and_nothing_else(
    client, edition, collected, organizer, published_dir
):
    published = publish_dataset(edition=edition, kind="include", by=organizer)
    client.force_login(organizer)
    folder = published_dir / edition.slug / "include"
    for name, path in [("README.md", "README.md"), ("train.parquet", "data/train.parquet")]:
        response = client.get(f"{URL}{published.pk}/{name}")
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == (folder / path).read_bytes()
    for name in ["dpo.parquet", "data", "..", "settings.py"]:
        assert client.get(f"{URL}{published.pk}/{name}").status_code == 404
    other = PublishedDataset.objects.create(
        edition=EditionFactory(is_current=False), kind="include", target=str(folder), rows=1
    )
    assert client.get(f"{URL}{other.pk}/README.md").status_code == 404  # another edition's


@pytest.mark.parametrize("data", [{"kind": "emails"}, {}, {"kind": ""}])
def test_a_bad_post_says_why_and_records_nothing(client, edition, collected, organizer, data):
    client.force_login(organizer)

    response = client.post(URL, data, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "is not a dataset that can be published" in response.content.decode()
    assert not PublishedDataset.objects.exists()


def test_posting_an_empty_dataset_says_there_is_nothing(client, edition, organizer):
    client.force_login(organizer)

    response = client.post(URL, {"kind": "stereotypes"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert "nothing to publish" in response.content.decode()
    assert not PublishedDataset.objects.exists()


def test_posting_with_a_hub_error_shows_it_without_the_token(
    client,
    edition,
    collected,
    organizer,
    fake_hub,
    settings,
    eager_tasks,
    django_capture_on_commit_callbacks,
):
    settings.HF_TOKEN = TOKEN
    fake_hub.state.errors["/api/repos/create"] = (500, "X", "boom")
    client.force_login(organizer)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"kind": "include"})
    content = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "boom" in content
    assert TOKEN not in content
    assert PublishedDataset.objects.get().status == "failed"
