"""Every view, for every role: anonymous, participant, member of another team, judge, organizer.

The participant is the captain of the team under test, whose second member is ``teammate``.
"""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from announcements.models import Announcement
from challenges.models import Guide
from challenges.projects.models import ProjectSubmission
from hub.models import HubRepo, PublishedDataset
from schedule.models import Event, TeamFeed
from scoring.models import Criterion
from teams.models import Membership
from tests.factories import UserFactory, assign_judge, make_team

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "participant", "other_team", "judge", "organizer"]
LOGIN = "login"  # a redirect to the login page
PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {
    "anonymous": LOGIN,
    "participant": 200,
    "other_team": 200,
    "judge": 200,
    "organizer": 200,
}
STAFF = {"anonymous": LOGIN, "participant": 403, "other_team": 403, "judge": 403, "organizer": 200}
# POST actions on "my team": a redirect back to the team page, with a message, for anyone in a
# team; 404 for someone without a team (judge, organizer here).
MY_TEAM_ACTION = {
    "anonymous": LOGIN,
    "participant": 302,
    "other_team": 302,
    "judge": 404,
    "organizer": 404,
}

STAFF_ACTION = STAFF | {"organizer": 302}
JUDGES = STAFF | {"judge": 200}
# Why a team has its points: its members and organizers.
TEAM_ORGANIZERS = STAFF | {"participant": 200}
# A page about one team's work: its members, judges and organizers.
TEAM_JUDGES_ORGANIZERS = STAFF | {"participant": 200, "judge": 200}

MATRIX = [
    ("get", "/", PUBLIC),
    ("get", "/challenges/{challenge}/", PUBLIC),
    ("get", "/teams/", PUBLIC),
    ("get", "/teams/{team}/", PUBLIC),
    ("get", "/healthz", PUBLIC),
    ("get", "/profile/", SIGNED_IN),
    ("get", "/team/", SIGNED_IN),
    ("get", "/team/create/", SIGNED_IN),
    ("get", "/join/{token}/", SIGNED_IN),
    ("post", "/team/invite/", MY_TEAM_ACTION),
    ("post", "/team/register/", MY_TEAM_ACTION),
    ("post", "/team/edit/", MY_TEAM_ACTION),
    ("post", "/team/members/{teammate}/remove/", MY_TEAM_ACTION),
    ("post", "/team/members/{teammate}/captain/", MY_TEAM_ACTION),
    ("get", "/organize/", STAFF),
    ("get", "/admin/", STAFF),
    ("get", "/admin/teams/team/", STAFF),
    ("get", "/admin/accounts/user/", STAFF),
    ("get", "/admin/challenges/changerecord/", STAFF),
    ("get", "/organize/hub/", STAFF),
    ("post", "/organize/hub/start/", STAFF_ACTION),
    ("get", "/organize/hub/repos/", STAFF),
    ("post", "/organize/hub/repos/{repo}/link/", STAFF_ACTION),
    ("get", "/organize/hub/late/", STAFF),
    ("get", "/organize/hub/publish/", STAFF),
    ("post", "/organize/hub/publish/", STAFF_ACTION),  # nothing to publish: a message
    ("get", "/organize/hub/publish/{publication}/README.md", STAFF),
    ("get", "/organize/hub/publish/personal-data/", STAFF),
    ("post", "/organize/hub/publish/personal-data/", STAFF_ACTION),  # a scan
    ("get", "/hub/repos/{repo}/", TEAM_JUDGES_ORGANIZERS),
    ("get", "/team/project/{team}/paper.pdf", TEAM_JUDGES_ORGANIZERS),
    ("get", "/leaderboard/", PUBLIC),
    ("get", "/leaderboard.json", PUBLIC),
    ("get", "/leaderboard.csv", PUBLIC),
    ("get", "/teams/{team}/score/", TEAM_ORGANIZERS),
    ("get", "/organize/gates/", STAFF),
    ("post", "/organize/gates/{team}/credits/", STAFF_ACTION),
    ("get", "/organize/incentives.csv", STAFF),
    ("get", "/judging/", JUDGES),
    ("get", "/judging/{judged}/{team}/", JUDGES),
    ("get", "/organize/judging/{judged}/", STAFF),
    ("post", "/organize/judging/{judged}/{team}/override/", STAFF_ACTION),
    ("post", "/organize/judged-points/", STAFF_ACTION),
    ("get", "/projects/", PUBLIC),
    ("post", "/judging/{judged}/{team}/conflict/", JUDGES | {"judge": 302, "organizer": 403}),
    ("get", "/organize/judges/", STAFF),
    ("post", "/organize/judges/", STAFF | {"organizer": 400}),  # no address: the form again
    ("post", "/organize/judges/{judge}/capacity/", STAFF_ACTION),
    ("post", "/organize/judges/{judge}/remove/", STAFF_ACTION),
    ("get", "/organize/judging/", STAFF),
    ("post", "/organize/judges/remind/", STAFF_ACTION),
    ("get", "/organize/judging/{judged}/assignment/", STAFF),
    ("post", "/organize/judging/{judged}/assignment/run/", STAFF_ACTION),
    ("post", "/organize/judging/{judged}/assignment/hand/", STAFF_ACTION),
    ("get", "/organize/judging/{judged}/assignment.csv", STAFF),
    ("post", "/organize/judging/{judged}/assignment/import/", STAFF_ACTION),
    ("get", "/organize/judging/{judged}/rubric/", STAFF),
    ("get", "/organize/recompute/", STAFF),
    ("get", "/organize/{blend}/validators/", STAFF),
    # Without a reason nothing is voided: a message, back to the validators page.
    ("post", "/organize/{blend}/validators/{teammate}/void/", STAFF_ACTION),
    ("get", "/announcements/", PUBLIC),
    ("get", "/announcements/{announcement}/", PUBLIC),
    ("get", "/announcements/feed/", PUBLIC),
    ("get", "/organize/announcements/", STAFF),
    # Nothing filled in: the form again, with its errors.
    ("post", "/organize/announcements/", STAFF | {"organizer": 400}),
    ("get", "/calendar/", PUBLIC),
    ("get", "/calendar.ics", PUBLIC),
    # The secret address is the permission: whoever has it reads the team's calendar.
    ("get", "/calendar/team/{feed}.ics", PUBLIC),
    ("get", "/calendar/team/not-the-token.ics", dict.fromkeys(ROLES, 404)),
    ("get", "/team/calendar/", MY_TEAM_ACTION | {"participant": 200, "other_team": 200}),
    ("post", "/team/calendar/regenerate/", MY_TEAM_ACTION),
    ("get", "/organize/calendar/", STAFF),
    ("post", "/organize/calendar/", STAFF | {"organizer": 400}),
    ("get", "/organize/calendar/{event}/", STAFF),
    ("post", "/organize/calendar/{event}/remove/", STAFF_ACTION),
    ("get", "/challenges/{challenge}/guides/{guide}/feedback/", PUBLIC),
    ("post", "/challenges/{challenge}/guides/{guide}/feedback/", dict.fromkeys(ROLES, 400)),
    ("get", "/organize/{challenge}/feedback/", STAFF),
    # Everyone signed in has their own list (empty for most).
    ("get", "/challenges/{challenge}/mine/", SIGNED_IN),
    # Nothing chosen: a message, back to the queue.
    ("post", "/organize/{challenge}/review/decide-matching/", STAFF_ACTION),
    ("post", "/organize/{challenge}/review/decide-matching/confirm/", STAFF_ACTION),
]


@pytest.fixture
def world(edition, organizer, judge, tmp_path):
    from tests.factories import ChallengeFactory

    challenge = ChallengeFactory(edition=edition, slug="include")
    judged = ChallengeFactory(edition=edition, slug="demo", kind="demo", scoring={"rule": "judged"})
    Criterion.objects.create(challenge=judged, label_en="Clarity", weight=1, position=1)
    ChallengeFactory(edition=edition, slug="blend", kind="blend")
    team = make_team(edition=edition, members=2, name="Bajo prueba")
    assign_judge(challenge=judged, team=team, judge=judge)
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    teammate = team.memberships.get(role=Membership.Role.MEMBER).user
    other = make_team(edition=edition, members=1, name="Otro").memberships.get().user
    people = {
        "anonymous": None,
        "participant": captain,
        "other_team": other,
        "judge": judge,
        "organizer": organizer,
    }
    repo = HubRepo.objects.create(
        edition=edition, repo_type="model", repo_id="org/modelo", team=team, link_status="declared"
    )
    ProjectSubmission.objects.create(team=team).paper_file.save(
        "paper.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n")
    )
    (tmp_path / "README.md").write_text("# A dataset\n")
    publication = PublishedDataset.objects.create(
        edition=edition, kind="include", target=str(tmp_path), rows=1
    )
    announcement = Announcement.objects.create(edition=edition, title_es="Hola", body_es="x")
    event = Event.objects.create(edition=edition, title_es="Charla", starts_at=timezone.now())
    feed = TeamFeed.objects.create(team=team)
    guide = Guide.objects.create(
        challenge=challenge, slug="guia", title_es="Guía", url_es="https://somosnlp.org"
    )
    names = {
        "announcement": announcement.pk,
        "event": event.pk,
        "feed": feed.token,
        "guide": guide.slug,
        "publication": publication.pk,
        "repo": repo.pk,
        "challenge": challenge.slug,
        "judged": judged.slug,
        "blend": "blend",
        "team": team.pk,
        "token": team.invite_token,
        "teammate": teammate.pk,
        "judge": judge.pk,
    }
    return people, names, team, teammate


@pytest.mark.parametrize(
    ("method", "path", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _e in MATRIX]
)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(client, world, method, path, expected, role):
    people, names, _team, _teammate = world
    if people[role] is not None:
        client.force_login(people[role])
    response = getattr(client, method)(path.format(**names))
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == want


@pytest.mark.parametrize("action", ["remove", "captain"])
def test_another_teams_captain_cannot_touch_this_team(client, world, action):
    people, _names, team, teammate = world
    client.force_login(people["other_team"])
    client.post(f"/team/members/{teammate.pk}/{action}/", {"reason": "x", "confirm": "on"})
    assert team.memberships.get(user=teammate).role == Membership.Role.MEMBER
    assert team.memberships.count() == 2


def test_a_member_cannot_remove_the_captain(client, world):
    people, _names, team, teammate = world
    client.force_login(teammate)
    client.post(
        f"/team/members/{people['participant'].pk}/remove/", {"reason": "x", "confirm": "on"}
    )
    assert team.memberships.count() == 2


def test_admin_login_page_sends_anonymous_visitors_to_allauth(client, world):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_judges_group_exists(roles):
    assert set(roles) == {"organizers", "judges"}


def test_a_participant_without_a_team_gets_404_on_team_actions(client, edition):
    client.force_login(UserFactory())
    assert client.post("/team/leave/").status_code == 404


def test_admin_login_never_redirects_off_site(client, world):
    people, *_rest = world
    client.force_login(people["organizer"])
    response = client.get("/admin/login/?next=https://evil.example.org/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
