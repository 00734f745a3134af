"""The remembered consent texts, consents and reading profiles (``domain.consent`` and
``domain.profile``, ``remembered=True``) are forgotten when their rows change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from hackathon.memo import SITE, forget, person_scope

from .models import StereotypeConsent, StereotypeConsentText, StereotypeProfile


@receiver([post_save, post_delete], sender=StereotypeConsentText, dispatch_uid="forget_text")
def forget_consent_text(sender, instance: StereotypeConsentText, **kwargs):
    forget(SITE)


@receiver([post_save, post_delete], sender=StereotypeConsent, dispatch_uid="forget_consent")
@receiver([post_save, post_delete], sender=StereotypeProfile, dispatch_uid="forget_profile")
def forget_person(sender, instance, **kwargs):
    forget(person_scope(instance.user_id))
