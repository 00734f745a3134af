"""Rules about announcements: who posts them, how their Markdown is shown, and their one post to
the Discord channel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import nh3
import requests
from django.db import transaction
from django.utils import timezone
from markdown_it import MarkdownIt

from announcements.models import Announcement
from challenges.models import Edition

# What an announcement's Markdown may become: text formatting, lists, quotes, code, tables and
# links (http, https, mailto). Everything else (scripts, styles, event handlers, images, frames,
# javascript: links) is removed by the sanitizer, whatever the Markdown or raw HTML asked for.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h2", "h3", "h4", "hr", "i",
    "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead",
    "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}
_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])

# Discord: an embed's title holds 256 characters and its description 4,096.
DISCORD_TITLE_MAX = 256
DISCORD_TEXT_MAX = 4096
DISCORD_TIMEOUT = (5, 15)  # seconds to connect, to read


def render_markdown(text: str) -> str:
    """An announcement's Markdown as HTML that is safe to show: rendered (CommonMark, tables,
    strikethrough), then cleaned to the allow-list above; links open without the referrer."""
    return nh3.clean(
        _MARKDOWN.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def list_announcements(*, edition: Edition, now: dt.datetime | None = None):
    """The edition's announcements already published, newest first."""
    return Announcement.objects.filter(
        edition=edition, published_at__lte=now or timezone.now()
    ).order_by("-published_at", "-id")


def post_announcement(
    *,
    edition: Edition,
    by,
    values: dict[str, str],
    to_discord: bool,
    enqueue: Callable[[int], object] | None = None,
) -> Announcement:
    """Organizers post an announcement (``values``: the titles and texts in es/pt/en; Spanish
    required). With ``to_discord`` (a webhook is configured), it is queued for its one post to
    the Discord channel: ``enqueue`` (the task's ``delay``) gets its id once it is saved."""
    with transaction.atomic():
        announcement = Announcement.objects.create(
            edition=edition,
            posted_by=by,
            discord_state=(
                Announcement.DiscordState.QUEUED
                if to_discord
                else Announcement.DiscordState.NOT_SENT
            ),
            **values,
        )
        if to_discord and enqueue is not None:
            transaction.on_commit(lambda: enqueue(announcement.pk))
    return announcement


# --- Discord ---------------------------------------------------------------------------------


class DiscordUnavailable(Exception):
    """Discord did not take the post this time (rate limit, its own error, no connection): try
    again later, after ``retry_after`` seconds when Discord said how long."""

    def __init__(self, reason: str, *, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class DiscordOutcome:
    state: str
    posted: bool


def build_discord_message(*, announcement: Announcement, link: str) -> dict:
    """The webhook's JSON body: one embed (title, text, link) in the edition's first language,
    mentioning nobody (no @everyone from a text that contains it)."""
    title = announcement.title_es or announcement.title
    text = announcement.body_es or announcement.body
    if len(text) > DISCORD_TEXT_MAX:
        text = text[: DISCORD_TEXT_MAX - 1] + "…"
    embed = {"title": title[:DISCORD_TITLE_MAX], "description": text}
    if link:
        embed["url"] = link
    return {"embeds": [embed], "allowed_mentions": {"parse": []}}


def read_retry_after(response: requests.Response) -> float | None:
    """How long Discord asks to wait after a 429: the JSON body's ``retry_after`` (seconds,
    fractional), else the ``Retry-After`` header."""
    try:
        value = response.json().get("retry_after")
    except (ValueError, AttributeError):
        value = None
    if value is None:
        value = response.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def send_to_discord(
    *,
    announcement_id: int,
    webhook_url: str,
    link: str,
    session: requests.Session | None = None,
) -> DiscordOutcome:
    """Post a queued announcement to the Discord webhook, at most once.

    The announcement is claimed under a row lock (queued → sending) before the request, so two
    workers never both post it, and one already sent, failed or being sent is left alone. A 2xx
    is sent. A 429, a 5xx or a failed connection put it back in the queue and raise
    ``DiscordUnavailable`` (the request did not reach the channel). An answer that Discord
    refused (other 4xx), or a read that timed out (the post may have arrived), is failed: never
    posted twice."""
    with transaction.atomic():
        announcement = Announcement.objects.select_for_update().filter(pk=announcement_id).first()
        if announcement is None:
            return DiscordOutcome(state="gone", posted=False)
        if announcement.discord_state != Announcement.DiscordState.QUEUED:
            return DiscordOutcome(state=announcement.discord_state, posted=False)
        announcement.discord_state = Announcement.DiscordState.SENDING
        announcement.discord_attempts += 1
        announcement.save(update_fields=["discord_state", "discord_attempts"])
    message = build_discord_message(announcement=announcement, link=link)
    http = session or requests.Session()
    try:
        response = http.post(webhook_url, json=message, timeout=DISCORD_TIMEOUT)
    except requests.ConnectionError as error:
        # Connecting failed (ConnectTimeout included): nothing reached Discord.
        _settle(announcement_id, Announcement.DiscordState.QUEUED, error=str(error))
        raise DiscordUnavailable(str(error)) from error
    except requests.RequestException as error:
        _settle(announcement_id, Announcement.DiscordState.FAILED, error=str(error))
        return DiscordOutcome(state=Announcement.DiscordState.FAILED, posted=False)
    if response.ok:
        _settle(announcement_id, Announcement.DiscordState.SENT)
        return DiscordOutcome(state=Announcement.DiscordState.SENT, posted=True)
    error = f"HTTP {response.status_code}: {response.text[:300]}"
    if response.status_code == 429 or response.status_code >= 500:
        _settle(announcement_id, Announcement.DiscordState.QUEUED, error=error)
        retry_after = read_retry_after(response) if response.status_code == 429 else None
        raise DiscordUnavailable(error, retry_after=retry_after)
    _settle(announcement_id, Announcement.DiscordState.FAILED, error=error)
    return DiscordOutcome(state=Announcement.DiscordState.FAILED, posted=False)


def give_up_discord(*, announcement_id: int, reason: str) -> None:
    """After the last retry, a queued announcement is failed, with the last reason."""
    Announcement.objects.filter(
        pk=announcement_id, discord_state=Announcement.DiscordState.QUEUED
    ).update(discord_state=Announcement.DiscordState.FAILED, discord_error=reason[:500])


def _settle(announcement_id: int, state: str, *, error: str = "") -> None:
    values = {"discord_state": state, "discord_error": error[:500]}
    if state == Announcement.DiscordState.SENT:
        values["discord_sent_at"] = timezone.now()
    Announcement.objects.filter(pk=announcement_id).update(**values)
