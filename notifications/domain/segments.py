"""Organizers' messages to segments of people, held in the outbox until they send them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import JUDGES
from challenges.intake import get_intake
from challenges.models import Challenge, ContributionStatus, Edition
from challenges.projects.models import ProjectSubmission
from hackathon.errors import RuleRefused
from notifications.domain.outbox import unsubscribe_url
from notifications.domain.preferences import email_language
from notifications.models import Campaign, Email, EmailSettings, Kind
from scoring.gates import credits_gates
from teams.models import Team

LANGUAGES = ("es", "pt", "en")


class CampaignRefused(RuleRefused):
    """The organizers' message cannot be prepared as asked."""


@dataclass(frozen=True)
class Draft:
    segment: str
    subjects: dict[str, str]
    bodies: dict[str, str]
    country: str = ""
    challenge: Challenge | None = None


def _team_members(team_ids) -> QuerySet[User]:
    return User.objects.filter(memberships__team_id__in=list(team_ids))


def segment_recipients(
    *, edition: Edition, segment: str, country: str = "", challenge: Challenge | None = None
) -> QuerySet[User]:
    """The active people with an email address a segment names, each once:
    everyone in the edition (in a team or having accepted its consent), the members of teams
    without a project submission, the people of a country (their profile), the authors of a
    challenge's submitted contributions, the members of teams whose credits gate is not open,
    or the judges."""
    Segment = Campaign.Segment
    if segment == Segment.EVERYONE:
        people = User.objects.filter(Q(memberships__edition=edition) | Q(consents__edition=edition))
    elif segment == Segment.WITHOUT_PROJECT:
        with_project = ProjectSubmission.objects.filter(team__edition=edition).values("team_id")
        people = _team_members(
            Team.objects.filter(edition=edition)
            .exclude(pk__in=with_project)
            .values_list("pk", flat=True)
        )
    elif segment == Segment.COUNTRY:
        if not country:
            raise CampaignRefused(_("Choose a country."))
        people = User.objects.filter(
            Q(memberships__edition=edition) | Q(consents__edition=edition),
            profile__country=country,
        )
    elif segment == Segment.CONTRIBUTORS:
        if challenge is None or challenge.edition_id != edition.pk:
            raise CampaignRefused(_("Choose a challenge of this edition."))
        intake = get_intake(challenge.kind)
        if intake is None:
            raise CampaignRefused(_("This challenge takes no contributions."))
        authors = (
            intake.model.objects.filter(challenge=challenge)
            .exclude(status=ContributionStatus.DRAFT)
            .values("author_id")
        )
        people = User.objects.filter(pk__in=authors)
    elif segment == Segment.MISSING_GATE:
        teams = list(Team.objects.filter(edition=edition))
        closed = [
            state.team.pk for state in credits_gates(edition=edition, teams=teams) if not state.open
        ]
        people = _team_members(closed)
    elif segment == Segment.JUDGES:
        people = User.objects.filter(groups__name=JUDGES)
    else:
        raise CampaignRefused(_("This segment does not exist."))
    ids = people.filter(is_active=True).exclude(email="").values("pk")
    return User.objects.filter(pk__in=ids).order_by("pk")


def check_draft(draft: Draft) -> None:
    for code in LANGUAGES:
        if not draft.subjects.get(code, "").strip() or not draft.bodies.get(code, "").strip():
            raise CampaignRefused(
                _("Write the subject and the message in Spanish, Portuguese and English.")
            )


def hold_campaign(*, edition: Edition, draft: Draft, by) -> Campaign:
    """Organizers prepare a message to a segment: one email per person, in their language,
    held in the outbox (draft) until they send it. People who turned organizers' messages
    off are left out."""
    check_draft(draft)
    recipients = list(
        segment_recipients(
            edition=edition,
            segment=draft.segment,
            country=draft.country,
            challenge=draft.challenge,
        ).select_related("profile")
    )
    if not recipients:
        raise CampaignRefused(_("Nobody is in this segment."))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            edition=edition,
            segment=draft.segment,
            country=draft.country,
            challenge=draft.challenge,
            created_by=by,
            **{f"subject_{code}": draft.subjects[code].strip() for code in LANGUAGES},
            **{f"body_{code}": draft.bodies[code].strip() for code in LANGUAGES},
        )
        preferences = {
            row.user_id: row for row in EmailSettings.objects.filter(user__in=recipients)
        }
        emails = []
        for user in recipients:
            row = preferences.get(user.pk)
            if row and Kind.MESSAGE in row.muted:
                continue
            email = Email(
                user=user,
                kind=Kind.MESSAGE,
                campaign=campaign,
                state=Email.State.DRAFT,
                to=user.email,
                language=email_language(user=user, settings_row=row),
            )
            email.subject = draft.subjects[email.language].strip()[:200]
            with translation.override(email.language):
                email.body = render_to_string(
                    "notifications/email_message.txt",
                    {
                        "message": draft.bodies[email.language].strip(),
                        "unsubscribe_url": unsubscribe_url(email),
                    },
                )
            emails.append(email)
        Email.objects.bulk_create(emails)
    return campaign
