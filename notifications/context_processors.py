from django.utils.functional import SimpleLazyObject

from notifications.domain import unread_count


def unread_notifications(request):
    # Lazy: the count query runs only on pages that show the bell (signed-in people's).
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user=request.user))}
