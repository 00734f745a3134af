"""The arena's models in the edition file: one ``[[arena_models]]`` table per model.

[[arena_models]]
slug = "salamandra-7b"
name = "Salamandra 7B"
provider = "BSC"
base_url = "https://api.example.org/v1"   # an OpenAI-compatible chat-completions API
model_id = "BSC-LT/salamandra-7b-instruct"
api_key_env = "ARENA_KEY_SALAMANDRA"      # the variable's name: keys never go in the file
max_tokens = 1024
temperature = 0.7
max_concurrency = 20
daily_token_budget = 2000000
enabled = true
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from challenges.domain.editions import EditionSection, record_changes, take_snapshot
from challenges.models import ChangeRecord, Edition

from ..models import ArenaModel

FILE_KEYS = {
    "name": "display_name",
    "provider": "provider",
    "base_url": "base_url",
    "model_id": "model_id",
    "api_key_env": "api_key_env",
    "max_tokens": "max_tokens",
    "temperature": "temperature",
    "max_concurrency": "max_concurrency",
    "daily_token_budget": "daily_token_budget",
    "enabled": "enabled",
}
REQUIRED = ("slug", "name", "base_url", "model_id")
ENVIRONMENT_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,99}$")
SLUG = re.compile(r"^[-a-z0-9_.]{1,100}$")
WHOLE_NUMBERS = ("max_tokens", "max_concurrency", "daily_token_budget")


def check_arena_models(value: Any) -> list[str]:
    """Every problem of the file's ``[[arena_models]]``: required keys, unknown keys, a key
    written where its variable's name belongs, URLs, numbers, repeated slugs."""
    if not isinstance(value, list) or not all(isinstance(row, dict) for row in value):
        return [_("[[arena_models]] must be a list of tables.")]
    problems, seen = [], set()
    for number, row in enumerate(value, start=1):
        label = _("arena model %(number)s") % {"number": number}
        for key in REQUIRED:
            if not str(row.get(key) or "").strip():
                problems.append(
                    _("%(label)s: “%(key)s” is missing.") % {"label": label, "key": key}
                )
        slug = str(row.get("slug") or "")
        if slug and not SLUG.match(slug):
            problems.append(
                _("%(label)s: “%(slug)s” is not a valid identifier.")
                % {"label": label, "slug": slug}
            )
        if slug in seen:
            problems.append(_("Arena model “%(slug)s” appears twice.") % {"slug": slug})
        seen.add(slug)
        unknown = set(row) - set(FILE_KEYS) - {"slug"}
        if unknown & {"api_key", "key", "token", "secret"}:
            problems.append(
                _(
                    "%(label)s: never write a key in the edition file; name the environment "
                    "variable that holds it in “api_key_env”."
                )
                % {"label": label}
            )
        elif unknown:
            problems.append(
                _("%(label)s: unknown keys: %(keys)s.")
                % {"label": label, "keys": ", ".join(sorted(unknown))}
            )
        env = row.get("api_key_env")
        if env and not (isinstance(env, str) and ENVIRONMENT_NAME.match(env)):
            problems.append(
                _(
                    "%(label)s: “api_key_env” must be an environment variable's name, like %(example)s."
                )
                % {"label": label, "example": "ARENA_KEY_MODEL"}
            )
        if row.get("base_url"):
            # A self-hosted server may be named without a domain (http://vllm:8000/v1).
            address = urlsplit(str(row["base_url"]))
            if address.scheme not in ("http", "https") or not address.hostname:
                problems.append(_("%(label)s: “base_url” is not a URL.") % {"label": label})
        for key in WHOLE_NUMBERS:
            if key in row and (
                isinstance(row[key], bool) or not isinstance(row[key], int) or row[key] < 0
            ):
                problems.append(
                    _("%(label)s: “%(key)s” must be a whole number.") % {"label": label, "key": key}
                )
        temperature = row.get("temperature", 0.7)
        if (
            isinstance(temperature, bool)
            or not isinstance(temperature, (int, float))
            or not (0 <= temperature <= 2)
        ):
            problems.append(
                _("%(label)s: “temperature” must be a number from 0 to 2.") % {"label": label}
            )
        if "enabled" in row and not isinstance(row["enabled"], bool):
            problems.append(_("%(label)s: “enabled” must be true or false.") % {"label": label})
    return problems


def load_arena_models(*, edition: Edition, value: list[dict], record: bool) -> list[ChangeRecord]:
    """Create or update the edition's arena models from the file (checked already); models the
    file no longer lists are left as they are (battles point at them). Changes to existing
    models are recorded when ``record``."""
    existing = {model.slug: model for model in ArenaModel.objects.filter(edition=edition)}
    changes: list[ChangeRecord] = []
    for row in value:
        values = {field: row[key] for key, field in FILE_KEYS.items() if key in row}
        if "temperature" in values:
            values["temperature"] = ArenaModel._meta.get_field("temperature").to_python(
                str(values["temperature"])
            )
        model = existing.get(row["slug"])
        if model is None:
            ArenaModel.objects.create(edition=edition, slug=row["slug"], **values)
            continue
        before = take_snapshot(instance=model, fields=list(values))
        for field, new in values.items():
            setattr(model, field, new)
        model.save()
        if record:
            changes += record_changes(
                edition=edition,
                instance=model,
                before=before,
                source=ChangeRecord.Source.EDITION_FILE,
            )
    return changes


ARENA_MODELS_SECTION = EditionSection(
    key="arena_models", check=check_arena_models, apply=load_arena_models
)
