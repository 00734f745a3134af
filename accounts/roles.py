"""The two staff roles: organizers run the edition; judges mark projects (later issues)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from hackathon.memo import person_scope, remember

ORGANIZERS = "organizers"
JUDGES = "judges"
# Organizers manage everything that belongs to the edition and its people.
ORGANIZER_APPS = [
    "accounts", "teams", "challenges", "include", "stereotypes", "blend", "preferences", "projects", "scoring", "hub",
    "announcements", "schedule", "judging",
    "account", "socialaccount",
]  # fmt: skip


def ensure_role_groups(sender=None, **kwargs) -> None:
    """Create the organizers and judges groups and give organizers every project permission."""
    organizers, _created = Group.objects.get_or_create(name=ORGANIZERS)
    Group.objects.get_or_create(name=JUDGES)
    permissions = Permission.objects.filter(content_type__app_label__in=ORGANIZER_APPS)
    organizers.permissions.add(*permissions)


def is_organizer(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return _in_group(user, ORGANIZERS)


def is_judge(user) -> bool:
    return user.is_authenticated and user.is_active and _in_group(user, JUDGES)


def _in_group(user, name: str) -> bool:
    # Kept on the user object (templates and views ask several times per request) and
    # remembered (``hackathon.memo``, the person's scope: every page's menu asks), forgotten by
    # ``accounts.receivers`` when their groups change.
    cache = getattr(user, "_role_cache", None)
    if cache is None:
        cache = remember(
            "groups",
            lambda: frozenset(user.groups.values_list("name", flat=True)),
            scope=person_scope(user.pk),
        )
        user._role_cache = cache
    return name in cache
