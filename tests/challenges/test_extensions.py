import datetime as dt

import pytest
from django.utils import timezone

from challenges.domain import (
    ContributionRefused,
    ensure_window_open,
    extend_window,
    get_window_for_team,
)
from challenges.models import ChangeRecord, WindowExtension
from tests.factories import ChallengeFactory, UserFactory, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_challenge(edition):
    now = timezone.now()
    return ChallengeFactory(
        edition=edition,
        title_en="Exams",
        opens_at=now - dt.timedelta(days=10),
        closes_at=now - dt.timedelta(days=1),
    )


def test_contributions_are_refused_outside_the_window(edition, closed_challenge, participant):
    with pytest.raises(ContributionRefused, match="closed on"):
        ensure_window_open(challenge=closed_challenge, user=participant)
    upcoming = ChallengeFactory(edition=edition, opens_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ContributionRefused, match="opens on"):
        ensure_window_open(challenge=upcoming, user=participant)


def test_extension_for_everyone_moves_the_close_and_is_recorded(
    closed_challenge, organizer, participant
):
    new_close = timezone.now() + dt.timedelta(days=3)
    old_close = closed_challenge.closes_at
    extend_window(
        challenge=closed_challenge,
        closes_at=new_close,
        reason="Más tiempo para todos",
        by=organizer,
    )
    closed_challenge.refresh_from_db()
    assert (
        closed_challenge.closes_at == new_close
        and closed_challenge.announced_closes_at == old_close
    )
    ensure_window_open(challenge=closed_challenge, user=participant)
    change = ChangeRecord.objects.get(field="closes_at")
    assert change.reason == "Más tiempo para todos" and change.changed_by == organizer
    assert WindowExtension.objects.get().team is None


def test_extension_for_one_team_opens_it_only_for_that_team(edition, closed_challenge, organizer):
    team = make_team(edition=edition, members=1)
    member = team.memberships.get().user
    outsider = UserFactory()
    extend_window(
        challenge=closed_challenge,
        closes_at=timezone.now() + dt.timedelta(days=2),
        reason="Caída del servidor",
        by=organizer,
        team=team,
    )
    ensure_window_open(challenge=closed_challenge, user=member)
    with pytest.raises(ContributionRefused):
        ensure_window_open(challenge=closed_challenge, user=outsider)
    window = get_window_for_team(challenge=closed_challenge, team_id=team.pk)
    assert window.is_open and window.extended
    closed_challenge.refresh_from_db()
    assert closed_challenge.closes_at < timezone.now()  # unchanged for everyone
    assert not ChangeRecord.objects.exists()


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [(3, "  ", "Say why"), (-5, "porque sí", "close later")],
)
def test_bad_extensions_are_refused(closed_challenge, organizer, days, reason, message):
    with pytest.raises(ContributionRefused, match=message):
        extend_window(
            challenge=closed_challenge,
            closes_at=closed_challenge.closes_at + dt.timedelta(days=days),
            reason=reason,
            by=organizer,
        )
    assert not WindowExtension.objects.exists()


def test_the_extend_page(client, edition, closed_challenge, organizer):
    client.force_login(organizer)
    url = f"/organize/{closed_challenge.slug}/extend/"
    assert client.get(url).status_code == 200
    local = timezone.localtime(timezone.now() + dt.timedelta(days=5), edition.zone)
    response = client.post(
        url, {"closes_at": local.strftime("%Y-%m-%dT%H:%M"), "reason": "Extensión general"}
    )
    assert response.status_code == 302
    closed_challenge.refresh_from_db()
    # Typed in the edition's time zone (AoE), stored as the same moment.
    assert closed_challenge.closes_at == local.replace(second=0, microsecond=0)
    response = client.post(url, {"closes_at": "not a date", "reason": ""})
    assert response.status_code == 400
    assert WindowExtension.objects.count() == 1


@pytest.mark.parametrize("role", ["participant", "judge", "other_team_member"])
def test_the_extend_page_is_for_organizers(client, request, closed_challenge, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(f"/organize/{closed_challenge.slug}/extend/").status_code == 403
    assert (
        client.post(f"/organize/{closed_challenge.slug}/extend/", {"reason": "x"}).status_code
        == 403
    )


def test_anonymous_visitors_are_sent_to_log_in(client, closed_challenge):
    response = client.get(f"/organize/{closed_challenge.slug}/extend/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
