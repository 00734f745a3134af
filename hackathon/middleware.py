"""What every response gets from the site itself: the request size limit and security headers.

``RequestSizeLimitMiddleware`` refuses a body over ``MAX_REQUEST_BYTES`` from its declared
length, before anything reads it; ``bad_request`` (the site's 400 handler) shows the same page
when Django's own limits refuse a request while it is read (a text field over
``DATA_UPLOAD_MAX_MEMORY_SIZE``, too many fields or files). ``PermissionsPolicyMiddleware``
sends the ``Permissions-Policy`` header.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import defaults


def render_too_large(request, *, limit: str):
    """The 413 page, naming the limit the request went over."""
    return render(request, "413.html", {"limit": limit}, status=413)


def _declared_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body is over ``settings.MAX_REQUEST_BYTES`` (413),
    without reading it: the server stops at the headers instead of receiving the whole body.

    A body without a length (``Transfer-Encoding: chunked``) is never read past zero bytes:
    Django reads at most ``CONTENT_LENGTH`` bytes of ``wsgi.input``, 0 when it is missing, and
    the proxy in front (docker-compose.yml) caps and buffers those bodies first.

    It must come after every middleware whose request phase the 413 page needs (the language,
    the user, the edition) and before anything that reads ``request.POST``: the CSRF check reads
    it in ``process_view``, after every middleware's request phase.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = _declared_length(request)
        if length is not None and length > settings.MAX_REQUEST_BYTES:
            return render_too_large(request, limit=filesizeformat(settings.MAX_REQUEST_BYTES))
        return self.get_response(request)


def bad_request(request, exception):
    """The site's 400 handler: Django's limits on what it reads of a request get the 413 page
    naming the limit; any other bad request gets Django's own answer."""
    if isinstance(exception, RequestDataTooBig):
        return render_too_large(
            request,
            limit=_("%(size)s of text in a form")
            % {"size": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)},
        )
    if isinstance(exception, TooManyFieldsSent):
        count = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return render_too_large(
            request,
            limit=ngettext("%(count)d field", "%(count)d fields", count) % {"count": count},
        )
    if isinstance(exception, TooManyFilesSent):
        count = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return render_too_large(
            request,
            limit=ngettext("%(count)d file", "%(count)d files", count) % {"count": count},
        )
    return defaults.bad_request(request, exception)


class PermissionsPolicyMiddleware:
    """Sends ``Permissions-Policy`` from ``settings.PERMISSIONS_POLICY`` (feature → allowed
    origins; an empty list turns the feature off) on every response: the site uses no camera,
    microphone, location or payment, so no page, nor anything injected into one, may ask."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
