"""The shared preference dataset, built from the validated prompts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from challenges.domain import (
    ContributionRefused,
)
from challenges.models import Challenge, ContributionStatus
from challenges.preferences.models import (
    ArenaVote,
    DatasetBuild,
    Prompt,
)

from .batching import BATCH_SIZE

SHARED_COLUMNS = ["country", "system_prompt", "question", "chosen", "rejected"]
DPO_COLUMNS = ["prompt", "chosen", "rejected"]


def _dataset_rows(
    *, challenge: Challenge
) -> Iterator[tuple[str, str, str, str | None, str | None]]:
    latest = ArenaVote.objects.filter(
        prompt=OuterRef("pk"), vote_type__in=ArenaVote.DECISIVE
    ).order_by("-tstamp", "-pk")
    return (
        Prompt.objects.filter(challenge=challenge, status=ContributionStatus.VALIDATED)
        .annotate(
            vote_chosen=Subquery(latest.values("chosen")[:1]),
            vote_rejected=Subquery(latest.values("rejected")[:1]),
        )
        .order_by("pk")
        .values_list("country", "system_prompt", "text", "vote_chosen", "vote_rejected")
        .iterator(chunk_size=BATCH_SIZE)
    )


def shared_preference_rows(*, challenge: Challenge) -> list[dict]:
    """The rows of the shared preference dataset: one per validated prompt, with country (ISO
    code), system_prompt, question, chosen and rejected (from its most recent vote that chose
    an answer; empty when no vote did)."""
    return [
        {
            "country": country or "",
            "system_prompt": system_prompt,
            "question": question,
            "chosen": chosen or "",
            "rejected": rejected or "",
        }
        for country, system_prompt, question, chosen, rejected in _dataset_rows(challenge=challenge)
    ]


def build_preference_dataset(*, challenge: Challenge, directory: Path) -> list[Path]:
    """Write the shared preference dataset of the validated prompts into ``directory``.

    ``preferences``: one row per validated prompt with country (ISO code), system_prompt,
    question, chosen and rejected (from its most recent vote that chose an answer; empty when
    no vote did). ``preferences_dpo``: prompt (the system prompt, a blank line, the question; or
    just the question), chosen, rejected, only for prompts with such a vote. Each as Parquet
    and JSON Lines. Returns the paths written.
    """
    from datasets import Dataset, Features, Value

    shared = shared_preference_rows(challenge=challenge)
    dpo = [
        {
            "prompt": f"{row['system_prompt']}\n\n{row['question']}"
            if row["system_prompt"]
            else row["question"],
            "chosen": row["chosen"],
            "rejected": row["rejected"],
        }
        for row in shared
        if row["chosen"] and row["rejected"]
    ]
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, columns, rows in (
        ("preferences", SHARED_COLUMNS, shared),
        ("preferences_dpo", DPO_COLUMNS, dpo),
    ):
        dataset = Dataset.from_list(
            rows, features=Features({column: Value("string") for column in columns})
        )
        parquet = directory / f"{name}.parquet"
        jsonl = directory / f"{name}.jsonl"
        dataset.to_parquet(str(parquet))
        dataset.to_json(str(jsonl), lines=True, force_ascii=False)
        paths += [parquet, jsonl]
    return paths


def publish_preference_dataset(
    *, challenge: Challenge, by, now: dt.datetime | None = None
) -> DatasetBuild:
    """Organizers build the shared dataset now, into media/datasets/<edition>/<moment>/, and
    keep a record of it to download the files later. Refused while no prompt is validated."""
    validated = Prompt.objects.filter(challenge=challenge, status=ContributionStatus.VALIDATED)
    if not validated.exists():
        raise ContributionRefused(_("No prompt is validated yet: there is nothing to publish."))
    moment = now or timezone.now()
    relative = Path("datasets") / challenge.edition.slug / moment.strftime("%Y%m%d-%H%M%S-%f")
    paths = build_preference_dataset(
        challenge=challenge, directory=Path(settings.MEDIA_ROOT) / relative
    )
    decisive = (
        ArenaVote.objects.filter(prompt=OuterRef("pk"), vote_type__in=ArenaVote.DECISIVE)
        .exclude(chosen="")
        .exclude(rejected="")
    )
    counts = validated.aggregate(shared=Count("pk"), dpo=Count("pk", filter=Q(Exists(decisive))))
    return DatasetBuild.objects.create(
        challenge=challenge,
        built_by=by,
        directory=relative.as_posix(),
        files=[path.name for path in paths],
        shared_rows=counts["shared"],
        dpo_rows=counts["dpo"],
    )


def dataset_file(*, build: DatasetBuild, name: str) -> Path | None:
    """The path of one file of a build, if it is one of its files and still on disk."""
    if name not in build.files:
        return None
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / build.directory / name).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path
