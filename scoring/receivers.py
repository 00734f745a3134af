"""What makes scores recompute: decided contributions, membership changes (those teams, at
once), rule edits (every team of the edition, by the worker)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from challenges.domain.contributions import contributions_changed
from challenges.domain.editions import changes_recorded
from challenges.models import Challenge, ChangeRecord, Edition
from scoring.domain import (
    bump_leaderboard_version,
    recompute_scores,
    request_edition_recompute,
)
from scoring.judged import sync_rubric
from scoring.models import ScoreChange
from scoring.tasks import recompute_edition_scores
from teams.models import TeamEvent

MEMBERSHIP_EVENTS = {TeamEvent.Kind.JOINED, TeamEvent.Kind.LEFT, TeamEvent.Kind.REMOVED}
# Fields whose change alters points: of a challenge, or of the edition.
RULE_FIELDS = {"scoring", "max_points", "kind"}
EDITION_FIELDS = {"judged_points_published", "max_total_points"}


@receiver(contributions_changed)
def recompute_after_decisions(sender, challenge: Challenge, author_ids, **kwargs):
    # The authors' teams are found by the statement that locks them: no query of its own.
    recompute_scores(
        edition=challenge.edition,
        author_ids=author_ids,
        cause=ScoreChange.Cause.CONTRIBUTIONS,
        detail=challenge.record_label,
    )


@receiver(post_save, sender=TeamEvent)
def recompute_after_membership_change(sender, instance: TeamEvent, created: bool, **kwargs):
    if created and instance.team_id and instance.kind in MEMBERSHIP_EVENTS:
        edition = Edition.objects.get(pk=instance.edition_id)
        detail = f"{instance.get_kind_display()}: {instance.person.display_name if instance.person else ''}"
        transaction.on_commit(
            lambda: recompute_scores(
                edition=edition,
                team_ids=[instance.team_id],
                cause=ScoreChange.Cause.MEMBERSHIP,
                detail=detail,
            )
        )
    elif created and instance.kind == TeamEvent.Kind.DISSOLVED:
        bump_leaderboard_version(edition_id=instance.edition_id)


@receiver(post_save, sender=Challenge)
def follow_the_rubric(sender, instance: Challenge, **kwargs):
    if instance.scoring.get("rubric"):
        sync_rubric(challenge=instance)


@receiver(post_save, sender=Edition)
def refresh_shared_pages_after_edition_edit(sender, instance: Edition, **kwargs):
    # Name, current edition, published judged points...: shared pages must show the new state.
    bump_leaderboard_version(edition_id=instance.pk)


@receiver(changes_recorded)
def recompute_after_rule_changes(sender, edition: Edition, records: list[ChangeRecord], **kwargs):
    changed = {(record.object_type, record.field) for record in records}
    rules = sorted(
        field
        for object_type, field in changed
        if object_type == "challenges.challenge" and field in RULE_FIELDS
    )
    if rules or any(
        object_type == "challenges.edition" and field in EDITION_FIELDS
        for object_type, field in changed
    ):
        request_edition_recompute(
            edition=edition,
            cause=ScoreChange.Cause.RULES,
            enqueue=recompute_edition_scores.delay,
            detail=", ".join(sorted({f for _o, f in changed})),
            by=next((record.changed_by for record in records if record.changed_by_id), None),
        )
