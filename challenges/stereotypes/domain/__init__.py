"""Rules of the stereotypes challenge: consent, reading profile, the pool, ratings, invalidation.

Every function that accepts a contribution checks the challenge's window for the person
(``ensure_window_open``) and raises ``ContributionRefused`` with a translated message when a
rule says no. Functions that change state run in a transaction and lock what they check.

- ``consent``: the versioned consent text and who accepted which version.
- ``profile``: the reading profile (languages read, nationalities and regions).
- ``validator``: the next pair to show, rating and skipping it.
- ``pool``: the pool of pairs, its upload and its listing.
- ``invalidation``: invalidating a person's ratings, and the raters' counts.
- ``batching``: how many ids go into one query and rows into one bulk insert.
"""

from .batching import BULK_BATCH, IN_CHUNK
from .consent import (
    DEFAULT_CONSENT_TEXT,
    DEFAULT_CONSENT_VERSION,
    accept_consent,
    get_consent_text,
    has_accepted_consent,
)
from .invalidation import find_person, invalidate_ratings, name_raters, raters_with_counts
from .pool import import_pairs, pool_with_counts
from .profile import (
    LIST_SEPARATORS,
    MAX_NATIONALITIES,
    MAX_REGIONS,
    check_list,
    get_profile,
    known_nationalities,
    save_profile,
    split_list,
)
from .validator import (
    MAX_OTHER_NATIONALITIES,
    ValidatorState,
    find_next_pair,
    get_validator_state,
    rate_pair,
    skip_pair,
)

__all__ = [
    "BULK_BATCH",
    "DEFAULT_CONSENT_TEXT",
    "DEFAULT_CONSENT_VERSION",
    "IN_CHUNK",
    "LIST_SEPARATORS",
    "MAX_NATIONALITIES",
    "MAX_OTHER_NATIONALITIES",
    "MAX_REGIONS",
    "ValidatorState",
    "accept_consent",
    "check_list",
    "find_next_pair",
    "find_person",
    "get_consent_text",
    "get_profile",
    "get_validator_state",
    "has_accepted_consent",
    "import_pairs",
    "invalidate_ratings",
    "known_nationalities",
    "name_raters",
    "pool_with_counts",
    "raters_with_counts",
    "rate_pair",
    "save_profile",
    "skip_pair",
    "split_list",
]
