"""A person's remembered countries (``domain.get_countries``) are forgotten when their
profile's country or their declared countries change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hackathon.memo import forget, person_scope

from .models import BlendProfile


@receiver([post_save, post_delete], sender="accounts.Profile", dispatch_uid="blend_forget_home")
@receiver([post_save, post_delete], sender=BlendProfile, dispatch_uid="blend_forget_declared")
def forget_countries(sender, instance, **kwargs):
    forget(person_scope(instance.user_id))
