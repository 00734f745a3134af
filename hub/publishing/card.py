"""The dataset card: YAML metadata the Hub reads and the text around it (``hub.cards``), read
with huggingface_hub's DatasetCard and checked by the Hub before an upload."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from huggingface_hub import DatasetCard

from challenges.domain import item_type_of
from challenges.intake import get_intake
from challenges.models import ContributionStatus, Edition, ReviewDecision
from hub import cards
from hub.domain import organization_for, redact
from hub.publishing.rows import (
    CARD_FILE,
    MAX_ERROR_CHARS,
    SIZE_CATEGORIES,
    PublishRefused,
    WrittenForm,
    _challenges,
    _license_order,
    _publication,
    _published,
)

# --- the dataset card -------------------------------------------------------------------------


def _languages(*, edition: Edition, kind: str) -> list[str]:
    """The languages of the published contributions, as the kind's review filter reads them."""
    lookup = get_intake(kind).language_lookup
    if lookup is None:
        return []
    found = _published(edition=edition, kind=kind).values_list(lookup, flat=True).distinct()
    return sorted({language for language in found if language})


def _size_category(rows: int) -> str:
    for bound, label in SIZE_CATEGORIES:
        if rows < bound:
            return label
    return "n>1T"


def _dataset_info(*, written: WrittenForm, folder: Path, several: bool) -> dict:
    """One form's dataset_info, as datasets writes it: columns, row count, sizes (in memory,
    and of the file to download)."""
    dataset = written.dataset
    size = dataset.data.nbytes
    info = {
        # The same list of columns datasets itself writes into the cards it pushes.
        "features": dataset.features._to_yaml_list(),
        "splits": [{"name": "train", "num_bytes": size, "num_examples": len(dataset)}],
        "download_size": (folder / written.config.path).stat().st_size,
        "dataset_size": size,
    }
    return {"config_name": written.config.name, **info} if several else info


def render_card(*, edition: Edition, kind: str, written: list[WrittenForm], folder: Path) -> str:
    """The dataset card (README.md): YAML metadata the Hub reads (licences, languages, tasks,
    size, each config's Parquet file as its train split, row counts) and the text of
    ``hub.cards``: what the data is, how it was collected and validated (the real quorum, by
    whom), its columns, countries and languages, licences, personal data, limitations, uses,
    citation and contact. The text is in the active language (the organizer's on the page, LANGUAGE_CODE for the
    command; headings are translated outside f-strings, where xgettext could not find them);
    the metadata's ``language`` lists the languages of the data itself."""
    publication = _publication(kind)
    organization = organization_for(edition=edition)
    title = f"{edition.name} · {publication.label}"
    several = len(written) > 1
    rows = len(written[0].dataset)
    infos = [_dataset_info(written=form, folder=folder, several=several) for form in written]
    languages = _languages(edition=edition, kind=kind)
    licenses = sorted({form.config.license for form in written}, key=_license_order)
    metadata = {
        "pretty_name": title,
        "license": licenses if len(licenses) > 1 else licenses[0],
        "language": languages,
        "multilinguality": ["multilingual" if len(languages) > 1 else "monolingual"],
        "language_creators": publication.language_creators,
        "annotations_creators": publication.annotations_creators,
        "source_datasets": ["original"],
        "task_categories": publication.task_categories,
        "size_categories": [_size_category(rows)],
        "tags": [edition.slug, kind],
        "configs": [
            {
                "config_name": form.config.name,
                "data_files": [{"split": "train", "path": form.config.path}],
            }
            for form in written
        ],
        "dataset_info": infos if several else infos[0],
    }
    endpoint = settings.HF_ENDPOINT.rstrip("/")
    challenges = _challenges(edition=edition, kind=kind)
    configs = [
        cards.ConfigSummary(
            name=form.config.name,
            license=form.config.license,
            path=form.config.path,
            rows=len(form.dataset),
            columns=dict(form.config.form.columns),
        )
        for form in written
    ]
    facts = _card_facts(edition=edition, kind=kind)
    organization_url = f"{endpoint}/{organization}"
    lines = [
        "---",
        yaml.safe_dump(metadata, allow_unicode=True, sort_keys=False).rstrip(),
        "---",
        "",
        f"# {title}",
        "",
        str(publication.summary),
        "",
        _("Collected during %(edition)s and published by the Hugging Face organization %(org)s.")
        % {"edition": f"**{edition.name}**", "org": f"[{organization}]({organization_url})"},
        "",
        *cards.collection_lines(challenges=challenges),
        *cards.validation_lines(
            publication=publication,
            challenges=challenges,
            peer_validated=get_intake(kind).peer_validation is not None,
            facts=facts,
        ),
        *cards.rows_lines(configs=configs),
        *cards.countries_and_languages_lines(facts=facts),
        *cards.license_lines(configs=configs),
        *cards.personal_data_lines(),
        *cards.uses_lines(publication=publication),
        *cards.citation_lines(edition=edition),
        *cards.contact_lines(edition=edition, organization_url=organization_url),
    ]
    return "\n".join(lines)


def _card_facts(*, edition: Edition, kind: str) -> cards.CardFacts:
    """Who validated the published rows (the decisions that validated them: without a person,
    peers; with one, organizers) and the rows per country and language: two queries."""
    intake = get_intake(kind)
    published = _published(edition=edition, kind=kind)
    validated = ReviewDecision.objects.filter(
        challenge__edition=edition,
        challenge__kind=kind,
        item_type=item_type_of(intake.model),
        status=ContributionStatus.VALIDATED,
        item_id__in=published.values("pk"),
    ).aggregate(
        peers=Count("item_id", distinct=True, filter=Q(decided_by__isnull=True)),
        organizers=Count("item_id", distinct=True, filter=Q(decided_by__isnull=False)),
    )
    lookups = [lookup for lookup in (intake.country_lookup, intake.language_lookup) if lookup]
    groups = []
    if lookups:
        for row in published.order_by(*lookups).values(*lookups).annotate(rows=Count("pk")):
            country = row[intake.country_lookup] if intake.country_lookup else ""
            language = row[intake.language_lookup] if intake.language_lookup else ""
            groups.append((str(country or ""), str(language or ""), row["rows"]))
    return cards.CardFacts(
        peer_validated=validated["peers"],
        organizer_validated=validated["organizers"],
        by_country_and_language=groups,
    )


def _read_card(card: str):
    """The card as huggingface_hub reads it (its metadata parsed into DatasetCardData): a card
    the Hub's own classes cannot read is refused before anything is written."""
    try:
        return DatasetCard(card)
    except (ValueError, yaml.YAMLError) as error:  # not a mapping; not YAML at all
        raise PublishRefused(
            _("The dataset card is not valid: %(error)s") % {"error": str(error)[:MAX_ERROR_CHARS]}
        ) from error


def _validate_on_the_hub(*, api, folder: Path) -> None:
    """The Hub's own check of the card's metadata (the keys and values it knows), before the
    upload: the request ``DatasetCard.validate`` makes, sent to the client's endpoint (the card
    class reads the endpoint once, at import) through huggingface_hub's session."""
    from huggingface_hub.utils import (  # noqa: PLC0415 -- slow import: huggingface_hub's client, needed only when talking to the Hub
        build_hf_headers,
        get_session,
        hf_raise_for_status,
    )

    card = _read_card((folder / CARD_FILE).read_text(encoding="utf-8"))
    response = get_session().post(
        f"{api.endpoint.rstrip('/')}/api/validate-yaml",
        json={"repoType": "dataset", "content": str(card)},
        headers={**build_hf_headers(token=api.token), "Accept": "text/plain"},
    )
    if response.status_code == 400:
        raise PublishRefused(
            _("The Hub refused the dataset card: %(error)s")
            % {"error": redact(response.text, api=api)[:MAX_ERROR_CHARS]}
        )
    hf_raise_for_status(response)
