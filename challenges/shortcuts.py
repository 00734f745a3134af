"""What views of every app look up the same way: the current edition, one of its challenges."""

from __future__ import annotations

from django.http import Http404

from challenges.models import Edition


def require_edition(request) -> Edition:
    """The current edition (``request.edition``); 404 while no edition has been loaded, since
    pages about an edition's teams, challenges and scores have nothing to show without one."""
    if not request.edition:
        raise Http404("No edition has been loaded yet.")
    return request.edition
