import pytest

from challenges.models import Challenge
from teams.selectors import describe_team_page
from tests.factories import ChallengeFactory, make_team

pytestmark = pytest.mark.django_db


def test_the_captain_gets_the_invitation_and_the_places_left(edition):
    team = make_team(edition=edition, members=2)
    captain = team.memberships.get(role="captain").user
    page = describe_team_page(team=team, viewer=captain)
    assert page.membership.user == captain and page.membership.is_captain
    assert page.invite_path == f"/join/{team.invite_token}/"
    assert page.places_left == edition.team_max_size - 2
    assert [member.user_id for member in page.members] == list(
        team.memberships.order_by("joined_at", "id").values_list("user_id", flat=True)
    )


def test_other_members_get_no_invitation(edition):
    team = make_team(edition=edition, members=2)
    member = team.memberships.get(role="member").user
    page = describe_team_page(team=team, viewer=member)
    assert page.membership.user == member and not page.membership.is_captain
    assert page.invite_path == ""


def test_progress_lists_only_the_challenges_that_collect(edition):
    collecting = ChallengeFactory(edition=edition, kind=Challenge.Kind.BLEND)
    ChallengeFactory(edition=edition, kind=Challenge.Kind.VIDEO)
    team = make_team(edition=edition, members=1)
    page = describe_team_page(team=team, viewer=team.memberships.get().user)
    assert [challenge for challenge, _progress in page.progress] == [collecting]
    assert page.progress[0][1].counted == 0
    assert page.gate.team == page.team
    assert page.completeness is not None and not list(page.hub_repos)
