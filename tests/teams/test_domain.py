import datetime as dt

import pytest
from django.utils import timezone

from teams import domain
from teams.domain import TeamRuleError
from teams.models import Membership, Team, TeamEvent
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db


def test_creator_becomes_captain(edition, participant):
    team = domain.create_team(
        user=participant, edition=edition, name="Las Llamas", countries=["PE"]
    )
    membership = Membership.objects.get(team=team)
    assert membership.user == participant and membership.is_captain
    assert list(TeamEvent.objects.values_list("kind", flat=True)) == [TeamEvent.Kind.CREATED]


def test_team_names_are_unique_per_edition_whatever_the_case(edition, participant):
    make_team(edition=edition, name="Las Llamas")
    with pytest.raises(TeamRuleError, match="already exists"):
        domain.create_team(
            user=participant, edition=edition, name="  las LLAMAS ", countries=["PE"]
        )
    assert Team.objects.count() == 1


def test_the_same_name_is_free_in_another_edition(edition, participant):
    from tests.factories import EditionFactory

    make_team(edition=EditionFactory(is_current=False), name="Las Llamas")
    team = domain.create_team(
        user=participant, edition=edition, name="Las Llamas", countries=["PE"]
    )
    assert team.edition == edition


def test_one_team_per_person_per_edition(edition):
    team = make_team(edition=edition)
    captain = team.memberships.get().user
    with pytest.raises(TeamRuleError, match="already in a team"):
        domain.create_team(user=captain, edition=edition, name="Segundo", countries=["PE"])
    assert Team.objects.count() == 1


def test_join_by_current_link(edition, participant):
    team = make_team(edition=edition)
    joined = domain.join_team(user=participant, invite_token=team.invite_token)
    assert joined == team
    assert Membership.objects.get(user=participant).role == Membership.Role.MEMBER


def test_old_link_stops_working_after_regeneration(edition, participant):
    team = make_team(edition=edition)
    old = team.invite_token
    captain = team.memberships.get().user
    domain.regenerate_invite(team=team, by=captain)
    with pytest.raises(TeamRuleError, match="not valid any more"):
        domain.join_team(user=participant, invite_token=old)
    team.refresh_from_db()
    assert team.invite_token != old
    domain.join_team(user=participant, invite_token=team.invite_token)
    assert team.memberships.count() == 2


def test_only_the_captain_regenerates_the_link(edition):
    team = make_team(edition=edition, members=2)
    member = team.memberships.get(role=Membership.Role.MEMBER).user
    token = team.invite_token
    with pytest.raises(TeamRuleError, match="captain"):
        domain.regenerate_invite(team=team, by=member)
    team.refresh_from_db()
    assert team.invite_token == token


def test_a_sixth_member_is_refused(edition, participant):
    team = make_team(edition=edition, members=5)
    with pytest.raises(TeamRuleError, match="full"):
        domain.join_team(user=participant, invite_token=team.invite_token)
    assert team.memberships.count() == 5


def test_team_size_limit_is_edition_data(edition, participant):
    edition.team_max_size = 2
    edition.save()
    team = make_team(edition=edition, members=2)
    with pytest.raises(TeamRuleError, match="2 members"):
        domain.join_team(user=participant, invite_token=team.invite_token)


def test_joining_a_second_team_is_refused(edition):
    first = make_team(edition=edition, name="Primero")
    second = make_team(edition=edition, name="Segundo")
    person = first.memberships.get().user
    with pytest.raises(TeamRuleError, match="Primero"):
        domain.join_team(user=person, invite_token=second.invite_token)
    assert second.memberships.count() == 1


def test_joining_ones_own_team_again_is_refused(edition):
    team = make_team(edition=edition)
    with pytest.raises(TeamRuleError, match="already a member"):
        domain.join_team(user=team.memberships.get().user, invite_token=team.invite_token)


@pytest.mark.parametrize("action", ["create", "join", "leave", "remove", "register"])
def test_membership_changes_are_refused_after_the_team_deadline(edition, action):
    team = make_team(edition=edition, members=2)
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    member = team.memberships.get(role=Membership.Role.MEMBER).user
    outsider = UserFactory()
    after = edition.team_deadline + dt.timedelta(seconds=1)
    calls = {
        "create": lambda: domain.create_team(
            user=outsider, edition=edition, name="Tarde", countries=[], now=after
        ),
        "join": lambda: domain.join_team(user=outsider, invite_token=team.invite_token, now=after),
        "leave": lambda: domain.leave_team(team=team, user=member, now=after),
        "remove": lambda: domain.remove_member(team=team, member=member, by=captain, now=after),
        "register": lambda: domain.register_team(team=team, by=member, now=after),
    }
    with pytest.raises(TeamRuleError, match="team deadline was"):
        calls[action]()
    assert Team.objects.count() == 1
    assert team.memberships.count() == 2
    team.refresh_from_db()
    assert team.registered_at is None


def test_the_deadline_day_itself_is_still_open(edition, participant):
    team = make_team(edition=edition)
    domain.join_team(user=participant, invite_token=team.invite_token, now=edition.team_deadline)
    assert team.memberships.count() == 2


def test_a_member_leaves(edition):
    team = make_team(edition=edition, members=2)
    member = team.memberships.get(role=Membership.Role.MEMBER).user
    assert domain.leave_team(team=team, user=member) is False
    assert list(team.memberships.values_list("role", flat=True)) == [Membership.Role.CAPTAIN]


def test_a_captain_with_members_hands_over_before_leaving(edition):
    team = make_team(edition=edition, members=2)
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    with pytest.raises(TeamRuleError, match="Hand captaincy over"):
        domain.leave_team(team=team, user=captain)
    assert team.memberships.count() == 2


def test_a_captain_alone_dissolves_the_team_and_the_history_remains(edition):
    team = make_team(edition=edition, name="Efímero")
    captain = team.memberships.get().user
    assert domain.leave_team(team=team, user=captain) is True
    assert not Team.objects.exists()
    event = TeamEvent.objects.get(kind=TeamEvent.Kind.DISSOLVED)
    assert event.team is None and event.team_name == "Efímero" and event.person == captain


def test_captaincy_is_handed_over(edition):
    team = make_team(edition=edition, members=2)
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    member = team.memberships.get(role=Membership.Role.MEMBER).user
    domain.transfer_captaincy(team=team, to=member, by=captain)
    roles = dict(team.memberships.values_list("user_id", "role"))
    assert roles == {captain.pk: Membership.Role.MEMBER, member.pk: Membership.Role.CAPTAIN}
    # The former captain may now leave.
    domain.leave_team(team=team, user=captain)
    assert team.memberships.count() == 1


def test_captaincy_goes_only_to_a_member(edition, participant):
    team = make_team(edition=edition)
    captain = team.memberships.get().user
    with pytest.raises(TeamRuleError, match="member of the team"):
        domain.transfer_captaincy(team=team, to=participant, by=captain)
    assert team.memberships.get().is_captain


def test_the_captain_removes_a_member_but_members_cannot(edition):
    team = make_team(edition=edition, members=3)
    captain = team.memberships.get(role=Membership.Role.CAPTAIN).user
    first, second = [m.user for m in team.memberships.filter(role=Membership.Role.MEMBER)]
    with pytest.raises(TeamRuleError, match="captain"):
        domain.remove_member(team=team, member=second, by=first)
    domain.remove_member(team=team, member=second, by=captain)
    assert set(team.memberships.values_list("user_id", flat=True)) == {captain.pk, first.pk}
    assert TeamEvent.objects.filter(
        kind=TeamEvent.Kind.REMOVED, person=second, actor=captain
    ).exists()


def test_removing_someone_outside_the_team_is_refused(edition, other_team_member):
    team = make_team(edition=edition)
    captain = team.memberships.get().user
    with pytest.raises(TeamRuleError, match="not a member"):
        domain.remove_member(team=team, member=other_team_member, by=captain)
    assert Membership.objects.filter(user=other_team_member).exists()


def test_one_member_registers_the_team_once(edition):
    team = make_team(edition=edition, members=2)
    member = team.memberships.get(role=Membership.Role.MEMBER).user
    domain.register_team(team=team, by=member)
    team.refresh_from_db()
    assert team.registered_by == member and team.registered_at is not None
    with pytest.raises(TeamRuleError, match="already registered"):
        domain.register_team(team=team, by=team.memberships.get(role=Membership.Role.CAPTAIN).user)


def test_outsiders_cannot_register_a_team(edition, participant):
    team = make_team(edition=edition)
    with pytest.raises(TeamRuleError, match="members"):
        domain.register_team(team=team, by=participant)
    team.refresh_from_db()
    assert team.registered_at is None


def test_registration_needs_the_minimum_size(edition):
    edition.team_min_size = 2
    edition.save()
    team = make_team(edition=edition, members=1)
    with pytest.raises(TeamRuleError, match="at least 2"):
        domain.register_team(team=team, by=team.memberships.get().user)


def test_renaming_to_a_taken_name_is_refused(edition):
    make_team(edition=edition, name="Tomado")
    team = make_team(edition=edition, name="Libre")
    captain = team.memberships.get().user
    with pytest.raises(TeamRuleError, match="already exists"):
        domain.update_team(
            team=team, by=captain, name="TOMADO", countries=["PE"], project_idea="", track=""
        )
    team.refresh_from_db()
    assert team.name == "Libre"


def test_the_database_allows_one_captain_per_team(edition):
    from django.db import IntegrityError

    team = make_team(edition=edition, members=2)
    with pytest.raises(IntegrityError):
        Membership.objects.filter(team=team).update(role=Membership.Role.CAPTAIN)


def test_deadline_message_names_the_edition_time_zone(edition):
    edition.team_deadline = timezone.now() - dt.timedelta(days=1)
    with pytest.raises(TeamRuleError, match="AoE"):
        domain.ensure_teams_can_change(edition=edition)
