from django.utils.functional import SimpleLazyObject

from accounts.roles import is_judge, is_organizer


def roles(request):
    # Lazy: the groups query runs only on pages that show organizer links.
    return {
        "is_organizer": SimpleLazyObject(lambda: is_organizer(request.user)),
        "is_judge": SimpleLazyObject(lambda: is_judge(request.user)),
    }
