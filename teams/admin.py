from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Team, TeamEvent


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role", "joined_at"]
    readonly_fields = ["joined_at"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "member_count", "track", "registered_at", "created_at"]
    list_filter = ["edition", "track", ("registered_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "memberships__user__email", "memberships__user__profile__display_name"]
    readonly_fields = ["invite_token", "created_at"]
    raw_id_fields = ["registered_by"]
    inlines = [MembershipInline]
    list_select_related = ["edition"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, team):
        return team.member_total

    def save_formset(self, request, form, formset, change):
        # The membership's edition is always its team's: fill it for rows added here.
        for membership in formset.save(commit=False):
            membership.edition_id = form.instance.edition_id
            membership.save()
        for deleted in formset.deleted_objects:
            deleted.delete()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "edition", "joined_at"]
    list_filter = ["edition", "role"]
    search_fields = ["user__email", "user__profile__display_name", "team__name"]
    list_select_related = ["user", "team", "edition"]
    raw_id_fields = ["user", "team"]


@admin.register(TeamEvent)
class TeamEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "team_name", "kind", "person", "actor"]
    list_filter = ["edition", "kind"]
    search_fields = ["team_name", "person__email", "actor__email"]
    list_select_related = ["person", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
