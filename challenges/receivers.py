"""What the challenges' foundation does after a change: a new peer-validation quorum re-decides
the challenge's pending contributions (which tells scoring, so scores recompute); a changed
edition, challenge, team membership or window extension is forgotten by the remembered
lookups (``challenges.domain.remembered``)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from challenges.domain.editions import changes_recorded
from challenges.domain.peer_validation import redecide_pending
from challenges.models import Challenge, ChangeRecord, Edition, WindowExtension
from hackathon.memo import SITE, forget, person_scope

QUORUM_FIELDS = {"approvals_to_validate", "rejections_to_reject"}


@receiver(changes_recorded)
def redecide_after_quorum_change(sender, edition: Edition, records: list[ChangeRecord], **kwargs):
    challenge_ids = sorted(
        {
            record.object_id
            for record in records
            if record.object_type == "challenges.challenge" and record.field in QUORUM_FIELDS
        }
    )
    for challenge in Challenge.objects.filter(pk__in=challenge_ids).select_related("edition"):
        redecide_pending(challenge=challenge)


# --- remembered lookups (challenges.domain.remembered) are forgotten when their rows change --


@receiver([post_save, post_delete], sender=Edition, dispatch_uid="forget_edition")
@receiver([post_save, post_delete], sender=Challenge, dispatch_uid="forget_challenge")
@receiver([post_save, post_delete], sender=WindowExtension, dispatch_uid="forget_extension")
def forget_site(sender, instance, **kwargs):
    forget(SITE)


@receiver([post_save, post_delete], sender="teams.Membership", dispatch_uid="forget_team")
def forget_team(sender, instance, **kwargs):
    forget(person_scope(instance.user_id))
