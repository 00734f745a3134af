"""The edition the site shows, on every request as ``request.edition``."""

from __future__ import annotations

import functools

from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from challenges.domain.remembered import get_current_edition
from challenges.models import Edition


class EditionMiddleware:
    """Sets ``request.edition``: the current edition (``Edition.objects.current()``), or None
    while none has been loaded.

    It is remembered in the shared cache (``challenges.domain.remembered``) and lazy: it is
    read the first time a view or a template reads it, at most once per request, and never
    for pages that do not need it (the shared leaderboard answers, health checks, static
    redirects). Being a proxy, it is never ``is None``: test it with
    ``if not request.edition`` (or use ``challenges.shortcuts.require_edition``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.edition = SimpleLazyObject(get_current_edition)
        return self.get_response(request)


@functools.cache
def _admin_path(script_prefix: str) -> str:
    # Reversed once per script prefix (the argument is the key; reverse() reads the current
    # one): every request asks, and reversing cost ~40 µs.
    return reverse("admin:index")


class AdminTimeZoneMiddleware:
    """The admin shows and reads times in the current edition's time zone (AoE), as the site
    says them, instead of the server's UTC. Other pages name their zone where they show times."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_admin_path(get_script_prefix())):
            return self.get_response(request)
        edition = Edition.objects.current()
        if edition is None:
            return self.get_response(request)
        with timezone.override(edition.zone):
            return self.get_response(request)
