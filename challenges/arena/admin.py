from django.contrib import admin

from .models import ArenaModel, ArenaSettings, Battle, BattleAnswer


@admin.register(ArenaModel)
class ArenaModelAdmin(admin.ModelAdmin):
    list_display = ["display_name", "provider", "model_id", "api_key_env", "enabled", "edition"]
    list_filter = ["edition", "enabled"]
    search_fields = ["display_name", "model_id", "slug"]


class BattleAnswerInline(admin.TabularInline):
    model = BattleAnswer
    extra = 0
    fields = ["turn", "side", "model", "status", "failure", "tokens", "text"]
    readonly_fields = fields
    can_delete = False


@admin.register(Battle)
class BattleAdmin(admin.ModelAdmin):
    list_display = ["pk", "user", "model_a", "model_b", "status", "created_at"]
    list_filter = ["status", "challenge"]
    list_select_related = ["user", "model_a", "model_b"]
    raw_id_fields = ["user", "team", "prompt", "vote"]
    readonly_fields = ["turns", "created_at", "voted_at"]
    inlines = [BattleAnswerInline]


admin.site.register(ArenaSettings)
