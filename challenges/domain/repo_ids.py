"""Rules about the Hugging Face repositories an edition accepts: those of its organization.

Both a team's project (``challenges.projects``) and an import from the Hub (``hub.importing``)
name repositories; the check lives here, below both.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from huggingface_hub.utils import HFValidationError, validate_repo_id

from challenges.domain.windows import ContributionRefused


def check_repo_id(*, repo_id: str, organization: str) -> str:
    """A repository of the edition's Hugging Face organization, written "organization/name"
    (a pasted Hub address is cut down to that); the organization's case does not matter."""
    repo_id = (
        repo_id.strip()
        .removeprefix("https://huggingface.co/")
        .removeprefix("spaces/")
        .removeprefix("datasets/")
    )
    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise ContributionRefused(
            _("“%(repo)s” is not a Hugging Face repository id.") % {"repo": repo_id}
        ) from error
    owner, _slash, _name = repo_id.partition("/")
    if owner.lower() != organization.lower():
        raise ContributionRefused(
            _("“%(repo)s” must be in the organization %(org)s.")
            % {"repo": repo_id, "org": organization}
        )
    return repo_id
