"""Rules of the preference dataset challenge (LLM arena).

People pass a short quiz on the prompt guide, then submit prompts (one by one or as a CSV
file) while the challenge is open. Organizers upload the arena's vote log: each vote becomes a
preference record attached to the voter's prompt. People of other teams validate the prompts;
enough approvals validate a prompt (it counts), enough rejections reject it. The validated
prompts make the shared preference dataset.

- ``languages``: the language of a prompt, from a code or a name (``parse_language``).
- ``quiz``: the quiz on the prompt guide (``take_quiz``, ``ensure_quiz_passed``).
- ``prompts``: submitting prompts from the form, a file or a Hub dataset.
- ``arena``: the organizers' vote log, its votes credited and attached to prompts.
- ``hygiene``: votes kept flagged, not counted: an answer names a model, or beyond the
  voter's daily cap.
- ``validation``: cross-team validation of the prompts.
- ``shared_import``: organizers import a dataset in the shared 2025 shape.
- ``dataset``: the rows of the shared preference dataset (and its DPO, KTO and prompts forms).
- ``batching``: how many rows go into one bulk insert or streamed chunk.
"""

from challenges.countries import parse_country

from .arena import (
    ARENA_TEXT_MAX_LENGTH,
    IDENTITY_KEYS,
    IDENTITY_MAX_LENGTH,
    ArenaImportReport,
    RematchReport,
    import_arena_votes,
    latest_decisive_vote,
    rematch_arena_votes,
)
from .batching import BATCH_SIZE
from .dataset import (
    DPO_COLUMNS,
    KTO_COLUMNS,
    SHARED_COLUMNS,
    dpo_preference_rows,
    kto_preference_rows,
    prompt_rows,
    shared_preference_rows,
)
from .hygiene import apply_daily_cap, find_identity_word, flag_identity_reveals
from .languages import LANGUAGE_NAMES, parse_language
from .prompts import (
    PORTUGUESE_COUNTRIES,
    PROMPT_COLUMNS,
    PROMPT_MAX_LENGTH,
    SYSTEM_PROMPT_MAX_LENGTH,
    TOPIC_MAX_LENGTH,
    check_one_prompt,
    describe_prompt_refusal,
    edit_prompt,
    import_prompt_records,
    import_prompts,
    submit_prompt,
)
from .quiz import (
    count_attempts,
    count_attempts_left,
    count_members_without_quiz,
    ensure_quiz_passed,
    get_quiz,
    has_passed_quiz,
    load_quiz_table,
    order_choices,
    take_quiz,
)
from .shared_import import import_shared_preferences, is_shared_shape
from .validation import (
    IMPROVED_ANSWER_MAX_LENGTH,
    PEER_VALIDATION,
    count_validations,
    next_prompt_to_validate,
    validate_prompt,
)

__all__ = [
    "PEER_VALIDATION",
    "ARENA_TEXT_MAX_LENGTH",
    "BATCH_SIZE",
    "DPO_COLUMNS",
    "KTO_COLUMNS",
    "IDENTITY_KEYS",
    "IDENTITY_MAX_LENGTH",
    "IMPROVED_ANSWER_MAX_LENGTH",
    "LANGUAGE_NAMES",
    "PORTUGUESE_COUNTRIES",
    "PROMPT_COLUMNS",
    "PROMPT_MAX_LENGTH",
    "SHARED_COLUMNS",
    "SYSTEM_PROMPT_MAX_LENGTH",
    "TOPIC_MAX_LENGTH",
    "ArenaImportReport",
    "RematchReport",
    "apply_daily_cap",
    "check_one_prompt",
    "describe_prompt_refusal",
    "edit_prompt",
    "count_attempts",
    "count_attempts_left",
    "count_members_without_quiz",
    "dpo_preference_rows",
    "kto_preference_rows",
    "prompt_rows",
    "ensure_quiz_passed",
    "find_identity_word",
    "flag_identity_reveals",
    "get_quiz",
    "has_passed_quiz",
    "load_quiz_table",
    "order_choices",
    "import_arena_votes",
    "import_prompt_records",
    "import_prompts",
    "import_shared_preferences",
    "is_shared_shape",
    "latest_decisive_vote",
    "count_validations",
    "next_prompt_to_validate",
    "parse_country",
    "parse_language",
    "rematch_arena_votes",
    "shared_preference_rows",
    "submit_prompt",
    "take_quiz",
    "validate_prompt",
]
