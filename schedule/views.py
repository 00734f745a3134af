from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import organizer_required
from challenges.shortcuts import require_edition
from schedule.domain import (
    EventRefused,
    build_ics,
    delete_event,
    find_team_feed,
    get_team_feed,
    list_entries,
    regenerate_team_feed,
    save_event,
)
from schedule.forms import COMMON_ZONES, EventForm, TimeZoneForm
from schedule.models import Event
from teams.domain import get_membership

ICS_CONTENT_TYPE = "text/calendar; charset=utf-8"


def google_calendar_url(feed_url: str) -> str:
    """Google Calendar's page that subscribes to a feed (its webcal:// address)."""
    webcal = "webcal://" + feed_url.split("://", 1)[-1]
    return "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal})


def calendar_page(request):
    """The calendar in the edition's zone (AoE) and in the visitor's: the zone asked for
    (``?tz=``), else UTC, which the page's script turns into the browser's own zone."""
    edition = require_edition(request)
    form = TimeZoneForm(request.GET if "tz" in request.GET else None)
    zone_name = form.cleaned_data["tz"] if form.is_bound and form.is_valid() else "UTC"
    membership = get_membership(user=request.user, edition=edition)
    team_id = membership.team_id if membership else None
    entries = list_entries(edition=edition, team_id=team_id)
    feed_url = request.build_absolute_uri(_in_language(reverse("schedule:ics")))
    return render(
        request,
        "schedule/calendar.html",
        {
            "entries": entries,
            "form": form,
            "zone_name": zone_name,
            "chosen": form.is_bound and not form.errors,
            "zones": COMMON_ZONES,
            "team": membership.team if membership else None,
            "feed_url": feed_url,
            "google_url": google_calendar_url(feed_url),
        },
        status=400 if form.errors else 200,
    )


def _ics_response(content: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ICS_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "max-age=300"
    return response


def _in_language(path: str) -> str:
    """A feed's address in the reader's language, for the calendar app that subscribes."""
    return f"{path}?{urlencode({'lang': translation.get_language()})}"


def _feed_language(request) -> str:
    """Calendar apps fetch a feed without the reader's cookie or language: ``?lang=pt`` (or
    es, en) in the address chooses it, else the request's."""
    asked = request.GET.get("lang", "")
    return asked if asked in dict(settings.LANGUAGES) else translation.get_language()


@require_GET
def calendar_ics(request):
    edition = require_edition(request)
    with translation.override(_feed_language(request)):
        content = build_ics(
            edition=edition,
            entries=list_entries(edition=edition),
            name=edition.name,
            link=request.build_absolute_uri(reverse("schedule:calendar")),
        )
    return _ics_response(content, filename=f"{edition.slug}.ics")


@require_GET
def team_feed_ics(request, token: str):
    """A team's own calendar, at its secret address; any other address is a 404."""
    feed = find_team_feed(token=token)
    if feed is None:
        raise Http404
    team = feed.team
    with translation.override(_feed_language(request)):
        content = build_ics(
            edition=team.edition,
            entries=list_entries(edition=team.edition, team_id=team.pk),
            name=f"{team.edition.name} · {team.name}",
            link=request.build_absolute_uri(reverse("schedule:calendar")),
        )
    response = _ics_response(content, filename=f"{team.edition.slug}-team.ics")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


def _my_team(request):
    edition = require_edition(request)
    membership = get_membership(user=request.user, edition=edition)
    if membership is None:
        raise Http404(_("You are not in a team."))
    return membership.team


@login_required
def team_calendar(request):
    team = _my_team(request)
    feed = get_team_feed(team=team)
    url = request.build_absolute_uri(_in_language(reverse("schedule:team_ics", args=[feed.token])))
    return render(
        request,
        "schedule/team_calendar.html",
        {"team": team, "url": url, "google_url": google_calendar_url(url)},
    )


@login_required
@require_POST
def regenerate_team_calendar(request):
    regenerate_team_feed(team=_my_team(request))
    messages.success(
        request, _("Your team's calendar has a new address; the old one stopped working.")
    )
    return redirect("schedule:team_calendar")


@organizer_required
def organize_events(request, pk: int | None = None):
    edition = require_edition(request)
    event = get_object_or_404(Event, pk=pk, edition=edition) if pk else None
    form = EventForm(
        request.POST if request.method == "POST" else None, instance=event, edition=edition
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = save_event(
                edition=edition, by=request.user, values=form.event_values(), event=event
            )
        except EventRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Event “%(title)s” saved.") % {"title": saved.title})
            return redirect("schedule:organize")
    events = Event.objects.filter(edition=edition)
    return render(
        request,
        "schedule/organize.html",
        {
            "form": form,
            "event": event,
            "events": events,
            "zones": sorted({*COMMON_ZONES, edition.time_zone}),
        },
        status=400 if form.errors else 200,
    )


@organizer_required
@require_POST
def remove_event(request, pk: int):
    edition = require_edition(request)
    if not delete_event(edition=edition, event_id=pk):
        raise Http404
    messages.success(request, _("The event was removed."))
    return redirect("schedule:organize")
