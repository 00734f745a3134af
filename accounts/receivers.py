"""A person's remembered row (the signed-in user, ``accounts.backends``) is forgotten when it is
saved or deleted; their remembered groups (``roles``, for ``is_organizer`` and ``is_judge``) are
forgotten when their groups change: added or removed from either side, a group renamed or
deleted."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from hackathon.memo import forget, person_scope


def _forget_people(user_ids) -> None:
    forget(*(person_scope(user_id) for user_id in user_ids))


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="forget_groups")
def forget_changed_groups(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:  # user.groups.add(...): the person is the instance
        _forget_people([instance.pk])
    elif pk_set:  # group.user_set.add(...): the people are the keys
        _forget_people(pk_set)
    else:  # group.user_set.clear(), told before the rows go
        _forget_people(instance.user_set.values_list("pk", flat=True))


@receiver(post_save, sender=Group, dispatch_uid="forget_renamed_group")
@receiver(pre_delete, sender=Group, dispatch_uid="forget_deleted_group")
def forget_members(sender, instance: Group, **kwargs):
    if instance.pk:
        _forget_people(instance.user_set.values_list("pk", flat=True))


@receiver(post_save, sender=get_user_model(), dispatch_uid="forget_saved_user")
@receiver(post_delete, sender=get_user_model(), dispatch_uid="forget_deleted_user")
def forget_user(sender, instance, **kwargs):
    """The remembered row of the signed-in person (accounts.backends) is read again."""
    _forget_people([instance.pk])
