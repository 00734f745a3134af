"""Assignments from the data: conflicts found (own team, commits, declared, country), the
command's JSON line, hand edits, and the CSV round trip."""

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from hub.models import HubRepo
from judging.domain.assigning import (
    AssignmentRefused,
    assign_by_hand,
    export_assignments,
    import_assignments,
    run_assignment,
)
from judging.domain.conflicts import declare_conflict, find_conflicts
from judging.models import Assignment, EditionJudge
from scoring.models import Criterion
from tests.factories import ChallengeFactory, UserFactory, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(edition, roles):
    challenge = ChallengeFactory(
        edition=edition, slug="demo", kind="demo", category="deliverable",
        max_points=Decimal("0.5"), scoring={"rule": "judged"},
    )  # fmt: skip
    Criterion.objects.create(challenge=challenge, label_es="Claridad", position=1)
    teams = [make_team(edition=edition, name=f"Equipo {n}") for n in range(6)]
    judges = []
    for number in range(4):
        person = UserFactory(email=f"juez{number}@example.org")
        person.profile.hub_username, person.profile.country = f"juez{number}", ""
        person.profile.save()
        person.groups.add(roles["judges"])
        EditionJudge.objects.create(edition=edition, user=person, capacity=6)
        judges.append(person)
    return {"challenge": challenge, "teams": teams, "judges": judges, "edition": edition}


def test_conflicts_come_from_teams_commits_declarations_and_countries(world):
    edition, teams, judges = world["edition"], world["teams"], world["judges"]
    teams[0].memberships.create(user=judges[0], edition=edition)
    HubRepo.objects.create(
        edition=edition, repo_type="model", repo_id="org/m", team=teams[1],
        commits=[{"id": "a", "title": "", "authors": ["Juez1"], "date": "2025-05-01T00:00:00Z"}],
    )  # fmt: skip
    declare_conflict(edition=edition, judge=judges[2], team=teams[2], reason="amiga", by=judges[2])
    judges[3].profile.country = "MX"
    judges[3].profile.save()
    teams[3].countries = ["PE", "MX"]  # the others: Peru and Spain
    teams[3].save()
    ids = [j.pk for j in judges]
    found = find_conflicts(edition=edition, judge_ids=ids, same_country=True)
    assert set(found) == {
        (judges[0].pk, teams[0].pk), (judges[1].pk, teams[1].pk),
        (judges[2].pk, teams[2].pk), (judges[3].pk, teams[3].pk),
    }  # fmt: skip
    assert (judges[3].pk, teams[3].pk) not in find_conflicts(edition=edition, judge_ids=ids)


def test_the_command_prints_one_json_line_and_avoids_the_conflicts(world):
    teams, judges = world["teams"], world["judges"]
    teams[0].memberships.create(user=judges[0], edition=world["edition"])
    out = io.StringIO()
    call_command(
        "assign_judges", "--challenge", "demo", "--per-team", "2", "--seed", "7", stdout=out
    )
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["teams"] == 6 and summary["judges"] == 4 and summary["assignments"] == 12
    assert (summary["min_load"], summary["max_load"]) == (3, 3)
    assert summary["conflicts_avoided"] == 1 and summary["teams_not_served"] == []
    assert not Assignment.objects.filter(judge=judges[0], team=teams[0]).exists()
    first = set(Assignment.objects.values_list("judge_id", "team_id"))
    call_command(
        "assign_judges", "--challenge", "demo", "--per-team", "2", "--seed", "7", stdout=out
    )
    assert set(Assignment.objects.values_list("judge_id", "team_id")) == first


def test_teams_not_served_say_why(world):
    for person in world["judges"][1:]:
        EditionJudge.objects.filter(user=person).delete()
    summary = run_assignment(challenge=world["challenge"], per_team=2)
    assert len(summary["teams_not_served"]) == 6
    assert (
        summary["teams_not_served"][0]["why"] == "not enough judges without a conflict of interest"
    )


def test_hand_edits_refuse_conflicts_and_are_kept_by_a_new_run(world):
    challenge, teams, judges = world["challenge"], world["teams"], world["judges"]
    declare_conflict(edition=world["edition"], judge=judges[0], team=teams[5], reason="", by=None)
    with pytest.raises(AssignmentRefused, match="conflict of interest"):
        assign_by_hand(challenge=challenge, team=teams[5], judge=judges[0])
    assign_by_hand(challenge=challenge, team=teams[4], judge=judges[0])
    run_assignment(challenge=challenge, per_team=1, seed=1)
    kept = Assignment.objects.get(challenge=challenge, team=teams[4])
    assert kept.judge == judges[0] and kept.source == Assignment.Source.MANUAL
    assert Assignment.objects.filter(challenge=challenge).count() == 6


def test_the_csv_round_trip_gives_the_same_assignments(world):
    challenge = world["challenge"]
    run_assignment(challenge=challenge, per_team=2, seed=3)
    before = set(Assignment.objects.values_list("judge_id", "team_id", "source"))
    text = export_assignments(challenge=challenge)
    assert text.splitlines()[0] == "challenge,team_id,team,judge_email,source"
    Assignment.objects.all().delete()
    assert import_assignments(challenge=challenge, text=text) == 12
    assert set(Assignment.objects.values_list("judge_id", "team_id", "source")) == before
    assert export_assignments(challenge=challenge) == text


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("999999,nobody@example.org", "unknown team"),
        ("{team},nobody@example.org", "not a judge of the edition"),
        ("{team},{own}", "a conflict of interest"),
    ],
)
def test_a_bad_csv_row_changes_nothing(world, row, message):
    challenge, teams, judges = world["challenge"], world["teams"], world["judges"]
    teams[0].memberships.create(user=judges[0], edition=world["edition"])
    run_assignment(challenge=challenge, per_team=1)
    before = set(Assignment.objects.values_list("pk", flat=True))
    text = "team_id,judge_email\n" + row.format(team=teams[0].pk, own=judges[0].email) + "\n"
    with pytest.raises(AssignmentRefused, match=message):
        import_assignments(challenge=challenge, text=text)
    assert set(Assignment.objects.values_list("pk", flat=True)) == before


def test_the_assignment_page_runs_and_imports(client, organizer, world):
    client.force_login(organizer)
    url = "/organize/judging/demo/assignment/"
    response = client.post(f"{url}run/", {"seed": "2"})
    assert response.status_code == 302
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "6 teams, 4 judges, loads from 4 to 5, 0 conflicts avoided." in page
    bad = io.BytesIO(b"\xff\xfe\x00bad")
    bad.name = "a.csv"
    client.post(f"{url}import/", {"file": bad}, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "The file must be UTF-8 text." in page
    assert Assignment.objects.count() == 18


def test_organizers_declare_a_conflict_from_the_assignment_page(client, organizer, world):
    challenge, teams, judges = world["challenge"], world["teams"], world["judges"]
    run_assignment(challenge=challenge, per_team=4)
    client.force_login(organizer)
    client.post(
        "/organize/judging/demo/assignment/hand/",
        {"team": teams[0].pk, "judge": judges[1].pk, "conflict": "1"},
    )
    assert not Assignment.objects.filter(team=teams[0], judge=judges[1]).exists()
    assert (judges[1].pk, teams[0].pk) in find_conflicts(
        edition=world["edition"], judge_ids=[judges[1].pk]
    )
