from challenges.models import Edition


def current_edition_of(request) -> Edition | None:
    """The edition the site shows, fetched at most once per request."""
    if not hasattr(request, "_current_edition"):
        request._current_edition = Edition.objects.current()
    return request._current_edition


def current_edition(request):
    return {"edition": current_edition_of(request)}
