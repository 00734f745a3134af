"""The shape of the seeded data: what two runs of ``seed_demo`` with the same arguments and seed
must agree on, whatever the way they insert rows (rows of each model, contributions of each
challenge kind by status, teams by size and track)."""

from __future__ import annotations

from collections import Counter

from django.apps import apps
from django.db.models import Count

from challenges.intake import REGISTRY
from teams.models import Team

# The apps whose rows seed_demo creates (allauth's "account" holds the verified addresses).
SEEDED_APPS = {"accounts", "account", "teams", "challenges", "include", "blend", "stereotypes",
               "preferences", "scoring"}  # fmt: skip


def _by(queryset, field: str) -> dict[str, int]:
    return {
        str(value): total
        for value, total in queryset.values_list(field).annotate(total=Count("pk")).order_by()
    }


def describe_seeded_data() -> dict:
    """Rows per model, contributions per kind and status, teams per size and per track."""
    rows = {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in SEEDED_APPS
    }
    statuses = {
        kind: _by(intake.model.objects.all(), "status") for kind, intake in REGISTRY.items()
    }
    sizes = Counter(
        str(size)
        for size in Team.objects.annotate(size=Count("memberships")).values_list("size", flat=True)
    )
    return {
        "rows": {label: count for label, count in sorted(rows.items()) if count},
        "statuses": statuses,
        "team_sizes": dict(sorted(sizes.items())),
        "tracks": _by(Team.objects.all(), "track"),
    }
