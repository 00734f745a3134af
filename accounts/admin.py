from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Consent, Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "display_name_column",
        "hub_username_column",
        "is_staff",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = [
        "email",
        "profile__display_name",
        "profile__hub_username",
        "profile__discord_username",
    ]
    list_select_related = ["profile"]
    inlines = [ProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]

    @admin.display(description=_("display name"), ordering="profile__display_name")
    def display_name_column(self, user):
        return getattr(getattr(user, "profile", None), "display_name", "")

    @admin.display(description=_("Hugging Face username"), ordering="profile__hub_username")
    def hub_username_column(self, user):
        return getattr(getattr(user, "profile", None), "hub_username", "")


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "user",
        "hub_username",
        "discord_username",
        "country",
        "hub_membership_verified_at",
    ]
    list_filter = ["country", ("hub_membership_verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["display_name", "user__email", "hub_username", "discord_username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "edition", "version", "accepted_at"]
    list_filter = ["edition", "version"]
    search_fields = ["user__email", "user__profile__display_name"]
    list_select_related = ["user", "edition"]
    raw_id_fields = ["user"]
    date_hierarchy = "accepted_at"
