"""Authentication backends: Django's and allauth's, with the signed-in person's row remembered.

Every page reads the signed-in person (``request.user``); their row changes rarely (a login's
``last_login``, a new password, an organizer deactivating them). Each web process remembers it
under the person's scope (``hackathon.memo``), forgotten whenever the row is saved or deleted
(``accounts.receivers``). Django still checks the session's password hash against the row on
every request, so a new password ends the other sessions as soon as the save is seen.
"""

from __future__ import annotations

from allauth.account import auth_backends as allauth_backends
from django.contrib.auth import backends

from hackathon.memo import person_scope, remember


class RememberedUserMixin:
    def get_user(self, user_id):
        """The active person with this id, as the backend reads them, remembered per process."""
        read = super().get_user
        return remember(f"user:{user_id}", lambda: read(user_id), scope=person_scope(user_id))


class ModelBackend(RememberedUserMixin, backends.ModelBackend):
    """Django's backend (the admin's login by email and password)."""


class AuthenticationBackend(RememberedUserMixin, allauth_backends.AuthenticationBackend):
    """allauth's backend (the site's login)."""
