from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from accounts.roles import is_judge, is_organizer


def judge_required(view):
    """Judges (and organizers, who oversee them) only; anonymous visitors log in first."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (is_judge(request.user) or is_organizer(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
