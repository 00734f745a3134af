"""What each kind of notification says, in the active language, from its stored details.

Names are stored as they were (a challenge's title in its three languages), so a page of
notifications reads no other table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from notifications.models import Kind

CONTENT_LANGUAGES = ("es", "pt", "en")


def titles_of(instance, field: str = "title") -> dict[str, str]:
    """The three translations of a field (``title_es``...), to store in a notification."""
    return {code: getattr(instance, f"{field}_{code}", "") for code in CONTENT_LANGUAGES}


def pick(texts: dict[str, str] | str) -> str:
    """The stored text in the active language, falling back to Spanish, then any."""
    if isinstance(texts, str):
        return texts
    language = (get_language() or "es").split("-")[0]
    for code in (language, "es", *CONTENT_LANGUAGES):
        if texts.get(code):
            return texts[code]
    return ""


@dataclass(frozen=True)
class Text:
    title: str
    detail: str = ""


def _decision(params: dict) -> Text:
    count, challenge = params.get("count", 1), pick(params.get("challenge", ""))
    status = params.get("status")
    if status == "validated":
        title = ngettext(
            "%(count)s contribution to “%(challenge)s” was accepted.",
            "%(count)s contributions to “%(challenge)s” were accepted.",
            count,
        )
    elif status == "rejected":
        title = ngettext(
            "%(count)s contribution to “%(challenge)s” was rejected.",
            "%(count)s contributions to “%(challenge)s” were rejected.",
            count,
        )
    elif status == "invalidated":
        title = ngettext(
            "%(count)s contribution to “%(challenge)s” was invalidated.",
            "%(count)s contributions to “%(challenge)s” were invalidated.",
            count,
        )
    else:
        title = ngettext(
            "%(count)s contribution to “%(challenge)s” is pending review again.",
            "%(count)s contributions to “%(challenge)s” are pending review again.",
            count,
        )
    reason = params.get("reason", "")
    detail = _("Reason: %(reason)s") % {"reason": reason} if reason else ""
    return Text(title % {"count": count, "challenge": challenge}, detail)


def _membership(params: dict) -> Text:
    names = {"person": params.get("person", ""), "team": params.get("team", "")}
    event = params.get("event")
    if event == "joined":
        return Text(_("%(person)s joined your team “%(team)s”.") % names)
    if event == "removed":
        if params.get("you"):
            return Text(_("You were removed from the team “%(team)s”.") % names)
        return Text(_("%(person)s was removed from your team “%(team)s”.") % names)
    return Text(_("%(person)s left your team “%(team)s”.") % names)


def _captaincy(params: dict) -> Text:
    names = {"person": params.get("person", ""), "team": params.get("team", "")}
    if params.get("you"):
        return Text(_("You are now the captain of “%(team)s”.") % names)
    return Text(_("%(person)s is now the captain of “%(team)s”.") % names)


def _extension(params: dict) -> Text:
    names = {"challenge": pick(params.get("challenge", "")), "when": pick(params.get("closes", ""))}
    if params.get("team"):
        title = _("“%(challenge)s” now closes on %(when)s for your team.") % names
    else:
        title = _("“%(challenge)s” now closes on %(when)s for everyone.") % names
    reason = params.get("reason", "")
    return Text(title, _("Reason: %(reason)s") % {"reason": reason} if reason else "")


def _grant(params: dict) -> Text:
    team = params.get("team", "")
    if params.get("grant") == "gpu":
        return Text(_("Your team “%(team)s” was granted a GPU.") % {"team": team})
    return Text(_("Your team “%(team)s” was granted API credits.") % {"team": team})


def _judged_points(params: dict) -> Text:
    return Text(
        _("The judges' points are published: see your team “%(team)s” on the leaderboard.")
        % {"team": params.get("team", "")}
    )


def _project_incomplete(params: dict) -> Text:
    return Text(
        _("“%(challenge)s” closes on %(when)s and your team's project still lacks: %(missing)s.")
        % {
            "challenge": pick(params.get("challenge", "")),
            "when": pick(params.get("closes", "")),
            "missing": ", ".join(pick(item) for item in params.get("missing", [])),
        }
    )


def _window_closing(params: dict) -> Text:
    count = params.get("count", 1)
    return Text(
        ngettext(
            "“%(challenge)s” closes on %(when)s and you have %(count)s draft not sent for review.",
            "“%(challenge)s” closes on %(when)s and you have %(count)s drafts not sent for review.",
            count,
        )
        % {
            "challenge": pick(params.get("challenge", "")),
            "when": pick(params.get("closes", "")),
            "count": count,
        }
    )


def _judging_reminder(params: dict) -> Text:
    count = params.get("count", 1)
    return Text(
        ngettext(
            "Judging %(edition)s: you still have %(count)s team to judge.",
            "Judging %(edition)s: you still have %(count)s teams to judge.",
            count,
        )
        % {"edition": params.get("edition", ""), "count": count}
    )


def _message(params: dict) -> Text:
    return Text(pick(params.get("subject", "")))


DESCRIBE = {
    Kind.DECISION: _decision,
    Kind.MEMBERSHIP: _membership,
    Kind.CAPTAINCY: _captaincy,
    Kind.EXTENSION: _extension,
    Kind.GRANT: _grant,
    Kind.JUDGED_POINTS: _judged_points,
    Kind.PROJECT_INCOMPLETE: _project_incomplete,
    Kind.WINDOW_CLOSING: _window_closing,
    Kind.MESSAGE: _message,
    Kind.JUDGING_REMINDER: _judging_reminder,
}


def describe(*, kind: str, params: dict) -> Text:
    """What a notification of ``kind`` says, in the active language."""
    return DESCRIBE[kind](params)


def subject_for(*, kind: str, params_list: list[dict]) -> str:
    """The subject of an email carrying these notifications of one kind."""
    if len(params_list) == 1:
        return describe(kind=kind, params=params_list[0]).title
    count = len(params_list)
    return ngettext("%(count)s update: %(kind)s", "%(count)s updates: %(kind)s", count) % {
        "count": count,
        "kind": Kind(kind).label,
    }
