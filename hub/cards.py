"""The text of a published dataset's card (README.md), section by section, from plain data the
publisher gathers (``hub.publishing.render_card``): what the data is, how it was collected and
validated, by whom, its countries and languages, licences, personal data, limitations, uses,
citation and contact.

Headings and sentences go through gettext outside f-strings (xgettext could not find them
inside); the text is in the active language, which the publisher sets to the organizer's choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from challenges.intake import Publication
from challenges.models import Challenge, Edition


@dataclass(frozen=True)
class ConfigSummary:
    """One config of the dataset as the card describes it."""

    name: str
    license: str
    path: str
    rows: int
    columns: dict[str, str]


@dataclass(frozen=True)
class CardFacts:
    """What the card says that the database knows: who validated the published rows and how
    many rows each country and language has."""

    peer_validated: int
    organizer_validated: int
    # (country, language, rows); a kind without countries or languages has "" there.
    by_country_and_language: list[tuple[str, str, int]]


def _heading(text: str) -> list[str]:
    return ["## " + text, ""]


def collection_lines(*, challenges: list[Challenge]) -> list[str]:
    lines = _heading(_("How the data was collected"))
    for challenge in challenges:
        lines += [f"### {challenge.title}", ""]
        if challenge.description:
            lines += [challenge.description.strip(), ""]
    return lines


def validation_lines(
    *, publication: Publication, challenges: list[Challenge], peer_validated: bool, facts: CardFacts
) -> list[str]:
    """The rule that lets rows in, with the real quorum of each peer-validated challenge, and
    who validated the published rows (peers: decisions without a person; organizers)."""
    lines = _heading(_("Validation")) + [str(publication.validation_rule), ""]
    if peer_validated:
        lines += [
            _(
                "Participants of other teams validated each other's contributions; each "
                "challenge's quorum:"
            ),
            "",
            "| "
            + " | ".join((_("challenge"), _("approvals to validate"), _("rejections to reject")))
            + " |",
            "|---|---|---|",
            *(
                f"| {challenge.title} | {challenge.approvals_to_validate} "
                f"| {challenge.rejections_to_reject} |"
                for challenge in challenges
            ),
            "",
        ]
    lines += [
        "| " + _("validated by") + " | " + _("rows") + " |",
        "|---|---|",
        "| " + _("peers") + f" | {facts.peer_validated} |",
        "| " + _("organizers") + f" | {facts.organizer_validated} |",
        "",
    ]
    return lines


def rows_lines(*, configs: list[ConfigSummary]) -> list[str]:
    lines = _heading(_("Rows and columns"))
    for config in configs:
        if len(configs) > 1:
            lines += [f"### `{config.name}`", ""]
        lines += [
            ngettext(
                "%(rows)s row in one split (train), in the file %(file)s.",
                "%(rows)s rows in one split (train), in the file %(file)s.",
                config.rows,
            )
            % {"rows": config.rows, "file": f"`{config.path}`"},
            "",
            "| " + _("column") + " | " + _("type") + " |",
            "|---|---|",
        ]
        lines += [f"| `{name}` | `{type_}` |" for name, type_ in config.columns.items()]
        lines.append("")
    return lines


def countries_and_languages_lines(*, facts: CardFacts) -> list[str]:
    if not facts.by_country_and_language:
        return []
    return [
        *_heading(_("Countries and languages")),
        "| " + _("country") + " | " + _("language") + " | " + _("rows") + " |",
        "|---|---|---|",
        *(
            f"| {country or '—'} | {language or '—'} | {rows} |"
            for country, language, rows in facts.by_country_and_language
        ),
        "",
    ]


def personal_data_lines() -> list[str]:
    return [
        *_heading(_("Personal data")),
        _(
            "This dataset contains no personal data: no names, emails, Hub or Discord usernames, "
            "and no identifier of the people who contributed. Each row has a stable `id`; "
            "`contributor` is a key that groups the rows of one person within this edition's "
            "datasets and cannot be traced back to them."
        ),
        "",
        _(
            "Before publication every text field was checked for email addresses, phone "
            "numbers and the names and Discord and Hub usernames of the edition's "
            "participants (whole words, accents and case aside; names of two words or more, "
            "usernames of four characters or more). Organizers reviewed each match: it was "
            "replaced by [redacted], its row left out, or kept when it was not personal data."
        ),
        "",
    ]


def license_lines(*, configs: list[ConfigSummary]) -> list[str]:
    """One licence: said in a sentence; several: each config's, which its rows keep."""
    licenses = list(dict.fromkeys(config.license for config in configs))
    lines = _heading(_("Licence"))
    if len(licenses) == 1:
        return [
            *lines,
            _("The dataset is published under the %(license)s licence.") % {"license": licenses[0]},
            "",
        ]
    return [
        *lines,
        _(
            "The rows are under several licences: each config holds the rows of one licence "
            "and is used under it. Rows under non-commercial, no-derivatives or unknown "
            "licences are never in a permissive config."
        ),
        "",
        "| " + _("config") + " | " + _("licence") + " | " + _("rows") + " |",
        "|---|---|---|",
        *(f"| `{config.name}` | `{config.license}` | {config.rows} |" for config in configs),
        "",
    ]


def uses_lines(*, publication: Publication) -> list[str]:
    """Limitations and known biases, intended uses and out-of-scope uses, as the kind says."""
    lines: list[str] = []
    for heading, text in (
        (_("Limitations and known biases"), publication.limitations),
        (_("Intended uses"), publication.uses),
        (_("Out-of-scope uses"), publication.out_of_scope),
    ):
        if text:
            lines += [*_heading(heading), str(text), ""]
    return lines


def citation_lines(*, edition: Edition) -> list[str]:
    if not edition.citation.strip():
        return []
    return [*_heading(_("Citation")), "```bibtex", edition.citation.strip(), "```", ""]


def contact_lines(*, edition: Edition, organization_url: str) -> list[str]:
    lines = [
        *_heading(_("Contact")),
        _("The Hugging Face organization of %(edition)s: %(url)s")
        % {"edition": edition.name, "url": organization_url},
    ]
    if edition.contact:
        lines += ["", _("Questions about the data: %(contact)s") % {"contact": edition.contact}]
    return [*lines, ""]
