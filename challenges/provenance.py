"""Where each published row comes from, without saying who wrote it.

Every published row has a stable ``id``, ``<edition slug>-<kind>-<pk>``: the same on every
republish (it is made of what never changes: the edition, the kind and the contribution's
primary key), readable, and traceable by organizers to the contribution it came from. A
contribution's pk is a counter, not personal data.

Contributors appear only as a ``contributor`` key: HMAC-SHA256 of the author's id with the
edition's ``dataset_salt`` (generated once, never shown), cut to 32 hex digits (128 bits). The
same person has the same key in every dataset of the edition (so their INCLUDE questions and
BLEND answers can be grouped), and unrelated keys in another edition; without the salt nobody
can tell which key is whose.
"""

from __future__ import annotations

import hashlib
import hmac

from challenges.models import Challenge, Edition

CONTRIBUTOR_KEY_DIGITS = 32


def row_id(*, edition_slug: str, kind: str, pk: int) -> str:
    """The stable id of one published row (see the module's docstring)."""
    return f"{edition_slug}-{kind}-{pk}"


def pk_of_row_id(value: str) -> int:
    """The contribution's pk read back from a row's id (or from the id of one of the rows a
    contribution gives, ``<row id>/<part>``: a KTO row per answer)."""
    return int(value.split("/", 1)[0].rsplit("-", 1)[1])


def contributor_key(*, salt: str, author_id: int | None) -> str:
    """The author's key in the edition whose salt this is ("" for a row without an author)."""
    if author_id is None:
        return ""
    digest = hmac.new(salt.encode(), str(author_id).encode(), hashlib.sha256).hexdigest()
    return digest[:CONTRIBUTOR_KEY_DIGITS]


class Provenance:
    """The id and contributor key of the rows of one challenge (the edition read once)."""

    def __init__(self, challenge: Challenge, kind: str | None = None) -> None:
        edition = Edition.objects.only("slug", "dataset_salt").get(pk=challenge.edition_id)
        self.slug, self.salt = edition.slug, edition.dataset_salt
        self.kind = str(kind or challenge.kind)

    def row_id(self, pk: int) -> str:
        return row_id(edition_slug=self.slug, kind=self.kind, pk=pk)

    def contributor(self, author_id: int | None) -> str:
        return contributor_key(salt=self.salt, author_id=author_id)

    def key(self, name: str, pk: int) -> str:
        """A stable key for another object of the edition (an INCLUDE exam): ``<slug>-<name>-<pk>``."""
        return f"{self.slug}-{name}-{pk}"
