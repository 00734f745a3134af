"""What the challenges' foundation does after a change: a new peer-validation quorum re-decides
the challenge's pending contributions (which tells scoring, so scores recompute)."""

from django.dispatch import receiver

from challenges.domain.editions import changes_recorded
from challenges.domain.peer_validation import redecide_pending
from challenges.models import Challenge, ChangeRecord, Edition

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
