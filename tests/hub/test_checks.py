"""The pure rules of hub.checks: card checklists, naming, deadlines, team links."""

import datetime as dt

import pytest

from hub.checks import (
    CardError,
    check_card,
    check_dataset_name,
    check_deadline,
    column_names,
    decide_link,
    people_among,
    split_card,
)

GOOD_DATASET_CARD = """---
license: apache-2.0
language: [es]
dataset_info:
  features:
    - name: prompt
    - name: chosen
    - name: rejected
---
# Preferencias culturales

## Motivación e impacto
Evaluar modelos en contextos latinoamericanos.

## Proceso
Los datos se generaron en la arena y se procesaron con pandas. Código: https://github.com/somos/x

## Sesgos
Evaluamos el sesgo por país.
"""

GOOD_MODEL_CARD = """---
license: apache-2.0
datasets: [somos/prefs-dpo]
co2_eq_emissions:
  emissions: 12.5
---
# Modelo
Motivation: impact on Spanish speakers. Training process documented; code on github.com/somos/m.
Bias evaluation included.
"""


def keys_missing(items):
    return {item.key for item in items if not item.ok}


def test_a_complete_dataset_card_passes_every_item():
    items = check_card(repo_type="dataset", readme=GOOD_DATASET_CARD, files=["README.md"])

    assert keys_missing(items) == set()
    assert [item.key for item in items] == [
        "card",
        "metadata",
        "motivation",
        "process",
        "code",
        "license",
        "bias",
    ]
    assert not any(item.warning for item in items)


def test_an_empty_card_misses_everything_but_readable_metadata():
    items = check_card(repo_type="dataset", readme="", files=[])

    assert keys_missing(items) == {"card", "motivation", "process", "code", "license", "bias"}


def test_a_licence_other_than_apache_without_a_reason_is_a_warning():
    card = "---\nlicense: mit\n---\n# Datos\n"
    license_item = next(
        i for i in check_card(repo_type="dataset", readme=card) if i.key == "license"
    )
    assert (license_item.ok, license_item.warning) == (True, True)
    assert "mit" in license_item.detail

    explained = card + "Elegimos la licencia MIT porque el corpus de origen la usa.\n"
    license_item = next(
        i for i in check_card(repo_type="dataset", readme=explained) if i.key == "license"
    )
    assert (license_item.ok, license_item.warning) == (True, False)


def test_a_model_card_needs_emissions_dataset_links_and_notebooks():
    with_notebook = check_card(
        repo_type="model", readme=GOOD_MODEL_CARD, files=["README.md", "train.ipynb"]
    )
    assert keys_missing(with_notebook) == set()
    notebooks = next(i for i in with_notebook if i.key == "notebooks")
    assert notebooks.detail == "train.ipynb"

    bare = "---\nlicense: apache-2.0\n---\n# Modelo\n"
    assert {"environment", "dataset_links", "notebooks"} <= keys_missing(
        check_card(repo_type="model", readme=bare, files=["README.md", "model.safetensors"])
    )


def test_a_space_links_the_team_repos_and_must_be_running():
    card = (
        "---\nsdk: gradio\n---\n# Demo\nMotivación e impacto. Ideas futuras. Equipo: Ana, Luis.\n"
        "Modelo: somos/modelo-a · Datos: somos/prefs-dpo\n"
    )
    items = check_card(
        repo_type="space",
        readme=card,
        runtime_stage="RUNNING",
        team_repos=["somos/modelo-a", "somos/prefs-dpo"],
    )
    assert keys_missing(items) == set()
    sdg = next(i for i in items if i.key == "sdg")
    assert (sdg.ok, sdg.warning) == (True, True)  # optional: a reminder, not a failure

    stopped = check_card(
        repo_type="space",
        readme=card,
        runtime_stage="PAUSED",
        team_repos=["somos/modelo-a", "somos/otro-dataset"],
    )
    assert keys_missing(stopped) == {"links", "running"}
    links = next(i for i in stopped if i.key == "links")
    assert links.detail == "somos/otro-dataset"


def test_broken_card_yaml_is_reported_not_raised():
    broken = "---\nlicense: [apache-2.0\n---\n# x\n"
    with pytest.raises(CardError):
        split_card(broken)
    items = check_card(repo_type="dataset", readme=broken)
    metadata = next(i for i in items if i.key == "metadata")
    assert not metadata.ok
    assert metadata.detail


def test_column_names_come_from_dataset_info_of_any_config():
    metadata, _text = split_card(GOOD_DATASET_CARD)
    assert column_names(metadata) == {"prompt", "chosen", "rejected"}
    assert column_names({"dataset_info": [{"features": [{"name": "Image"}]}]}) == {"image"}
    assert column_names({}) == set()


@pytest.mark.parametrize(
    ("name", "columns", "track", "missing"),
    [
        ("prefs-dpo", {"prompt", "chosen", "rejected"}, "", set()),
        ("preferencias", {"prompt", "chosen", "rejected"}, "", {"name_dpo"}),
        ("prefs-kto", {"prompt", "completion", "label"}, "", set()),
        ("prefs", {"prompt", "completion", "label"}, "", {"name_kto"}),
        ("arena-prompts", {"prompt", "pais"}, "", set()),
        ("arena", {"prompt", "pais"}, "", {"name_prompt"}),
        ("fotos-image", {"image", "caption"}, "B", set()),
        ("fotos", {"caption"}, "B", {"name_image"}),
        ("vqa-dpo-image", {"image", "chosen", "rejected"}, "B", set()),
    ],
)
def test_dataset_names_say_what_they_hold(name, columns, track, missing):
    items = check_dataset_name(name=name, columns=columns, track=track)
    assert {item.key for item in items if not item.ok} == missing


def test_a_name_without_any_keyword_is_only_a_warning_when_the_columns_say_nothing():
    (item,) = check_dataset_name(name="corpus", columns=set())
    assert (item.ok, item.warning) == (True, True)
    (item,) = check_dataset_name(name="corpus-dpo", columns=set())
    assert (item.ok, item.warning) == (True, False)


def commit(sha, date, *authors):
    return {"id": sha, "title": sha, "authors": list(authors or ["ana"]), "date": date}


DEADLINE = dt.datetime(2025, 6, 1, 11, 59, tzinfo=dt.UTC)  # 31 May 23:59 AoE


def test_commits_after_the_deadline_and_the_commit_at_the_deadline():
    commits = [
        commit("c4", "2025-06-02T09:00:00Z", "luis"),
        commit("c3", "2025-06-01T11:59:01Z"),  # one second late
        commit("c2", "2025-06-01T11:59:00Z"),  # exactly at the deadline: on time
        commit("c1", "2025-05-20T10:00:00Z"),
    ]
    report = check_deadline(commits=commits, deadline=DEADLINE)

    assert [c["id"] for c in report.late_commits] == ["c4", "c3"]
    assert report.late_commits[0]["authors"] == ["luis"]
    assert report.commit_at_deadline["id"] == "c2"


def test_a_repository_created_after_the_deadline_has_no_commit_at_it():
    report = check_deadline(commits=[commit("c1", "2025-06-03T00:00:00Z")], deadline=DEADLINE)
    assert report.commit_at_deadline is None
    assert len(report.late_commits) == 1
    assert check_deadline(commits=[commit("c1", "2025-06-03T00:00:00Z")], deadline=None) == (
        check_deadline(commits=[], deadline=None)
    )


NAMES = {1: "Alpaca", 2: "Llama", 3: "Vicuña"}


@pytest.mark.parametrize(
    ("declared", "authors", "expected"),
    [
        (set(), {}, ("none", None)),
        ({1}, {}, ("declared", 1)),
        ({1}, {"ana": 1}, ("declared", 1)),
        ({1}, {"ana": 2, "luis": 2}, ("conflict", None)),
        ({1}, {"ana": 2, "luis": 1}, ("declared", 1)),  # mixed authors prove nothing
        ({1, 2}, {"ana": 1}, ("conflict", None)),
        (set(), {"ana": 2, "luis": 2}, ("proposed", 2)),
        (set(), {"ana": 2, "outsider": None}, ("none", None)),
        (set(), {"ana": 2, "luis": 3}, ("none", None)),
    ],
)
def test_which_team_a_repository_belongs_to(declared, authors, expected):
    decision = decide_link(declared_by=declared, author_teams=authors, team_names=NAMES)
    assert (decision.status, decision.team_id) == expected
    if decision.status == "conflict":
        assert decision.note


def test_a_conflict_note_names_the_teams():
    decision = decide_link(declared_by={1, 3}, author_teams={}, team_names=NAMES)
    assert "Alpaca" in decision.note and "Vicuña" in decision.note


def test_an_organizers_confirmation_stands_against_declarations_and_commits():
    decision = decide_link(
        declared_by={1, 2},
        author_teams={"ana": 3},
        team_names=NAMES,
        confirmed_team_id=2,
        confirmed=True,
    )
    assert (decision.status, decision.team_id) == ("confirmed", 2)


def test_bots_and_the_hub_are_not_authors():
    assert people_among(["system", "Ana", "platform-bot", ""]) == {"ana"}
