"""How preference prompts plug into the shared pages: review queue, progress and exports."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from challenges.intake import Column, Intake
from challenges.models import Challenge

from .domain.batching import BATCH_SIZE
from .models import Prompt

EXPORT_FIELDS = [
    "id", "country", "language", "system_prompt", "prompt", "topic", "source", "status",
    "approvals", "rejections", "author_id",
]  # fmt: skip


def export_prompt_rows(challenge: Challenge) -> Iterator[dict]:
    """Every prompt of the challenge for the organizers' exports: the author by id only."""
    rows = (
        Prompt.objects.filter(challenge=challenge)
        .order_by("pk")
        .values(
            "pk",
            "country",
            "language",
            "system_prompt",
            "text",
            "topic",
            "source",
            "status",
            "approvals",
            "rejections",
            "author_id",
        )  # fmt: skip
        .iterator(chunk_size=BATCH_SIZE)
    )
    for row in rows:
        row["id"] = row.pop("pk")
        row["prompt"] = row.pop("text")
        yield row


def build_intake() -> Intake:
    return Intake(
        kind=Challenge.Kind.PREFERENCES,
        model=Prompt,
        counted_label=_("validated prompts"),
        organize_url="preferences:arena_upload",
        participate_url="preferences:home",
        review_columns=[
            Column(_("Country"), lambda prompt: prompt.country.name if prompt.country else ""),
            Column(_("Language"), lambda prompt: prompt.get_language_display()),
            Column(_("System prompt"), lambda prompt: prompt.system_prompt),
            Column(_("Prompt"), lambda prompt: prompt.text),
            Column(_("Topic"), lambda prompt: prompt.topic),
            Column(_("Approvals"), lambda prompt: prompt.approvals),
            Column(_("Rejections"), lambda prompt: prompt.rejections),
            Column(_("Source"), lambda prompt: prompt.get_source_display()),
        ],
        export_fields=EXPORT_FIELDS,
        export_rows=export_prompt_rows,
        review_related=[],
        country_lookup="country",
        language_lookup="language",
        search_lookups=["text", "system_prompt", "topic"],
    )
