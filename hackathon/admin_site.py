from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_organizer


class OrganizerAdminSite(admin.AdminSite):
    """The Django admin, open to the organizers group; everyone signs in through allauth."""

    site_header = _("SomosNLP Hackathon · organizers")
    site_title = _("SomosNLP Hackathon")
    index_title = _("Run the edition")

    def has_permission(self, request) -> bool:
        return is_organizer(request.user)

    def login(self, request, extra_context=None):
        if not request.user.is_authenticated:
            return redirect_to_login(request.GET.get("next") or request.get_full_path())
        if not self.has_permission(request):
            raise PermissionDenied
        return redirect(request.GET.get("next") or "admin:index")
