from functools import update_wrapper

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_organizer


class OrganizerAdminSite(admin.AdminSite):
    """The Django admin, open to the organizers group.

    Everyone signs in through allauth (verified email, rate limits): anonymous visitors are
    sent to its login page, and signed-in people who are not organizers get 403.
    """

    site_header = _("SomosNLP Hackathon · organizers")
    site_title = _("SomosNLP Hackathon")
    index_title = _("Run the edition")

    def each_context(self, request):
        context = super().each_context(request)
        edition = getattr(request, "edition", None)
        if edition:
            # Times in the admin are the edition's (challenges.middleware.AdminTimeZoneMiddleware).
            context["site_header"] = _("%(header)s · times in %(zone)s") % {
                "header": self.site_header,
                "zone": edition.time_zone_label,
            }
        return context

    def has_permission(self, request) -> bool:
        return is_organizer(request.user)

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not self.has_permission(request):
                raise PermissionDenied
            return protected(request, *args, **kwargs)

        return update_wrapper(inner, view)

    def login(self, request, extra_context=None):
        target = request.GET.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index", current_app=self.name)
        if not request.user.is_authenticated:
            return redirect_to_login(target)
        if not self.has_permission(request):
            raise PermissionDenied
        return redirect(target)
