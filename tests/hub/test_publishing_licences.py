"""Every published row keeps its licence: one config per licence, and rows under NC, ND or
unknown licences never in a permissive config; the page counts rows per licence."""

import pytest

from challenges.intake import DatasetForm
from challenges.models import Edition
from hub.publishing import (
    build_rows,
    count_rows_by_license,
    publish_dataset,
    split_by_license,
    write_dataset,
)
from tests.challenges.include.factories import ExamFactory, ExamQuestionFactory
from tests.hub.conftest import VALIDATED
from tests.hub.publishing_data import TOKEN, URL, read_card

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("published_dir")]


@pytest.fixture
def exams(collected, authors):
    """Beside the collected Apache 2.0 exam: an NC exam (2 questions), one of unknown licence
    and one whose licence was written as "CC BY 4.0"."""
    include = collected["include"]
    written = {"nc": "CC BY-NC 4.0", "unknown": "desconocida", "by": "CC BY 4.0"}
    questions = {}
    for key, license_text in written.items():
        exam = ExamFactory(challenge=include, author=authors[0], license=license_text)
        count = 2 if key == "nc" else 1
        questions[key] = [
            ExamQuestionFactory(exam=exam, status=VALIDATED, question=f"¿{key} {n}?")
            for n in range(count)
        ]
    return questions


def load_config(folder, name, tmp_path):
    from datasets import load_dataset

    dataset = load_dataset(str(folder), name, split="train", cache_dir=str(tmp_path / "cache"))
    return dataset.to_list()


def test_each_licence_is_a_config_and_no_row_is_under_a_more_permissive_one(
    edition, exams, tmp_path
):
    folder = tmp_path / "include"
    write_dataset(edition=edition, kind="include", folder=folder)

    metadata = read_card(folder / "README.md")
    configs = {
        config["config_name"]: config["data_files"][0]["path"] for config in metadata["configs"]
    }
    assert configs == {
        "default": "data/train.parquet",
        "cc-by-4.0": "cc-by-4.0/train.parquet",
        "cc-by-nc-4.0": "cc-by-nc-4.0/train.parquet",
        "unknown": "unknown/train.parquet",
    }
    assert metadata["license"] == ["apache-2.0", "cc-by-4.0", "cc-by-nc-4.0", "unknown"]
    by_config = {name: load_config(folder, name, tmp_path) for name in configs}
    assert [row["question"] for row in by_config["cc-by-nc-4.0"]] == ["¿nc 0?", "¿nc 1?"]
    assert [row["question"] for row in by_config["unknown"]] == ["¿unknown 0?"]
    assert [row["question"] for row in by_config["cc-by-4.0"]] == ["¿by 0?"]
    assert [row["question"] for row in by_config["default"]] == ["¿En qué año se fundó Lima?"]
    for name, rows in by_config.items():
        expected = "apache-2.0" if name == "default" else name
        assert {row["license"] for row in rows} == {expected}
    # Every row is in exactly one config, as build_rows gives it.
    published = sorted((row for rows in by_config.values() for row in rows), key=str)
    assert published == sorted(build_rows(edition=edition, kind="include"), key=str)
    info = {config["config_name"]: config for config in metadata["dataset_info"]}
    assert info["cc-by-nc-4.0"]["splits"][0]["num_examples"] == 2


def test_without_a_permissive_row_there_is_no_default_config(edition, authors, tmp_path):
    exam = ExamFactory(author=authors[0], challenge__edition=edition, license="CC BY-NC-ND")
    ExamQuestionFactory(exam=exam, status=VALIDATED)

    write_dataset(edition=edition, kind="include", folder=tmp_path / "out")

    metadata = read_card(tmp_path / "out" / "README.md")
    assert [config["config_name"] for config in metadata["configs"]] == ["cc-by-nc-nd-4.0"]
    assert metadata["license"] == "cc-by-nc-nd-4.0"
    assert not (tmp_path / "out" / "data").exists()
    assert load_config(tmp_path / "out", "cc-by-nc-nd-4.0", tmp_path)[0]["license"] == (
        "cc-by-nc-nd-4.0"
    )


def test_contributions_are_under_the_editions_licence(edition, collected, tmp_path):
    edition.contribution_license = "cc-by-sa-4.0"
    edition.save()

    write_dataset(edition=edition, kind="preferences", folder=tmp_path / "out")

    metadata = read_card(tmp_path / "out" / "README.md")
    assert metadata["license"] == "cc-by-sa-4.0"
    names = ["default", "dpo", "kto", "prompts"]
    assert [config["config_name"] for config in metadata["configs"]] == names
    info = {config["config_name"]: config for config in metadata["dataset_info"]}
    for name, rows in zip(names, [1, 1, 2, 1], strict=True):
        loaded = load_config(tmp_path / "out", name, tmp_path)
        assert len(loaded) == info[name]["splits"][0]["num_examples"] == rows
        assert {row["contributor"] for row in loaded} != {""}


def test_the_counts_are_per_licence(edition, exams, django_assert_num_queries):
    with django_assert_num_queries(4):  # one per kind
        counts = count_rows_by_license(edition=edition)

    assert counts == {
        "preferences": {"apache-2.0": 1},
        "include": {"apache-2.0": 1, "cc-by-4.0": 1, "cc-by-nc-4.0": 2, "unknown": 1},
        "blend": {"apache-2.0": 1},
        "stereotypes": {"apache-2.0": 1},
    }


def test_the_page_shows_the_rows_per_licence_before_publishing(client, exams, organizer):
    client.force_login(organizer)
    page = client.get(URL).content.decode()

    table = page.split('id="rows-by-licence-include"')[1].split("</table>")[0]
    for license_id, rows in [
        ("apache-2.0", 1),
        ("cc-by-4.0", 1),
        ("cc-by-nc-4.0", 2),
        ("unknown", 1),
    ]:
        assert f"<td><code>{license_id}</code></td><td>{rows}</td>" in table


def test_the_downloads_offer_every_config(client, edition, exams, organizer):
    publication = publish_dataset(edition=edition, kind="include", by=organizer)
    client.force_login(organizer)
    for name in ["train.parquet", "cc-by-4.0.parquet", "cc-by-nc-4.0.parquet", "unknown.parquet"]:
        response = client.get(f"{URL}{publication.pk}/{name}")
        assert response.status_code == 200, name
    assert client.get(f"{URL}{publication.pk}/dpo.parquet").status_code == 404


def test_the_hub_accepts_a_card_with_several_licences(edition, exams, fake_hub, settings):
    settings.HF_TOKEN = TOKEN

    published = publish_dataset(edition=edition, kind="include")

    files = fake_hub.state.repo_files("dataset", published.target)
    assert {"data/train.parquet", "cc-by-nc-4.0/train.parquet", "unknown/train.parquet"} <= set(
        files
    )
    assert b"- cc-by-nc-4.0\n" in files["README.md"]


def test_configs_are_named_after_their_form_and_licence():
    edition = Edition(contribution_license="apache-2.0")
    form = DatasetForm(name="dpo", columns={"license": "string"}, rows=lambda challenge: [])
    rows = [{"license": "unknown"}, {"license": "cc-by-4.0"}, {"license": "cc-by-nc-4.0"}]

    configs = split_by_license(edition=edition, index=1, form=form, rows=rows)

    # Without the edition's licence, the first permissive one is the form's own config.
    assert [(c.name, c.license, c.path) for c in configs] == [
        ("dpo", "cc-by-4.0", "dpo/train.parquet"),
        ("dpo-cc-by-nc-4.0", "cc-by-nc-4.0", "dpo-cc-by-nc-4.0/train.parquet"),
        ("dpo-unknown", "unknown", "dpo-unknown/train.parquet"),
    ]
    # A form without rows is one empty config under the edition's licence.
    [empty] = split_by_license(edition=edition, index=1, form=form, rows=[])
    assert (empty.name, empty.license, empty.rows) == ("dpo", "apache-2.0", [])
