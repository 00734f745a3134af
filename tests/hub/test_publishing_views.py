"""Publishing from the command line and from the organizers' page: permissions, the queued
publication followed by htmx, downloads, bad input."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hub.models import PublishedDataset
from hub.publishing import (
    publish_dataset,
)
from tests.factories import EditionFactory, UserFactory
from tests.hub.publishing_data import (
    BLEND_ROWS,
    EXPECTED,
    TOKEN,
    URL,
    load,
    without_provenance,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("published_dir")]

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
    assert without_provenance(load(tmp_path / "out" / "blend", tmp_path)) == BLEND_ROWS


def test_the_command_sets_the_visibility_on_the_hub(edition, collected, fake_hub, settings):
    settings.HF_TOKEN = TOKEN
    out = StringIO()
    call_command("publish_datasets", "--kind", "blend", "--visibility", "private", stdout=out)

    line = json.loads(out.getvalue())
    assert (line["visibility"], line["unchanged"], line["on_hub"]) == ("private", False, True)
    assert fake_hub.state.find("dataset", line["target"])["private"] is True


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


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_the_request_publishes_and_says_so(
    client, edition, collected, organizer, published_dir
):
    # Eager Celery (the demo): the task runs as soon as the publication is committed.
    client.force_login(organizer)

    response = client.post(URL, {"kind": "blend"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert "Published 1 row of “validated BLEND answers”" in content
    assert PublishedDataset.objects.get().status == "done"
    assert 'hx-trigger="every 2s"' not in content


def test_organizers_choose_the_visibility_on_the_page(
    client, edition, collected, organizer, fake_hub, settings, django_capture_on_commit_callbacks
):
    settings.HF_TOKEN = TOKEN
    client.force_login(organizer)
    page = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # INCLUDE is a benchmark: offered private by default; the others public.
    assert '<option value="private" selected>' in page.split('name="kind" value="include"')[1]
    assert '<option value="public" selected>' in page.split('name="kind" value="blend"')[1]

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"kind": "include", "visibility": "gated"})
    published = PublishedDataset.objects.get()
    assert (published.visibility, published.status) == ("gated", "done")
    assert fake_hub.state.find("dataset", published.target)["gated"] == "auto"


def test_a_bad_visibility_is_refused_on_the_page(client, edition, collected, organizer):
    client.force_login(organizer)
    response = client.post(
        URL, {"kind": "include", "visibility": "everyone"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "is not a visibility" in response.content.decode()
    assert not PublishedDataset.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_publishing_again_with_nothing_changed_says_so(client, edition, collected, organizer):
    client.force_login(organizer)
    # The card is written in the organizer's language: the same language, the same files.
    client.post(URL, {"kind": "blend"}, HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(URL, {"kind": "blend"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert "has not changed since its last publication" in response.content.decode()
    assert list(PublishedDataset.objects.values_list("unchanged", flat=True)) == [True, False]
