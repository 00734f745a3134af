"""The edition the site shows, on every request as ``request.edition``."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from challenges.domain.remembered import get_current_edition


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
