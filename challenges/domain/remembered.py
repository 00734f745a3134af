"""What every contribution page reads about the request, remembered (``hackathon.memo``): the
current edition, a challenge by its slug and a team's own window extension (the site's scope),
and the person's team in an edition (the person's scope). ``challenges.receivers`` forgets them
when their rows change, so the next request reads the change."""

from __future__ import annotations

import datetime as dt

from django.apps import apps

from challenges.models import Challenge, Edition, WindowExtension
from hackathon.memo import person_scope, remember


def get_current_edition() -> Edition | None:
    """The edition the site shows (``Edition.objects.current()``), remembered."""
    return remember("edition:current", Edition.objects.current)


def find_challenge(*, edition: Edition, slug: str) -> Challenge | None:
    """The edition's challenge with this slug, remembered, with ``edition`` as its edition."""
    challenge = remember(
        f"challenge:{edition.pk}:{slug}",
        lambda: Challenge.objects.filter(edition=edition, slug=slug).first(),
    )
    if challenge is not None:
        challenge.edition = edition
    return challenge


def find_team_id(*, user, edition_id: int) -> int | None:
    """The person's team in the edition (one at most), if any; remembered."""
    if not getattr(user, "pk", None):
        return None

    def read() -> int | None:
        # teams.Membership, read without importing teams: the teams app builds on this one.
        memberships = apps.get_model("teams", "Membership").objects
        return (
            memberships.filter(user_id=user.pk, edition_id=edition_id)
            .order_by("joined_at", "id")
            .values_list("team_id", flat=True)
            .first()
        )

    return remember(f"team:{edition_id}", read, scope=person_scope(user.pk))


def find_extended_close(*, challenge_id: int, team_id: int) -> dt.datetime | None:
    """The latest close of the team's own extensions of the challenge, if any; remembered."""
    return remember(
        f"extension:{challenge_id}:{team_id}",
        lambda: (
            WindowExtension.objects.filter(challenge_id=challenge_id, team_id=team_id)
            .order_by("-closes_at")
            .values_list("closes_at", flat=True)
            .first()
        ),
    )
