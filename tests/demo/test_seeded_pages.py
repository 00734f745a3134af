"""The demo's seeded content reads as real content on the Spanish pages: no bookkeeping ids
("seed-ES-00000", "(#0-1)", "(12-3)") where participants read it, and no English topics,
domains or levels beside Spanish text."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from accounts.models import User
from challenges.include.models import Exam
from tests.test_no_spanish_on_other_languages import visible_text

pytestmark = pytest.mark.django_db

EDITION_FILE = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"
RAW_ID = re.compile(r"\bseed-[\w-]+|\(#\d+-\d+\)|\(\d+-\d\)")
# The English topics, domains and levels the seeders used to store.
ENGLISH = re.compile(
    r"\b(Food|Sport|Family|Education|Holidays|Celebration|Leisure|Work life|History|"
    r"Geography|Law|Language|Mathematics|Primary school|Secondary school|"
    r"University entrance|Professional|Driving licence)\b"
)


def findings(client, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200, path
        text = visible_text(response.content.decode())
        words = sorted(set(RAW_ID.findall(text)) | set(ENGLISH.findall(text)))
        if words:
            found[path] = words
    return found


@pytest.fixture
def seeded(db):
    call_command("load_edition", str(EDITION_FILE))
    call_command("seed_demo", teams=3, participants=12, items=300)


def test_a_participant_reads_seeded_content_as_real_spanish(client, seeded):
    """Every participant's page, for several demo people (their countries and languages
    differ): their exams, answers and prompts, the questions and pairs put to them."""
    found = {}
    for person in User.objects.filter(email__startswith="demo-").order_by("pk")[:4]:
        client.force_login(person)
        exams = Exam.objects.filter(author=person).values_list("pk", flat=True)[:2]
        paths = [
            "/", "/leaderboard/", "/teams/", "/team/", "/profile/",
            "/challenges/include/", "/include/include/",
            *[f"/include/include/exams/{pk}/" for pk in exams],
            "/blend/blend/", "/blend/blend/mine/", "/blend/blend/validate/",
            "/preferences/preferences/", "/preferences/preferences/validate/",
            "/stereotypes/stereotypes/",
        ]  # fmt: skip
        found |= {
            f"{person.email} {path}": words for path, words in findings(client, paths).items()
        }
    assert found == {}


def test_organizers_read_no_english_topics_in_the_seeded_content(client, seeded, organizer):
    """Organizers' tables name ids in an id column; the rest is the contributors' language."""
    client.force_login(organizer)
    found = findings(client, ["/include/include/organize/exams/", "/blend/blend/questions/"])
    assert {
        path: [w for w in words if not w.startswith("seed-")] for path, words in found.items()
    } == {path: [] for path in found}


def test_the_check_sees_what_the_seeders_used_to_show():
    old = "Chile · Food · es · id seed-CL-00003 ¿Cuál de estas afirmaciones sobre history? la república (12-3)"
    assert set(RAW_ID.findall(old)) == {"seed-CL-00003", "(12-3)"}
    assert set(ENGLISH.findall(old)) == {"Food"} and ENGLISH.findall("Secondary school")
