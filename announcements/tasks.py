from celery import shared_task
from django.conf import settings
from django.urls import reverse

from announcements.domain import DiscordUnavailable, give_up_discord, send_to_discord

DISCORD_MAX_RETRIES = 8
DISCORD_BACKOFF_SECONDS = 5
DISCORD_BACKOFF_MAX_SECONDS = 600


def retry_delay(*, error: DiscordUnavailable, retries: int) -> float:
    """Seconds before the next try: what Discord asked (429's ``retry_after``), else an
    exponential backoff (5 s, 10 s, 20 s... at most 10 minutes)."""
    if error.retry_after is not None:
        return error.retry_after
    return min(DISCORD_BACKOFF_SECONDS * 2**retries, DISCORD_BACKOFF_MAX_SECONDS)


@shared_task(bind=True, acks_late=True, max_retries=DISCORD_MAX_RETRIES)
def post_to_discord_task(self, announcement_id: int, site_url: str) -> str | None:
    """Post one announcement to the Discord channel (``DISCORD_WEBHOOK_URL``). Idempotent: one
    that is gone, sent, being sent or failed is left alone; rate limits and Discord's or the
    network's errors are retried, honouring Discord's ``retry_after``."""
    webhook_url = settings.DISCORD_WEBHOOK_URL
    if not webhook_url:
        return None
    link = site_url.rstrip("/") + reverse("announcements:detail", args=[announcement_id])
    try:
        return send_to_discord(
            announcement_id=announcement_id, webhook_url=webhook_url, link=link
        ).state
    except DiscordUnavailable as error:
        if self.request.retries >= self.max_retries:
            give_up_discord(announcement_id=announcement_id, reason=error.reason)
            return "failed"
        raise self.retry(
            exc=error, countdown=retry_delay(error=error, retries=self.request.retries)
        ) from error
