"""Arena votes: the organizers' vote log, each vote credited and attached to a prompt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.models import Profile
from challenges.domain.queues import Queue
from challenges.models import Challenge, ContributionStatus
from challenges.preferences.models import (
    ArenaUpload,
    ArenaVote,
    Prompt,
    PromptLanguage,
)
from challenges.text import fingerprint
from challenges.uploads import (
    PROGRESS_EVERY,
    UploadErrors,
    UploadRejected,
    find_stored,
    parse_rows,
)

from .batching import BATCH_SIZE
from .hygiene import apply_daily_cap, flag_identity_reveals
from .prompts import SYSTEM_PROMPT_MAX_LENGTH

ARENA_TEXT_MAX_LENGTH = 20000
IDENTITY_MAX_LENGTH = 200
# Where a vote says who voted, in order of preference.
IDENTITY_KEYS = ("username", "user", "judge", "ip")


@dataclass(frozen=True)
class ArenaImportReport:
    upload: ArenaUpload | None  # None once read back from an Upload's data
    added: int
    duplicates: int
    matched: int
    unmatched: int
    prompts_created: int
    identity_flagged: int = 0  # kept, not counted: an answer names a model
    over_daily_cap: int = 0  # kept, not counted: beyond the voter's daily cap
    rows: int = 0  # the votes read

    def as_dict(self) -> dict:
        """The figures as plain data, as an ``Upload`` keeps them."""
        return {
            "rows": self.rows,
            "added": self.added,
            "duplicates": self.duplicates,
            "matched": self.matched,
            "unmatched": self.unmatched,
            "prompts_created": self.prompts_created,
            "identity_flagged": self.identity_flagged,
            "over_daily_cap": self.over_daily_cap,
        }

    @classmethod
    def from_dict(cls, data: dict) -> ArenaImportReport:
        return cls(upload=None, **data)


@dataclass(frozen=True)
class RematchReport:
    checked: int
    matched: int
    prompts_created: int


USER_ROLES = {"user", "human"}
ASSISTANT_ROLES = {"assistant", "gpt", "model", "bot", "chatbot"}


def _messages_of(state: Mapping[str, Any]) -> list[tuple[str, str | None]] | None:
    """A state's messages as (user|assistant, text) pairs; None if they are not pairs."""
    messages = state.get("messages")
    if not isinstance(messages, list):
        return None
    roles = state.get("roles")
    user_role = assistant_role = None
    if isinstance(roles, list) and len(roles) == 2 and all(isinstance(r, str) for r in roles):
        user_role, assistant_role = roles
    pairs: list[tuple[str, str | None]] = []
    for message in messages:
        if not isinstance(message, (list, tuple)) or len(message) != 2:
            return None
        role, text = message
        if not isinstance(role, str) or not (text is None or isinstance(text, str)):
            return None
        if role == user_role or role.strip().lower() in USER_ROLES:
            pairs.append(("user", text))
        elif role == assistant_role or role.strip().lower() in ASSISTANT_ROLES:
            pairs.append(("assistant", text))
        else:
            pairs.append((role, text))
    return pairs


def _read_vote(record: Mapping[str, Any], *, row: int, errors: UploadErrors) -> dict | None:
    """The preference record of one line of the arena's vote log; problems go to ``errors``."""
    before = errors.total
    vote_type = record.get("type")
    if vote_type not in ArenaVote.VoteType.values:
        errors.add(
            row,
            "type",
            _(
                "Unknown vote type “%(value)s”: expected leftvote, rightvote, tievote or bothbad_vote."
            )
            % {"value": str(vote_type)[:40]},
        )
    tstamp = record.get("tstamp")
    moment = None
    if isinstance(tstamp, str):
        try:
            tstamp = float(tstamp)
        except ValueError:
            tstamp = None
    if isinstance(tstamp, (int, float)) and not isinstance(tstamp, bool):
        try:
            moment = dt.datetime.fromtimestamp(float(tstamp), tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            moment = None
    if moment is None:
        errors.add(row, "tstamp", _("A Unix time stamp (seconds) is required."))
    states = record.get("states")
    if (
        not isinstance(states, list)
        or len(states) != 2
        or not all(isinstance(s, dict) for s in states)
    ):
        errors.add(row, "states", _("Two conversation states are required."))
        return None
    models = record.get("models")
    if not (
        isinstance(models, list)
        and len(models) == 2
        and all(isinstance(name, str) and name.strip() for name in models)
    ):
        names = [state.get("model_name") for state in states]
        if all(isinstance(name, str) and name.strip() for name in names):
            models = names
        else:
            errors.add(row, "models", _("The two model names are required."))
            models = ["", ""]
    answers = []
    question = None
    for index, state in enumerate(states):
        field = f"states[{index}].messages"
        pairs = _messages_of(state)
        if pairs is None:
            errors.add(row, field, _("Messages must be a list of [role, text] pairs."))
            continue
        if index == 0:
            question = next(
                (text for role, text in pairs if role == "user" and text and text.strip()), None
            )
            if question is None:
                errors.add(row, field, _("There is no user message: the prompt is missing."))
        answer = next(
            (
                text
                for role, text in reversed(pairs)
                if role == "assistant" and text and text.strip()
            ),
            None,
        )
        if answer is None:
            errors.add(row, field, _("There is no assistant answer."))
        answers.append(answer)
    system_prompt = states[0].get("system_message") or ""
    if not isinstance(system_prompt, str):
        errors.add(row, "states[0].system_message", _("This field must be text."))
        system_prompt = ""
    for field, value in (("question", question), ("system_message", system_prompt)):
        if value and len(value) > ARENA_TEXT_MAX_LENGTH:
            errors.add(
                row,
                field,
                _("At most %(limit)s characters (this has %(length)s).")
                % {"limit": ARENA_TEXT_MAX_LENGTH, "length": len(value)},
            )
    identity = ""
    for key in IDENTITY_KEYS:
        value = record.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            identity = str(value).strip()
            break
    if len(identity) > IDENTITY_MAX_LENGTH:
        errors.add(
            row,
            "user",
            _("The identity is longer than %(limit)s characters.") % {"limit": IDENTITY_MAX_LENGTH},
        )
    if errors.total > before:
        return None
    answer_a, answer_b = answers
    chosen = rejected = ""
    if vote_type == ArenaVote.VoteType.LEFT:
        chosen, rejected = answer_a, answer_b
    elif vote_type == ArenaVote.VoteType.RIGHT:
        chosen, rejected = answer_b, answer_a
    model_a, model_b = (name.strip() for name in models)
    return {
        "identity": identity,
        "vote_type": vote_type,
        "model_a": model_a[:200],
        "model_b": model_b[:200],
        "system_prompt": system_prompt.strip(),
        "question": question.strip(),
        "question_fingerprint": fingerprint(question),
        "answer_a": answer_a,
        "answer_b": answer_b,
        "chosen": chosen,
        "rejected": rejected,
        "tstamp": moment,
        "raw": dict(record),
        "fingerprint": fingerprint(f"{float(tstamp):.6f}", identity, question, model_a, model_b),
    }


def _find_stored_prompts(
    *, challenge: Challenge, fingerprints: Iterable[str]
) -> dict[str, tuple[int, int]]:
    """The challenge's prompts among these fingerprints: fingerprint → (id, author id)."""
    return find_stored(
        model=Prompt,
        challenge=challenge,
        field="fingerprint",
        values=fingerprints,
        returning=["pk", "author_id"],
    )


def _attach_votes(*, challenge: Challenge, votes: list[ArenaVote]) -> tuple[int, int]:
    """Credit votes to the people who declared their arena identity (case aside) and attach
    each to that person's prompt with the same normalized text, creating it (pending, source
    arena) if they have none. A prompt that belongs to somebody else is never taken: that vote
    stays unmatched. A flagged vote is not counted, so it never creates a prompt: it is
    attached only to one its voter already has. Returns (votes attached to a prompt, prompts
    created)."""
    identities = {vote.identity.lower() for vote in votes if vote.identity}
    people: dict[str, dict] = {}
    if identities:
        people = {
            row["key"]: row
            for row in Profile.objects.exclude(arena_identity="")
            .annotate(key=Lower("arena_identity"))
            .filter(key__in=identities)
            .values("key", "user_id", "country", "languages")
        }
    for vote in votes:
        person = people.get(vote.identity.lower()) if vote.identity else None
        vote.user_id = person["user_id"] if person else None
        vote.prompt_id = None
    credited = [vote for vote in votes if vote.user_id]
    existing = _find_stored_prompts(
        challenge=challenge, fingerprints=(vote.question_fingerprint for vote in credited)
    )
    new_prompts: dict[str, Prompt] = {}
    profile_of = {row["user_id"]: row for row in people.values()}
    for vote in credited:
        fp = vote.question_fingerprint
        if vote.flag or fp in existing or fp in new_prompts:
            continue
        profile = profile_of[vote.user_id]
        language = next(
            (code for code in profile["languages"] or [] if code in PromptLanguage.values), ""
        )
        new_prompts[fp] = Prompt(
            challenge=challenge,
            author_id=vote.user_id,
            source=Prompt.Source.ARENA,
            status=ContributionStatus.PENDING,
            country=profile["country"] or "",
            language=language,
            system_prompt=vote.system_prompt[:SYSTEM_PROMPT_MAX_LENGTH],
            text=vote.question,
            fingerprint=fp,
        )
    if new_prompts:
        # Somebody may submit the same prompt at this moment: theirs wins, nothing fails.
        Prompt.objects.bulk_create(
            list(new_prompts.values()), batch_size=BATCH_SIZE, ignore_conflicts=True
        )
        existing.update(_find_stored_prompts(challenge=challenge, fingerprints=new_prompts))
    created = sum(
        1
        for fp, prompt in new_prompts.items()
        if existing.get(fp, (0, None))[1] == prompt.author_id
    )
    matched = 0
    for vote in credited:
        prompt_id, author_id = existing.get(vote.question_fingerprint, (None, None))
        if prompt_id is not None and author_id == vote.user_id:
            vote.prompt_id = prompt_id
            matched += 1
    return matched, created


def import_arena_votes(
    *,
    challenge: Challenge,
    text: str,
    filename: str = "",
    by=None,
    progress: Callable[[int, int], object] | None = None,
) -> ArenaImportReport:
    """Organizers upload the arena's vote log (JSON Lines: tstamp, type, models, states...).

    Each vote becomes a preference record: the prompt is the first user message of the first
    state (its system message the system prompt); a leftvote chooses the first state's last
    answer over the second's, a rightvote the reverse; tievote and bothbad_vote keep both
    answers with no choice. The voter is the person whose declared arena identity is the vote's
    "username", "user" or "judge", else its "ip" (case aside). Votes of nobody known, or on a
    prompt of somebody else, are kept unmatched for a later "match again". Votes whose
    answers name a model, or beyond the voter's daily cap, are kept flagged and not counted
    (``hygiene``); a vote the cap now leaves out because this log holds earlier ones of the
    same day is flagged too. All or nothing:
    unknown vote types, malformed lines and missing states store nothing. A vote already
    stored (same time stamp, identity, prompt and models) is skipped, so uploading the same log
    twice adds nothing. ``progress(votes read, errors so far)`` is told every PROGRESS_EVERY
    votes.
    """
    rows = parse_rows(text, filename=filename)
    errors = UploadErrors()
    parsed = []
    for checked, (number, record) in enumerate(rows, start=1):
        if progress is not None and checked % PROGRESS_EVERY == 0:
            progress(checked, errors.total)
        values = _read_vote(record, row=number, errors=errors)
        if values is not None:
            parsed.append(values)
    if errors:
        raise UploadRejected(errors)
    with transaction.atomic():
        # One upload at a time per challenge: the duplicates check below stays true.
        Challenge.objects.select_for_update().filter(pk=challenge.pk).first()
        fingerprints = [values["fingerprint"] for values in parsed]
        stored: set[str] = set()
        for start in range(0, len(fingerprints), 1000):
            stored.update(
                ArenaVote.objects.filter(
                    challenge=challenge, fingerprint__in=fingerprints[start : start + 1000]
                ).values_list("fingerprint", flat=True)
            )
        upload = ArenaUpload.objects.create(
            challenge=challenge, uploaded_by=by, filename=filename[:255]
        )
        votes = []
        for values in parsed:
            if values["fingerprint"] in stored:
                continue
            stored.add(values["fingerprint"])
            votes.append(ArenaVote(challenge=challenge, upload=upload, **values))
        identity_flagged = flag_identity_reveals(votes=votes)
        recapped = apply_daily_cap(challenge=challenge, votes=votes)
        over_cap = sum(1 for vote in votes if vote.flag == ArenaVote.Flag.DAILY_CAP)
        matched, created = _attach_votes(challenge=challenge, votes=votes)
        ArenaVote.objects.bulk_create(votes, batch_size=BATCH_SIZE)
        ArenaVote.objects.bulk_update(recapped, ["flag", "flag_detail"], batch_size=BATCH_SIZE)
        upload.votes_added = len(votes)
        upload.duplicates = len(parsed) - len(votes)
        upload.matched = matched
        upload.prompts_created = created
        upload.identity_flagged = identity_flagged
        upload.over_daily_cap = over_cap
        upload.save(
            update_fields=[
                "votes_added",
                "duplicates",
                "matched",
                "prompts_created",
                "identity_flagged",
                "over_daily_cap",
            ]
        )
    return ArenaImportReport(
        upload=upload,
        added=len(votes),
        duplicates=len(parsed) - len(votes),
        matched=matched,
        unmatched=len(votes) - matched,
        prompts_created=created,
        identity_flagged=identity_flagged,
        over_daily_cap=over_cap,
        rows=len(rows),
    )


def rematch_arena_votes(*, challenge: Challenge) -> RematchReport:
    """Organizers try the unmatched votes again, once more people declared their arena
    identity: each is credited and attached as on upload. Returns what changed."""
    checked = matched = created = 0
    with transaction.atomic():
        Challenge.objects.select_for_update().filter(pk=challenge.pk).first()
        last_id = 0
        while True:
            chunk = list(
                ArenaVote.objects.filter(challenge=challenge, prompt__isnull=True, pk__gt=last_id)
                .order_by("pk")
                .only(
                    "pk",
                    "identity",
                    "question",
                    "question_fingerprint",
                    "system_prompt",
                    "user_id",
                    "flag",
                )[:BATCH_SIZE]
            )
            if not chunk:
                break
            last_id = chunk[-1].pk
            chunk_matched, chunk_created = _attach_votes(challenge=challenge, votes=chunk)
            ArenaVote.objects.bulk_update(chunk, ["user", "prompt"], batch_size=BATCH_SIZE)
            checked += len(chunk)
            matched += chunk_matched
            created += chunk_created
    return RematchReport(checked=checked, matched=matched, prompts_created=created)


def latest_decisive_vote(*, prompt: Prompt) -> ArenaVote | None:
    """The prompt's most recent counted vote (not flagged) that chose one answer over the
    other. One query (written out, ``queues.Queue``: the validation page asks on every request).
    """
    return Queue(
        ArenaVote,
        equals={**ArenaVote.COUNTED, "prompt": prompt, "vote_type": list(ArenaVote.DECISIVE)},
        order_by=("-tstamp", "-pk"),
    ).first()
