"""What views of every app do the same way: look up the current edition and one of its
challenges, and tell a refused form's errors on the page they redirect to."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib import messages
from django.http import Http404
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _

from challenges.domain.remembered import find_challenge
from challenges.intake import get_intake
from challenges.models import Challenge, Edition


def require_edition(request) -> Edition:
    """The current edition (``request.edition``); 404 while no edition has been loaded, since
    pages about an edition's teams, challenges and scores have nothing to show without one."""
    if not request.edition:
        raise Http404("No edition has been loaded yet.")
    return request.edition


def get_challenge(request, slug: str, kind: str | Collection[str] | None = None) -> Challenge:
    """The current edition's challenge with this slug, of this kind (or one of these kinds;
    None: any), its edition fetched along; 404 otherwise, so one app's pages never show
    another kind's challenge nor one of another edition. Remembered
    (``challenges.domain.remembered``): no query once read."""
    challenge = find_challenge(edition=unwrap_edition(require_edition(request)), slug=slug)
    kinds = {kind} if isinstance(kind, str) else kind
    if challenge is None or (kinds is not None and challenge.kind not in kinds):
        raise Http404("No such challenge in this edition.")
    return challenge


def get_collecting_challenge(request, slug: str):
    """The current edition's challenge with this slug and the Intake of its kind; 404 for a
    challenge that collects no contributions (a judged one)."""
    challenge = get_challenge(request, slug)
    intake = get_intake(challenge.kind)
    if intake is None:
        raise Http404(_("This challenge collects no contributions."))
    return challenge, intake


def unwrap_edition(edition) -> Edition:
    """The edition itself behind ``request.edition``'s lazy proxy (read if it was not yet)."""
    if isinstance(edition, SimpleLazyObject):
        if edition._wrapped is empty:
            edition._setup()
        return edition._wrapped
    return edition


def announce_form_errors(request, form) -> None:
    """Every error of a refused form as a message, for actions that redirect back to the page
    that holds the form instead of showing it again."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
