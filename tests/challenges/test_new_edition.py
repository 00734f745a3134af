"""`manage.py new_edition` writes a later edition's file from an earlier one: every date moved,
the rest kept, ready to edit and load."""

import datetime as dt
import shutil
import tomllib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from challenges.domain import load_edition, read_edition_file
from challenges.domain.edition_copies import shift_edition_file
from challenges.models import Challenge, Edition

EDITIONS = Path(__file__).resolve().parents[2] / "editions"
SHIPPED = EDITIONS / "somosnlp-2025.toml"
MOMENTS = ["opens_at", "closes_at", "announced_closes_at"]


def without_slug(data: dict) -> dict:
    data["edition"].pop("slug")
    return data


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "editions"
    shutil.copytree(EDITIONS, target)
    return target


def test_the_written_file_moves_every_date_and_keeps_the_rest(folder):
    call_command(
        "new_edition",
        "--from",
        str(folder / "somosnlp-2025.toml"),
        "--slug",
        "somosnlp-2026",
        "--starting-on",
        "2026-04-08",
    )
    written = (folder / "somosnlp-2026.toml").read_text(encoding="utf-8")
    new = tomllib.loads(written)
    old = tomllib.loads(SHIPPED.read_text(encoding="utf-8"))
    shift = dt.date(2026, 4, 8) - dt.date(2025, 4, 9)
    assert new["edition"]["slug"] == "somosnlp-2026"
    assert new["edition"]["team_deadline"] == old["edition"]["team_deadline"] + shift
    for before, after in zip(old["challenges"], new["challenges"], strict=True):
        for key in ("opens", "closes", "announced_closes"):
            assert after.get(key) == (before[key] + shift if key in before else None)
        # Everything else is as it was: texts, quiz, data files, scoring.
        assert {
            k: v for k, v in after.items() if k not in {"opens", "closes", "announced_closes"}
        } == {k: v for k, v in before.items() if k not in {"opens", "closes", "announced_closes"}}
    # A date inside a string (the consent version) is text, and stays.
    assert new["edition"]["consent_version"] == old["edition"]["consent_version"]
    assert new["edition"]["awards"] == old["edition"]["awards"]
    # The comments are kept, and the header says where the file came from.
    assert written.startswith("# Written by `manage.py new_edition --from")
    assert "# The question bank, read as an organizers' upload" in written


@pytest.mark.django_db
def test_the_written_file_loads_as_the_original_moved_to_that_day(folder):
    call_command(
        "new_edition", "--from", str(folder / "somosnlp-2025.toml"), "--slug", "somosnlp-2026",
        "--starting-on", "2026-04-08",
    )  # fmt: skip
    call_command("load_edition", str(folder / "somosnlp-2026.toml"))
    new = {c.slug: [getattr(c, m) for m in MOMENTS] for c in Challenge.objects.all()}
    team_deadline = Edition.objects.get(slug="somosnlp-2026").team_deadline
    Edition.objects.all().delete()
    load_edition(data=read_edition_file(SHIPPED), starting_on=dt.date(2026, 4, 8), base_dir=folder)
    moved = {c.slug: [getattr(c, m) for m in MOMENTS] for c in Challenge.objects.all()}
    assert new == moved
    assert team_deadline == Edition.objects.get().team_deadline
    include = Challenge.objects.get(slug="include")
    assert include.opens_at == dt.datetime(2026, 4, 8, 12, 0, tzinfo=dt.UTC)


def test_writing_it_back_to_the_first_day_gives_the_original_data():
    original = SHIPPED.read_text(encoding="utf-8")
    later = shift_edition_file(text=original, slug="later", starting_on=dt.date(2031, 1, 2))
    back = shift_edition_file(text=later, slug="somosnlp-2025", starting_on=dt.date(2025, 4, 9))
    assert back == original
    assert without_slug(tomllib.loads(later)) != without_slug(tomllib.loads(original))


def test_a_date_in_a_comment_or_a_text_is_not_moved():
    text = (
        '# opens 2025-04-09\n[edition]\nslug = "a"\nnote = "until 2025-05-01"\n'
        "long = '''\nfrom 2025-05-02\n'''\n"
        '[[challenges]]\nslug = "x"\nopens = 2025-04-09 # and 2025-04-10\n'
        "closes = 2025-05-31T23:59:59-12:00\n"
    )
    moved = shift_edition_file(text=text, slug="b", starting_on=dt.date(2025, 4, 19))
    assert moved == (
        '# opens 2025-04-09\n[edition]\nslug = "b"\nnote = "until 2025-05-01"\n'
        "long = '''\nfrom 2025-05-02\n'''\n"
        '[[challenges]]\nslug = "x"\nopens = 2025-04-19 # and 2025-04-10\n'
        "closes = 2025-06-10T23:59:59-12:00\n"
    )


def test_an_existing_file_is_not_overwritten(folder):
    with pytest.raises(CommandError, match="exists; nothing written"):
        call_command(
            "new_edition", "--from", str(folder / "somosnlp-2025.toml"), "--slug",
            "somosnlp-2025", "--starting-on", "2026-04-08",
        )  # fmt: skip
    assert (folder / "somosnlp-2025.toml").read_text(encoding="utf-8") == SHIPPED.read_text(
        encoding="utf-8"
    )


def test_a_missing_source_says_so(folder):
    with pytest.raises(CommandError, match="There is no edition file"):
        call_command(
            "new_edition", "--from", str(folder / "nope.toml"), "--slug", "x",
            "--starting-on", "2026-04-08",
        )  # fmt: skip
