"""Rules of the preference dataset challenge (LLM arena).

People pass a short quiz on the prompt guide, then submit prompts (one by one or as a CSV
file) while the challenge is open. Organizers upload the arena's vote log: each vote becomes a
preference record attached to the voter's prompt. People of other teams validate the prompts;
enough approvals validate a prompt (it counts), enough rejections reject it. Organizers build
the shared preference dataset from the validated prompts.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Profile
from challenges.countries import parse_country
from challenges.domain import (
    ContributionRefused,
    announce_change,
    ensure_window_open,
    item_type_of,
)
from challenges.models import Challenge, ContributionStatus, ReviewDecision
from challenges.preferences.models import (
    ArenaUpload,
    ArenaVote,
    DatasetBuild,
    Prompt,
    PromptLanguage,
    PromptValidation,
    Quiz,
    QuizAttempt,
)
from challenges.uploads import (
    UploadErrors,
    UploadRejected,
    check_text,
    contains_html,
    fingerprint,
    fold,
    parse_rows,
)
from teams.models import Membership

PROMPT_MAX_LENGTH = 4000
SYSTEM_PROMPT_MAX_LENGTH = 2000
TOPIC_MAX_LENGTH = 100
IMPROVED_ANSWER_MAX_LENGTH = 8000
ARENA_TEXT_MAX_LENGTH = 20000
IDENTITY_MAX_LENGTH = 200
BATCH_SIZE = 2000
# Where a vote says who voted, in order of preference.
IDENTITY_KEYS = ("username", "user", "judge", "ip")
# Columns of a prompt upload, and the names each is accepted under.
PROMPT_COLUMNS = {
    "text": ("prompt",),
    "country": ("pais", "país", "country"),
    "language": ("idioma", "language"),
    "system_prompt": ("system_prompt",),
    "topic": ("tema", "topic"),
}
# Countries whose prompts are in Portuguese when a file does not say.
PORTUGUESE_COUNTRIES = {"BR", "PT", "AO", "MZ", "CV", "GW", "ST", "TL"}
SHARED_COLUMNS = ["country", "system_prompt", "question", "chosen", "rejected"]
DPO_COLUMNS = ["prompt", "chosen", "rejected"]


# --- countries and languages -------------------------------------------------------------


def _fold(value: str) -> str:
    """Accents, case and dots removed, so that "Português" finds "portugues"."""
    return " ".join(fold(value).replace(".", " ").split())


LANGUAGE_NAMES = {
    "es": "es", "spa": "es", "espanol": "es", "castellano": "es", "spanish": "es",
    "espanhol": "es", "pt": "pt", "por": "pt", "portugues": "pt", "portuguese": "pt",
}  # fmt: skip


def parse_language(value: Any) -> str:
    """ "es" or "pt" from a code (with or without region: "pt-BR") or a language's name in
    Spanish, Portuguese or English; "" for anything else."""
    if not isinstance(value, str) or not value.strip():
        return ""
    folded = _fold(value).replace("_", "-")
    if folded in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[folded]
    first = re.split(r"[-\s(]", folded)[0]
    return LANGUAGE_NAMES.get(first, "")


# --- the quiz ----------------------------------------------------------------------------


def get_quiz(*, challenge: Challenge) -> Quiz | None:
    """The challenge's quiz on the prompt guide, if the organizers wrote one."""
    return Quiz.objects.filter(challenge=challenge).first()


def has_passed_quiz(*, challenge: Challenge, user) -> bool:
    """Passed once is passed for good, whatever later attempts score."""
    if not user.is_authenticated:
        return False
    return QuizAttempt.objects.filter(quiz__challenge=challenge, user=user, passed=True).exists()


def ensure_quiz_passed(*, challenge: Challenge, user) -> None:
    """Only people who passed the quiz on the prompt guide submit prompts."""
    if not has_passed_quiz(challenge=challenge, user=user):
        raise ContributionRefused(_("Pass the quiz on the prompt guide before submitting prompts."))


def take_quiz(*, quiz: Quiz, user, answers: Mapping[int, int]) -> QuizAttempt:
    """Score one attempt: one answer for every question, each one of that question's choices.

    The attempt is kept whatever it scores; people may retry as often as they like.
    """
    questions: dict[int, dict[int, bool]] = {}
    for question_id, choice_id, is_correct in quiz.questions.values_list(
        "pk", "choices__pk", "choices__is_correct"
    ):
        choices = questions.setdefault(question_id, {})
        if choice_id is not None:
            choices[choice_id] = is_correct
    if not questions:
        raise ContributionRefused(_("This quiz has no questions yet."))
    score = 0
    kept = {}
    for question_id, choices in questions.items():
        choice_id = answers.get(question_id)
        if choice_id not in choices:
            raise ContributionRefused(_("Answer every question of the quiz."))
        kept[str(question_id)] = choice_id
        score += bool(choices[choice_id])
    total = len(questions)
    return QuizAttempt.objects.create(
        quiz=quiz,
        user=user,
        score=score,
        total=total,
        passed=quiz.is_passing(score=score, total=total),
        answers=kept,
    )


# --- prompts -----------------------------------------------------------------------------


def _check_prompt(
    record: Mapping[str, Any],
    *,
    row: int,
    errors: UploadErrors,
    labels: Mapping[str, str],
) -> dict | None:
    """The checked values of one prompt (form or file row); problems go to ``errors``."""
    before = errors.total
    text = check_text(
        record, "text", row=row, errors=errors, max_length=PROMPT_MAX_LENGTH, label=labels["text"]
    )
    system_prompt = check_text(
        record,
        "system_prompt",
        row=row,
        errors=errors,
        required=False,
        max_length=SYSTEM_PROMPT_MAX_LENGTH,
        label=labels["system_prompt"],
    )
    topic = check_text(
        record,
        "topic",
        row=row,
        errors=errors,
        required=False,
        max_length=TOPIC_MAX_LENGTH,
        label=labels["topic"],
    )
    raw_country = record.get("country")
    country = parse_country(raw_country)
    if not country:
        if raw_country is None or not str(raw_country).strip():
            errors.add(row, labels["country"], _("This field is required."))
        else:
            errors.add(
                row,
                labels["country"],
                _("“%(value)s” is not a country: give its name or its two-letter ISO code.")
                % {"value": str(raw_country)[:60]},
            )
    raw_language = record.get("language")
    if raw_language is None or not str(raw_language).strip():
        language = "pt" if country in PORTUGUESE_COUNTRIES else "es"
    else:
        language = parse_language(raw_language)
        if not language:
            errors.add(
                row,
                labels["language"],
                _("“%(value)s” is not accepted: prompts are in Spanish (es) or Portuguese (pt).")
                % {"value": str(raw_language)[:40]},
            )
    if errors.total > before:
        return None
    return {
        "text": text,
        "system_prompt": system_prompt,
        "topic": topic,
        "country": country,
        "language": language,
        "fingerprint": fingerprint(text),
    }


def _form_labels() -> dict[str, str]:
    return {
        "text": _("Prompt"),
        "system_prompt": _("System prompt"),
        "topic": _("Topic"),
        "country": _("Country"),
        "language": _("Language"),
    }


def submit_prompt(
    *,
    challenge: Challenge,
    author,
    country: str,
    language: str,
    text: str,
    system_prompt: str = "",
    topic: str = "",
    now: dt.datetime | None = None,
) -> Prompt:
    """A person who passed the quiz submits one prompt while the challenge is open.

    The prompt is plain text in Spanish or Portuguese about a country; the same prompt
    (compared normalized: case, accents as typed, spacing) can be in the challenge only once,
    whoever sent it. It waits for validation by other teams.
    """
    ensure_window_open(challenge=challenge, user=author, now=now)
    ensure_quiz_passed(challenge=challenge, user=author)
    errors = UploadErrors()
    values = _check_prompt(
        {
            "text": text,
            "system_prompt": system_prompt,
            "topic": topic,
            "country": country,
            "language": language or "",
        },
        row=0,
        errors=errors,
        labels=_form_labels(),
    )
    if values is None:
        first = errors.shown[0]
        raise ContributionRefused(f"{first.field}: {first.message}")
    duplicate = _("This prompt is already in the challenge.")
    if Prompt.objects.filter(challenge=challenge, fingerprint=values["fingerprint"]).exists():
        raise ContributionRefused(duplicate)
    try:
        with transaction.atomic():
            return Prompt.objects.create(
                challenge=challenge,
                author=author,
                source=Prompt.Source.FORM,
                status=ContributionStatus.PENDING,
                **values,
            )
    except IntegrityError as error:  # the same prompt, sent at the same moment
        raise ContributionRefused(duplicate) from error


def _existing_fingerprints(
    *, challenge: Challenge, fingerprints: Iterable[str]
) -> dict[str, tuple[int, int]]:
    """The challenge's prompts among these fingerprints: fingerprint → (id, author id)."""
    found: dict[str, tuple[int, int]] = {}
    wanted = sorted(set(fingerprints))
    for start in range(0, len(wanted), 1000):
        for pk, fp, author_id in Prompt.objects.filter(
            challenge=challenge, fingerprint__in=wanted[start : start + 1000]
        ).values_list("pk", "fingerprint", "author_id"):
            found[fp] = (pk, author_id)
    return found


def _normalize_keys(record: Mapping[str, Any]) -> dict[str, Any]:
    return {str(key).strip().lower(): value for key, value in record.items()}


def import_prompts(
    *, challenge: Challenge, author, text: str, filename: str = "", now: dt.datetime | None = None
) -> int:
    """A person who passed the quiz uploads many prompts at once, while the challenge is open.

    Columns: ``prompt`` and ``pais`` (the country, by name or code) are required; ``idioma`` or
    ``language`` (es or pt; by default pt for Brazil and Portugal, es otherwise),
    ``system_prompt`` and ``tema`` or ``topic`` are optional. All or nothing: every row is
    checked, and if any row is wrong, or repeats a prompt of the file or of the challenge,
    nothing is stored. Returns how many prompts were stored.
    """
    ensure_window_open(challenge=challenge, user=author, now=now)
    ensure_quiz_passed(challenge=challenge, user=author)
    rows = parse_rows(text, filename=filename)
    return _store_prompts(challenge=challenge, author=author, rows=rows)


def import_prompt_records(
    *,
    challenge: Challenge,
    author,
    rows: list[tuple[int, dict]],
    now: dt.datetime | None = None,
) -> int:
    """The same rules as ``import_prompts`` for records already read from elsewhere (a dataset
    of the Hub organization), numbered from 1: the quiz, the window, the same columns and
    checks, all or nothing. Returns how many prompts were stored."""
    ensure_window_open(challenge=challenge, user=author, now=now)
    ensure_quiz_passed(challenge=challenge, user=author)
    return _store_prompts(challenge=challenge, author=author, rows=rows)


def _store_prompts(*, challenge: Challenge, author, rows: list[tuple[int, dict]]) -> int:
    records = [(number, _normalize_keys(record)) for number, record in rows]
    present = set().union(*(record.keys() for _number, record in records))
    columns: dict[str, str | None] = {}
    missing = []
    for name, aliases in PROMPT_COLUMNS.items():
        columns[name] = next((alias for alias in aliases if alias in present), None)
    if columns["text"] is None:
        missing.append("prompt")
    if columns["country"] is None:
        missing.append("pais")
    if missing:
        raise UploadRejected(
            _("The file needs the columns %(columns)s (found: %(found)s).")
            % {
                "columns": ", ".join(f"“{name}”" for name in missing),
                "found": ", ".join(sorted(present)) or "—",
            }
        )
    labels = {name: column or PROMPT_COLUMNS[name][0] for name, column in columns.items()}
    errors = UploadErrors()
    checked: list[tuple[int, dict]] = []
    first_row: dict[str, int] = {}
    for number, record in records:
        values = _check_prompt(
            {name: record.get(column) if column else None for name, column in columns.items()},
            row=number,
            errors=errors,
            labels=labels,
        )
        if values is None:
            continue
        earlier = first_row.setdefault(values["fingerprint"], number)
        if earlier != number:
            errors.add(
                number, labels["text"], _("The same prompt as row %(row)s.") % {"row": earlier}
            )
            continue
        checked.append((number, values))
    existing = _existing_fingerprints(
        challenge=challenge, fingerprints=(values["fingerprint"] for _n, values in checked)
    )
    for number, values in checked:
        if values["fingerprint"] in existing:
            errors.add(number, labels["text"], _("This prompt is already in the challenge."))
    if errors:
        raise UploadRejected(errors)
    try:
        with transaction.atomic():
            Prompt.objects.bulk_create(
                [
                    Prompt(
                        challenge=challenge,
                        author=author,
                        source=Prompt.Source.CSV,
                        status=ContributionStatus.PENDING,
                        **values,
                    )
                    for _number, values in checked
                ],
                batch_size=BATCH_SIZE,
            )
    except IntegrityError as error:
        raise UploadRejected(
            _(
                "Some of these prompts were just submitted by someone else; nothing was stored. "
                "Upload the file again to see which."
            )
        ) from error
    return len(checked)


# --- arena votes -------------------------------------------------------------------------


@dataclass(frozen=True)
class ArenaImportReport:
    upload: ArenaUpload
    added: int
    duplicates: int
    matched: int
    unmatched: int
    prompts_created: int


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


def _attach_votes(*, challenge: Challenge, votes: list[ArenaVote]) -> tuple[int, int]:
    """Credit votes to the people who declared their arena identity (case aside) and attach
    each to that person's prompt with the same normalized text, creating it (pending, source
    arena) if they have none. A prompt that belongs to somebody else is never taken: that vote
    stays unmatched. Returns (votes attached to a prompt, prompts created)."""
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
    existing = _existing_fingerprints(
        challenge=challenge, fingerprints=(vote.question_fingerprint for vote in credited)
    )
    new_prompts: dict[str, Prompt] = {}
    profile_of = {row["user_id"]: row for row in people.values()}
    for vote in credited:
        fp = vote.question_fingerprint
        if fp in existing or fp in new_prompts:
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
        existing.update(_existing_fingerprints(challenge=challenge, fingerprints=new_prompts))
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
    *, challenge: Challenge, text: str, filename: str = "", by=None
) -> ArenaImportReport:
    """Organizers upload the arena's vote log (JSON Lines: tstamp, type, models, states...).

    Each vote becomes a preference record: the prompt is the first user message of the first
    state (its system message the system prompt); a leftvote chooses the first state's last
    answer over the second's, a rightvote the reverse; tievote and bothbad_vote keep both
    answers with no choice. The voter is the person whose declared arena identity is the vote's
    "username", "user" or "judge", else its "ip" (case aside). Votes of nobody known, or on a
    prompt of somebody else, are kept unmatched for a later "match again". All or nothing:
    unknown vote types, malformed lines and missing states store nothing. A vote already
    stored (same time stamp, identity, prompt and models) is skipped, so uploading the same log
    twice adds nothing.
    """
    rows = parse_rows(text, filename=filename)
    errors = UploadErrors()
    parsed = []
    for number, record in rows:
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
        matched, created = _attach_votes(challenge=challenge, votes=votes)
        ArenaVote.objects.bulk_create(votes, batch_size=BATCH_SIZE)
        upload.votes_added = len(votes)
        upload.duplicates = len(parsed) - len(votes)
        upload.matched = matched
        upload.prompts_created = created
        upload.save(update_fields=["votes_added", "duplicates", "matched", "prompts_created"])
    return ArenaImportReport(
        upload=upload,
        added=len(votes),
        duplicates=len(parsed) - len(votes),
        matched=matched,
        unmatched=len(votes) - matched,
        prompts_created=created,
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
                    "pk", "identity", "question", "question_fingerprint", "system_prompt", "user_id"
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
    """The prompt's most recent vote that chose one answer over the other."""
    return (
        ArenaVote.objects.filter(prompt=prompt, vote_type__in=ArenaVote.DECISIVE)
        .order_by("-tstamp", "-pk")
        .first()
    )


# --- cross-team validation ---------------------------------------------------------------


def get_team_id(*, user, challenge: Challenge) -> int | None:
    """The team the person is in for the challenge's edition (one at most), if any."""
    return (
        Membership.objects.filter(user=user, edition_id=challenge.edition_id)
        .values_list("team_id", flat=True)
        .first()
    )


def next_prompt_to_validate(
    *, challenge: Challenge, validator, after_id: int | None = None
) -> Prompt | None:
    """The next pending prompt this person may validate: not theirs, not of their team's
    current members, not validated by them already; oldest first, or the first after
    ``after_id`` (to skip one), coming back to the start at the end.

    Two queries whatever the data size: the person's team, then one index-backed scan of the
    pending prompts with anti-joins on the validations and the team's memberships.
    """
    team_id = get_team_id(user=validator, challenge=challenge)
    candidates = (
        Prompt.objects.filter(challenge=challenge, status=ContributionStatus.PENDING)
        .exclude(author=validator)
        .filter(
            ~Exists(PromptValidation.objects.filter(prompt_id=OuterRef("pk"), validator=validator))
        )
        .order_by("pk")
    )
    if team_id is not None:
        candidates = candidates.filter(
            ~Exists(
                Membership.objects.filter(
                    user_id=OuterRef("author_id"), edition_id=challenge.edition_id, team_id=team_id
                )
            )
        )
    if after_id:
        following = candidates.filter(pk__gt=after_id).first()
        if following is not None:
            return following
    return candidates.first()


def validate_prompt(
    *,
    challenge: Challenge,
    prompt_id: int,
    validator,
    well_designed: bool,
    culturally_anchored: bool,
    keep_chosen: bool | None = None,
    improved_answer: str = "",
    now: dt.datetime | None = None,
) -> PromptValidation:
    """A person validates a prompt of another team (never their own, nor their team's) once.

    The validation approves when the prompt is well designed and culturally anchored. When the
    prompt has a vote that chose an answer, the validator says whether they would keep it, and
    may write a better one. After the edition's number of approvals the prompt is validated
    (it counts); after its number of rejections it is rejected. Either way it leaves the queue,
    the decision is recorded (by nobody: the peers decided) and scoring is told.
    """
    ensure_window_open(challenge=challenge, user=validator, now=now)
    improved_answer = (improved_answer or "").strip()
    if len(improved_answer) > IMPROVED_ANSWER_MAX_LENGTH:
        raise ContributionRefused(
            _("The improved answer has at most %(limit)s characters.")
            % {"limit": IMPROVED_ANSWER_MAX_LENGTH}
        )
    if contains_html(improved_answer):
        raise ContributionRefused(_("HTML is not allowed here; send plain text."))
    team_id = get_team_id(user=validator, challenge=challenge)
    edition = challenge.edition
    with transaction.atomic():
        prompt = (
            Prompt.objects.select_for_update().filter(challenge=challenge, pk=prompt_id).first()
        )
        if prompt is None:
            raise ContributionRefused(_("This prompt does not exist."))
        if prompt.author_id == validator.pk:
            raise ContributionRefused(_("You cannot validate your own prompts."))
        if (
            team_id is not None
            and Membership.objects.filter(team_id=team_id, user_id=prompt.author_id).exists()
        ):
            raise ContributionRefused(_("You cannot validate prompts of your own team."))
        if prompt.status != ContributionStatus.PENDING:
            raise ContributionRefused(_("This prompt has already been decided."))
        if PromptValidation.objects.filter(prompt=prompt, validator=validator).exists():
            raise ContributionRefused(_("You have already validated this prompt."))
        vote = latest_decisive_vote(prompt=prompt)
        if vote is None:
            keep_chosen = None
        elif keep_chosen is None:
            raise ContributionRefused(_("Say whether you would keep the chosen answer."))
        approves = bool(well_designed and culturally_anchored)
        try:
            with transaction.atomic():
                validation = PromptValidation.objects.create(
                    prompt=prompt,
                    validator=validator,
                    vote=vote,
                    well_designed=bool(well_designed),
                    culturally_anchored=bool(culturally_anchored),
                    keep_chosen=keep_chosen,
                    improved_answer=improved_answer,
                    approves=approves,
                )
        except IntegrityError as error:
            raise ContributionRefused(_("You have already validated this prompt.")) from error
        if approves:
            prompt.approvals += 1
        else:
            prompt.rejections += 1
        fields = ["approvals", "rejections", "updated_at"]
        decided = None
        if prompt.approvals >= edition.approvals_to_validate:
            decided = ContributionStatus.VALIDATED
            prompt.decision_reason = ""
        elif prompt.rejections >= edition.rejections_to_reject:
            decided = ContributionStatus.REJECTED
            prompt.decision_reason = _describe_rejection(prompt=prompt)
        if decided:
            prompt.status = decided
            prompt.decided_at = now or timezone.now()
            fields += ["status", "decision_reason", "decided_at"]
        prompt.save(update_fields=fields)
        if decided:
            ReviewDecision.objects.create(
                challenge=challenge,
                item_type=item_type_of(Prompt),
                item_id=prompt.pk,
                status=decided,
                reason=prompt.decision_reason,
                decided_by=None,
            )
            announce_change(challenge=challenge, author_ids=[prompt.author_id])
    return validation


def _describe_rejection(*, prompt: Prompt) -> str:
    """Why peers rejected a prompt, in numbers, for its author."""
    counts = prompt.validations.filter(approves=False).aggregate(
        not_designed=Count("pk", filter=Q(well_designed=False)),
        not_anchored=Count("pk", filter=Q(culturally_anchored=False)),
    )
    return (
        _(
            "Rejected by validators of other teams: %(not_designed)s found it not well designed, "
            "%(not_anchored)s not culturally anchored."
        )
        % counts
    )


# --- the shared dataset ------------------------------------------------------------------


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


# --- exports -----------------------------------------------------------------------------

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
