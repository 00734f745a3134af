import csv
import importlib
import io
import json
from decimal import Decimal

import pytest

from scoring.domain import recompute_scores
from scoring.judged import JudgingRefused, override_judged_points, submit_review
from scoring.models import Criterion, ScoreChange, TeamScore
from tests.factories import ChallengeFactory, assign_judge, make_team

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def demo_challenge(edition):
    challenge = ChallengeFactory(
        edition=edition,
        slug="demo",
        kind="demo",
        category="deliverable",
        max_points=D("0.5"),
        scoring={"rule": "judged"},
    )
    Criterion.objects.create(
        challenge=challenge, label_es="Claridad", label_en="Clarity", weight=D(1), position=1
    )
    Criterion.objects.create(
        challenge=challenge, label_es="Contenido", label_en="Content", weight=D(3), position=2
    )
    return challenge


def marks_for(challenge, clarity, content):
    first, second = Criterion.objects.filter(challenge=challenge).order_by("position")
    return {first.pk: D(clarity), second.pk: D(content)}


def test_judges_mark_and_the_team_score_follows(
    edition, demo_challenge, judge, django_capture_on_commit_callbacks
):
    team = make_team(edition=edition, name="Quipu")
    with django_capture_on_commit_callbacks(execute=True):
        submit_review(
            challenge=demo_challenge,
            team=team,
            judge=judge,
            marks=marks_for(demo_challenge, 10, 6),
            comment="Bien",
        )
    score = TeamScore.objects.get(team=team, challenge=demo_challenge)
    # (1×10 + 3×6) / (4×10) = 0.7 of 0.5 points.
    assert score.judged_points == D("0.350") and score.points == D("0.350")
    assert score.public_points == 0  # not published yet
    change = ScoreChange.objects.get(team=team)
    assert change.cause == ScoreChange.Cause.JUDGING and change.new_points == D("0.350")


def test_several_judges_aggregate_by_the_challenge_setting(
    edition, demo_challenge, roles, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    team = make_team(edition=edition)
    judges = [UserFactory() for _ in range(3)]
    for person in judges:
        person.groups.add(roles["judges"])
    with django_capture_on_commit_callbacks(execute=True):
        for person, mark in zip(judges, [2, 4, 9], strict=True):
            submit_review(
                challenge=demo_challenge,
                team=team,
                judge=person,
                marks=marks_for(demo_challenge, mark, mark),
            )
    assert TeamScore.objects.get(team=team).judged_points == D("0.250")  # mean 5/10 of 0.5
    demo_challenge.scoring = {"rule": "judged", "aggregate": "median"}
    demo_challenge.save()
    recompute_scores(edition=edition, cause=ScoreChange.Cause.RULES)
    assert TeamScore.objects.get(team=team).judged_points == D("0.200")  # median 4/10 of 0.5


def test_organizers_see_each_judge_and_the_spread(
    client, edition, demo_challenge, roles, organizer
):
    from tests.factories import UserFactory

    team = make_team(edition=edition, name="Colibrí")
    for mark in (2, 9.5):
        person = UserFactory()
        person.groups.add(roles["judges"])
        submit_review(
            challenge=demo_challenge,
            team=team,
            judge=person,
            marks=marks_for(demo_challenge, mark, mark),
        )
    client.force_login(organizer)
    url = f"/organize/judging/{demo_challenge.slug}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    row = page[page.index("Colibrí") :].split("</tr>")[0]
    # Each judge by name, out of 10, then the spread.
    assert ": 2</span> · " in row and ": 9.50</span></td>" in row and "<td>7.50</td>" in row
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert ": 9,50</span></td>" in page and "<td>7,50</td>" in page


def test_judges_never_judge_their_own_team(edition, demo_challenge, judge):
    team = make_team(edition=edition)
    team.memberships.create(user=judge, edition=edition)
    with pytest.raises(JudgingRefused, match="own team"):
        submit_review(
            challenge=demo_challenge, team=team, judge=judge, marks=marks_for(demo_challenge, 5, 5)
        )
    assert not TeamScore.objects.exists()


@pytest.mark.parametrize("bad", [{"missing": True}, {"mark": "11"}, {"mark": "-1"}])
def test_incomplete_or_out_of_range_marks_are_refused(edition, demo_challenge, judge, bad):
    team = make_team(edition=edition)
    marks = marks_for(demo_challenge, 5, bad.get("mark", "5"))
    if bad.get("missing"):
        marks.popitem()
    with pytest.raises(JudgingRefused):
        submit_review(challenge=demo_challenge, team=team, judge=judge, marks=marks)


def test_only_judges_mark(edition, demo_challenge, participant):
    with pytest.raises(JudgingRefused, match="Only judges"):
        submit_review(
            challenge=demo_challenge,
            team=make_team(edition=edition),
            judge=participant,
            marks=marks_for(demo_challenge, 1, 1),
        )


def test_organizers_override_with_a_reason(
    edition, demo_challenge, judge, organizer, django_capture_on_commit_callbacks
):
    team = make_team(edition=edition)
    with django_capture_on_commit_callbacks(execute=True):
        submit_review(
            challenge=demo_challenge, team=team, judge=judge, marks=marks_for(demo_challenge, 0, 0)
        )
        override_judged_points(
            challenge=demo_challenge,
            team=team,
            points=D("0.4"),
            reason="Error de un jurado",
            by=organizer,
        )
    assert TeamScore.objects.get(team=team).judged_points == D("0.4")
    with pytest.raises(JudgingRefused, match="Say why"):
        override_judged_points(
            challenge=demo_challenge, team=team, points=D("0.1"), reason=" ", by=organizer
        )
    with pytest.raises(JudgingRefused, match="from 0 to"):
        override_judged_points(
            challenge=demo_challenge, team=team, points=D("0.6"), reason="x", by=organizer
        )


def test_recompute_twice_changes_nothing(
    edition, demo_challenge, judge, django_capture_on_commit_callbacks
):
    team = make_team(edition=edition)
    with django_capture_on_commit_callbacks(execute=True):
        submit_review(
            challenge=demo_challenge, team=team, judge=judge, marks=marks_for(demo_challenge, 7, 7)
        )
    changes = ScoreChange.objects.count()
    assert recompute_scores(edition=edition, cause=ScoreChange.Cause.RECOMPUTE) == 0
    assert ScoreChange.objects.count() == changes


# The module, not the view of the same name that ``scoring.views`` exports.
leaderboard_views = importlib.import_module("scoring.views.leaderboard")


# --- the leaderboard --------------------------------------------------------------------------


def give(team, challenge, points, counted=0, public=None):
    TeamScore.objects.update_or_create(
        team=team, challenge=challenge,
        defaults={"points": D(points), "public_points": D(public if public is not None else points), "counted": counted},
    )  # fmt: skip


@pytest.fixture
def board(edition):
    include = ChallengeFactory(edition=edition, slug="include", max_points=D(1))
    blend = ChallengeFactory(edition=edition, slug="blend", kind="blend", max_points=D(2))
    teams = [make_team(edition=edition, name=name) for name in ("Cóndor", "Alpaca", "Tucán")]
    for team, countries, track in zip(
        teams, (["PE"], ["MX"], ["ES", "AR"]), ("A", "B", ""), strict=True
    ):
        team.countries, team.track = countries, track
        team.save()
    give(teams[0], include, "1", 200)
    give(teams[0], blend, "1.5", 150)
    give(teams[1], include, "0.5", 120)
    give(teams[1], blend, "2", 210)
    give(teams[2], include, "0.5", 100)
    return {"include": include, "blend": blend, "teams": teams}


def test_leaderboard_ranks_with_shared_ranks(client, board):
    data = client.get("/leaderboard.json").json()
    ranking = [(row["rank"], row["team"], row["total"]) for row in data["rows"]]
    assert ranking == [(1, "Alpaca", "2.5"), (1, "Cóndor", "2.5"), (3, "Tucán", "0.5")]
    row = data["rows"][1]
    assert row["challenges"]["include"] == {"count": 200, "points": "1"}
    assert row["sum"] == "2.5" and row["countries"] == ["PE"]


def test_the_leaderboard_page_writes_points_as_its_language_does(client, board):
    """Points read "2,50" and "0,50" in Spanish, never "0.5" beside them (the JSON keeps "2.5")."""
    import re

    spanish = client.get("/leaderboard/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    table = spanish[spanish.index("<tbody") : spanish.index("</tbody>")]
    assert "<strong>2,50</strong>" in table and "0,50" in table
    assert not re.findall(r">\s*\d+\.\d+\s*<", table)
    english = client.get("/leaderboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<strong>2.50</strong>" in english


def test_leaderboard_filters_and_csv(client, board):
    assert [row["team"] for row in client.get("/leaderboard.json?country=PE").json()["rows"]] == [
        "Cóndor"
    ]
    assert [row["team"] for row in client.get("/leaderboard.json?track=A").json()["rows"]] == [
        "Cóndor"
    ]
    content = b"".join(client.get("/leaderboard.csv").streaming_content).decode("utf-8-sig")
    lines = list(csv.DictReader(io.StringIO(content)))
    assert (
        lines[0]["team"] == "Alpaca"
        and lines[0]["blend_count"] == "210"
        and lines[0]["total"] == "2.5"
    )


def test_leaderboard_is_never_stale_after_a_change(
    client, board, django_capture_on_commit_callbacks
):
    assert client.get("/leaderboard.json").json()["rows"][2]["total"] == "0.5"
    # A real change goes through recompute, which bumps the cached version.
    from scoring.domain import bump_leaderboard_version

    give(board["teams"][2], board["blend"], "2", 300)
    give(board["teams"][2], board["include"], "1", 200)
    bump_leaderboard_version(edition_id=board["include"].edition_id)
    assert client.get("/leaderboard.json").json()["rows"][0]["team"] == "Tucán"


def test_judged_points_are_hidden_until_published(client, board, edition):
    give(board["teams"][2], board["blend"], "2", 0, public="0")
    from scoring.domain import bump_leaderboard_version

    bump_leaderboard_version(edition_id=edition.pk)
    assert client.get("/leaderboard.json").json()["rows"][2]["team"] == "Tucán"


def test_leaderboard_page_renders_and_refreshes(client, board):
    page = client.get("/leaderboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Alpaca" in page and 'hx-trigger="every 30s"' in page and "Last updated" in page
    fragment = client.get("/leaderboard/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="board"' in fragment


@pytest.mark.parametrize("url", ["/leaderboard/", "/leaderboard.json", "/leaderboard.csv"])
def test_leaderboard_query_count_does_not_grow_with_teams(
    client, edition, url, django_assert_max_num_queries
):
    include = ChallengeFactory(edition=edition, slug="include")
    give(make_team(edition=edition), include, "0.5", 100)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    for _ in range(2):
        give(make_team(edition=edition), include, "1", 200)
    from scoring.domain import bump_leaderboard_version

    bump_leaderboard_version(edition_id=edition.pk)
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert len(one) <= 10


def test_team_score_page_explains_and_is_private(client, board, participant, organizer):
    team = board["teams"][0]
    member = team.memberships.get().user
    client.force_login(member)
    page = client.get(f"/teams/{team.pk}/score/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert (
        "200" in page and "100 → 0.5; 200 → 1" not in page
    )  # the factory challenge has no thresholds
    client.force_login(participant)
    assert client.get(f"/teams/{team.pk}/score/").status_code == 403
    client.force_login(organizer)
    assert client.get(f"/teams/{team.pk}/score/").status_code == 200
    client.logout()
    assert client.get(f"/teams/{team.pk}/score/").status_code == 302


def test_team_score_page_query_count_does_not_grow(
    client, board, organizer, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team = board["teams"][0]

    def change(challenge, old, new):
        ScoreChange.objects.create(
            team=team, challenge=challenge, old_counted=0, new_counted=new * 100,
            old_points=D(old), new_points=D(new), cause=ScoreChange.Cause.CONTRIBUTIONS,
        )  # fmt: skip

    change(board["include"], 0, 1)
    client.force_login(organizer)
    url = f"/teams/{team.pk}/score/"
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    change(board["blend"], 0, 1)
    change(board["blend"], 1, 2)
    ChallengeFactory(edition=board["include"].edition, slug="stereotypes", kind="stereotypes")
    with django_assert_num_queries(len(one)):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("<tr><td>") == 3  # include, blend, stereotypes
    assert page.count(" UTC</span>") == 3  # three changes in the history


@pytest.mark.parametrize(
    ("role", "status"),
    [("participant", 403), ("judge", 200), ("organizer", 200), ("other_team_member", 403)],
)
def test_judging_pages_permissions(client, request, edition, demo_challenge, role, status):
    team = make_team(edition=edition, name="Juzgado")
    person = request.getfixturevalue(role)
    if role == "judge":
        assign_judge(challenge=demo_challenge, team=team, judge=person)
    client.force_login(person)
    assert client.get("/judging/").status_code == status
    assert client.get(f"/judging/{demo_challenge.slug}/{team.pk}/").status_code == status
    expected = 200 if role == "organizer" else 403
    assert client.get(f"/organize/judging/{demo_challenge.slug}/").status_code == expected


@pytest.mark.parametrize("who", ["judge", "organizer"])
def test_judging_pages_query_count_does_not_grow_with_teams(
    client, request, edition, demo_challenge, judge, organizer, who, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def mark(team):
        assign_judge(challenge=demo_challenge, team=team, judge=judge)
        submit_review(
            challenge=demo_challenge, team=team, judge=judge, comment="",
            marks={criterion.pk: D(7) for criterion in demo_challenge.criteria.all()},
        )  # fmt: skip

    mark(make_team(edition=edition, name="Equipo 0"))
    url = "/judging/" if who == "judge" else f"/organize/judging/{demo_challenge.slug}/"
    client.force_login(request.getfixturevalue(who))
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for number in (1, 2):
        mark(make_team(edition=edition, name=f"Equipo {number}"))
    with django_assert_num_queries(len(one)):
        page = client.get(url).content.decode()
    assert all(f"Equipo {number}" in page for number in range(3))


def test_the_judges_page_lists_only_their_teams(client, edition, demo_challenge, judge):
    mine = make_team(edition=edition, name="Equipo asignado")
    make_team(edition=edition, name="Equipo de otro juez")
    assign_judge(challenge=demo_challenge, team=mine, judge=judge)
    client.force_login(judge)
    page = client.get("/judging/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Equipo asignado" in page and "Equipo de otro juez" not in page
    assert "Next team to judge" in page


def test_judge_form_saves_marks(
    client, edition, demo_challenge, judge, django_capture_on_commit_callbacks
):
    team = make_team(edition=edition)
    assign_judge(challenge=demo_challenge, team=team, judge=judge)
    client.force_login(judge)
    first, second = Criterion.objects.filter(challenge=demo_challenge).order_by("position")
    url = f"/judging/{demo_challenge.slug}/{team.pk}/"
    assert (
        client.post(url, {f"criterion_{first.pk}": "11", f"criterion_{second.pk}": "5"}).status_code
        == 400
    )
    assert not TeamScore.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {f"criterion_{first.pk}": "10", f"criterion_{second.pk}": "10", "comment": "Excelente"},
        )
    assert response.status_code == 302
    assert TeamScore.objects.get(team=team).judged_points == D("0.500")
    assert json.loads(json.dumps(str(TeamScore.objects.get(team=team).points))) == "0.500"


def test_the_cached_html_follows_every_change(client, board):
    from scoring.domain import bump_leaderboard_version

    before = client.get("/leaderboard/").content.decode()
    assert before.index("Tucán") > before.index("Alpaca")
    give(board["teams"][2], board["blend"], "2", 300)
    give(board["teams"][2], board["include"], "1", 200)
    # Without a new version the cached table is served; a change always bumps it.
    bump_leaderboard_version(edition_id=board["include"].edition_id)
    page = client.get("/leaderboard/").content.decode()
    assert page.index("Tucán") < page.index("Alpaca")


@pytest.mark.parametrize("url", ["/leaderboard/", "/leaderboard.json"])
def test_clients_that_accept_gzip_get_the_same_page_compressed(client, board, url):
    import gzip

    plain = client.get(url).content  # builds and keeps the page
    plain = client.get(url).content  # served as kept
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")

    assert compressed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in compressed["Vary"]
    assert gzip.decompress(compressed.content) == plain
    assert len(compressed.content) < len(plain)
    assert "Content-Encoding" not in client.get(url)  # without the header: plain


def test_the_json_gives_a_page_at_a_time_with_links_to_the_others(client, board, monkeypatch):
    monkeypatch.setattr(leaderboard_views, "PAGE_SIZE", 2)

    first = client.get("/leaderboard.json").json()
    assert [row["team"] for row in first["rows"]] == ["Alpaca", "Cóndor"]
    assert (first["count"], first["page"], first["pages"]) == (3, 1, 2)
    assert first["previous"] is None and first["next"] == "/leaderboard.json?page=2"

    second = client.get(first["next"]).json()
    assert [row["team"] for row in second["rows"]] == ["Tucán"]
    assert (second["page"], second["next"]) == (2, None)
    assert second["previous"] == "/leaderboard.json?page=1"
    # Past the end: the last page; not a number: the first.
    assert client.get("/leaderboard.json?page=9").json()["page"] == 2
    assert client.get("/leaderboard.json?page=x").json()["page"] == 1


def test_the_json_pages_keep_the_filters(client, board, edition, monkeypatch):
    monkeypatch.setattr(leaderboard_views, "PAGE_SIZE", 1)
    another = make_team(edition=edition, name="Vicuña")
    another.countries, another.track = ["PE"], "A"
    another.save()
    give(another, board["include"], "0.1", 10)

    first = client.get("/leaderboard.json?track=a&country=pe").json()
    assert [row["team"] for row in first["rows"]] == ["Cóndor"]
    assert (first["count"], first["pages"]) == (2, 2)
    assert first["next"] == "/leaderboard.json?country=PE&track=A&page=2"
    second = client.get(first["next"]).json()
    assert [row["team"] for row in second["rows"]] == ["Vicuña"]
    assert second["previous"] == "/leaderboard.json?country=PE&track=A&page=1"


def test_organizers_publish_the_judged_points_and_can_hold_them_back(
    client, edition, demo_challenge, judge, organizer, django_capture_on_commit_callbacks
):
    from challenges.models import ChangeRecord

    team = make_team(edition=edition, name="Tucán")
    with django_capture_on_commit_callbacks(execute=True):
        submit_review(
            challenge=demo_challenge,
            team=team,
            judge=judge,
            marks=marks_for(demo_challenge, 10, 10),
        )
    assert client.get("/leaderboard.json").json()["rows"][0]["total"] == "0"  # held back
    client.force_login(organizer)
    page = client.get("/organize/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Held back" in page and "Publish the judged points" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/organize/judged-points/", {"published": "1"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert "now public on the leaderboard" in response.content.decode()
    record = ChangeRecord.objects.get(field="judged_points_published")
    assert (record.old_value, record.new_value, record.changed_by) == ("False", "True", organizer)
    assert client.get("/leaderboard.json").json()["rows"][0]["total"] == "0.5"
    client.logout()
    public = client.get("/leaderboard.json").json()
    assert public["judged_points_published"] and public["rows"][0]["total"] == "0.5"

    client.force_login(organizer)
    response = client.post(
        "/organize/judged-points/", {"published": "1"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Nothing changed" in response.content.decode()
    assert ChangeRecord.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/organize/judged-points/", {"published": "0"})
    client.logout()
    assert client.get("/leaderboard.json").json()["rows"][0]["total"] == "0"
    assert ChangeRecord.objects.count() == 2


def test_the_organize_page_links_each_judged_challenge(client, edition, demo_challenge, organizer):
    client.force_login(organizer)
    page = client.get("/organize/").content.decode()
    assert f'href="/organize/judging/{demo_challenge.slug}/"' in page
