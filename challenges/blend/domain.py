"""Rules of the BLEND challenge: who answers which question, how answers are validated, and how
organizers upload the questions.

Every function that changes state runs in a transaction and locks the row it checks; every
refusal is a ``ContributionRefused`` whose ``message`` the views show as it is.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from functools import partial

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries as all_countries

from accounts.models import User
from challenges.countries import parse_country
from challenges.domain import ContributionRefused, ensure_window_open
from challenges.domain.peer_validation import (
    count_vote,
    dependent_items,
    ensure_independent,
    offer_item,
    release_item,
)
from challenges.domain.queues import Queue, absent
from challenges.intake import PeerValidation
from challenges.models import Challenge, ContributionStatus
from challenges.text import clean, fingerprint, fold, is_blank
from challenges.uploads import (
    DuplicatePolicy,
    Ids,
    NearDuplicates,
    Repeats,
    UploadErrors,
    UploadRejected,
    UploadReport,
    check_text,
    contains_html,
    parse_rows,
    read_text,
    store_upload,
)
from hackathon.memo import person_scope, remember

from .models import (
    PEER_VALIDATION_REASON,
    BlendAnswer,
    BlendProfile,
    BlendQuestion,
    BlendSkip,
    BlendValidation,
)

ANSWER_MAX_LENGTH = 500
REWORDED_MAX_LENGTH = 1000
REGION_MAX_LENGTH = 200
COMMENT_MAX_LENGTH = 500
QUESTION_MAX_LENGTH = 1000
# A question is compared with the questions of its own country.
QUESTION_NEAR_DUPLICATES = NearDuplicates(
    text=lambda question: question.question,
    reads=("question", "country"),
    scope=lambda question: str(question.country),
)
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


# --- the countries a person answers and validates for ---------------------------------------


def _read_countries(*, user: User) -> tuple[str, str]:
    """The profile's country and the declared countries as stored; remembered (the person's
    scope, forgotten by ``receivers`` when either profile changes), one query the first time."""

    def read() -> tuple[str, str]:
        row = (
            User.objects.filter(pk=user.pk)
            .values("profile__country", "blend_profile__countries")
            .first()
        ) or {}
        return row.get("profile__country") or "", row.get("blend_profile__countries") or ""

    return remember("blend-countries", read, scope=person_scope(user.pk))


def get_countries(*, user: User) -> list[str]:
    """The countries a person answers for: their profile's country first, then the other
    countries they declared knowing well. One query, none once remembered."""
    home, declared = _read_countries(user=user)
    codes = [home, *declared.split(",")]
    return list(dict.fromkeys(code for code in codes if code))


def get_home_country(*, user: User) -> str:
    """The country whose answers a person validates: the one in their profile (empty if none).
    One query, none once remembered."""
    return _read_countries(user=user)[0]


def set_known_countries(*, user: User, countries: Iterable[str]) -> BlendProfile:
    """A person declares the other countries they know well enough to answer for them.

    Only real country codes are kept, each once; the profile's own country needs no declaring.
    """
    known = dict(all_countries)
    codes = [str(code).upper() for code in countries]
    codes = list(dict.fromkeys(code for code in codes if code in known))
    profile, _created = BlendProfile.objects.update_or_create(
        user=user, defaults={"countries": codes}
    )
    return profile


def get_country_name(code: str) -> str:
    """The country's name in the active language (the code itself if unknown)."""
    return all_countries.name(code) or code


# --- answering ------------------------------------------------------------------------------


def find_next_question(
    *, challenge: Challenge, user: User, countries: list[str]
) -> BlendQuestion | None:
    """The next question for a person: of one of their countries, not answered (not even as a
    draft) and not skipped by them, oldest first. One index-backed query whatever the data size.
    """
    if not countries:
        return None
    answered = absent(BlendAnswer, outer=BlendQuestion, link=("question", "pk"), author=user.pk)
    skipped = absent(BlendSkip, outer=BlendQuestion, link=("question", "pk"), user=user.pk)
    return Queue(
        BlendQuestion,
        equals={"challenge": challenge, "country": list(countries)},
        conditions=[answered, skipped],
    ).first()


def check_answer(
    *,
    answer_1: str,
    answer_2: str = "",
    answer_3: str = "",
    no_answer_reason: str = "",
    reworded_question: str = "",
    region: str = "",
    submit: bool,
) -> dict[str, str]:
    """What is wrong with an answer, by field (empty when nothing is).

    The rule: answer 1 is required to submit, unless a reason for no answer is given; an answer
    and a reason for no answer exclude each other; answers 2 and 3 need answer 1 and do not
    repeat an earlier answer (compared folded: case, accents, spacing and invisible characters
    aside); every text is plain (no HTML) and within its length. A draft may still be
    incomplete.
    """
    problems: dict[str, str] = {}
    limits = {
        "reworded_question": (reworded_question, REWORDED_MAX_LENGTH),
        "answer_1": (answer_1, ANSWER_MAX_LENGTH),
        "answer_2": (answer_2, ANSWER_MAX_LENGTH),
        "answer_3": (answer_3, ANSWER_MAX_LENGTH),
        "region": (region, REGION_MAX_LENGTH),
    }
    for name, (text, limit) in limits.items():
        if len(text) > limit:
            problems[name] = _("At most %(limit)s characters (this has %(length)s).") % {
                "limit": limit,
                "length": len(text),
            }
        elif contains_html(text):
            problems[name] = _("HTML is not allowed here; write plain text.")
    if no_answer_reason and no_answer_reason not in BlendAnswer.NoAnswerReason.values:
        problems["no_answer_reason"] = _("Choose a reason from the list.")
    if no_answer_reason and (answer_1 or answer_2 or answer_3):
        problems.setdefault(
            "no_answer_reason",
            _("Give either answers or a reason for no answer, not both."),
        )
    elif not answer_1 and (answer_2 or answer_3):
        problems.setdefault("answer_1", _("Write answer 1 before answers 2 and 3."))
    elif submit and not answer_1 and not no_answer_reason:
        problems.setdefault(
            "answer_1",
            _("Write answer 1, or choose why there is no answer."),
        )
    seen: set[str] = set()
    for name, text in (("answer_1", answer_1), ("answer_2", answer_2), ("answer_3", answer_3)):
        if text and fold(text) in seen:
            problems.setdefault(name, _("This answer repeats an earlier one."))
        seen.add(fold(text))
    return problems


def _answer_values(**texts: str) -> dict[str, str]:
    """The texts as stored: without invisible characters (one made only of them is empty)."""
    return {
        name: "" if is_blank(value or "") else clean(value or "") for name, value in texts.items()
    }


def save_answer(
    *,
    challenge: Challenge,
    question_id: int,
    author: User,
    answer_1: str,
    answer_2: str = "",
    answer_3: str = "",
    no_answer_reason: str = "",
    reworded_question: str = "",
    region: str = "",
    submit: bool,
    now: dt.datetime | None = None,
) -> BlendAnswer:
    """A person answers a question of one of their countries, as a draft or submitted.

    While the challenge is open for them. One answer per person per question: a draft can be
    edited and submitted later; a submitted answer cannot be changed (submitting the very same
    answer again changes nothing, so a double click stores one). Submitted answers wait for
    validation (status pending).
    """
    ensure_window_open(challenge=challenge, user=author, now=now)
    values = _answer_values(
        answer_1=answer_1,
        answer_2=answer_2,
        answer_3=answer_3,
        no_answer_reason=no_answer_reason,
        reworded_question=reworded_question,
        region=region,
    )
    problems = check_answer(**values, submit=submit)
    if problems:
        raise ContributionRefused(next(iter(problems.values())))
    question = BlendQuestion.objects.filter(challenge=challenge, pk=question_id).first()
    if question is None:
        raise ContributionRefused(_("This question does not exist in this challenge."))
    if question.country.code not in get_countries(user=author):
        raise ContributionRefused(
            _(
                "This question is about %(country)s: you answer only for the countries of your "
                "profile and the ones you declared knowing well."
            )
            % {"country": get_country_name(question.country.code)}
        )
    status = ContributionStatus.PENDING if submit else ContributionStatus.DRAFT
    with transaction.atomic():
        answer = (
            BlendAnswer.objects.select_for_update().filter(question=question, author=author).first()
        )
        if answer is None:
            try:
                with transaction.atomic():
                    return BlendAnswer.objects.create(
                        challenge=challenge,
                        question=question,
                        author=author,
                        country=question.country.code,
                        status=status,
                        **values,
                    )
            except IntegrityError:
                # The same person's other request stored it a moment ago: go on from there.
                answer = BlendAnswer.objects.select_for_update().get(
                    question=question, author=author
                )
        if answer.status != ContributionStatus.DRAFT:
            unchanged = all(getattr(answer, name) == value for name, value in values.items())
            if submit and unchanged:
                return answer
            raise ContributionRefused(
                _("You already submitted an answer to this question; it cannot be changed.")
            )
        for name, value in values.items():
            setattr(answer, name, value)
        answer.status = status
        answer.save(update_fields=[*values, "status", "updated_at"])
    return answer


def skip_question(
    *, challenge: Challenge, question_id: int, user: User, now: dt.datetime | None = None
) -> BlendSkip:
    """A person skips a question: it is never shown to them again and never counts.

    While the challenge is open for them. A draft of theirs for it is dropped; a submitted answer
    cannot be skipped. Skipping twice changes nothing.
    """
    ensure_window_open(challenge=challenge, user=user, now=now)
    question = BlendQuestion.objects.filter(challenge=challenge, pk=question_id).first()
    if question is None:
        raise ContributionRefused(_("This question does not exist in this challenge."))
    with transaction.atomic():
        answer = (
            BlendAnswer.objects.select_for_update().filter(question=question, author=user).first()
        )
        if answer is not None:
            if answer.status != ContributionStatus.DRAFT:
                raise ContributionRefused(
                    _("You already submitted an answer to this question; it cannot be skipped.")
                )
            answer.delete()
        skip, _created = BlendSkip.objects.get_or_create(
            question=question, user=user, defaults={"challenge": challenge}
        )
    return skip


# --- validating -----------------------------------------------------------------------------

PEER_VALIDATION = PeerValidation(
    vote_model=BlendValidation,
    item_field="answer",
    approve_field="approve",
    # Whichever way peers decide, the author reads that the country's validators did.
    decision_reason=lambda answer, status: PEER_VALIDATION_REASON,
    own_item_refused=gettext_lazy("You cannot validate your own answer."),
    team_item_refused=gettext_lazy("You cannot validate an answer of your own team."),
)


def find_next_answer_to_validate(
    *, challenge: Challenge, validator: User, country: str
) -> BlendAnswer | None:
    """The next answer a person validates: submitted (pending), of their profile's country, not
    theirs nor of their team's (``peer_validation.exclude_dependent_items``) and not yet
    validated by them, oldest first, skipping those other validators hold now
    (``peer_validation.offer_item``). One index-backed query when no other validator is at
    the same place."""
    if not country:
        return None
    mine = absent(BlendValidation, outer=BlendAnswer, link=("answer", "pk"), validator=validator.pk)
    theirs = dependent_items(BlendAnswer, validator=validator, edition_id=challenge.edition_id)
    queue = Queue(
        BlendAnswer,
        equals={"challenge": challenge, "status": ContributionStatus.PENDING, "country": country},
        conditions=[theirs, mine],
        related="question",
    )
    return offer_item(queue, validator=validator)


def validate_answer(
    *,
    challenge: Challenge,
    answer_id: int,
    validator: User,
    approve: bool,
    comment: str = "",
    now: dt.datetime | None = None,
) -> BlendAnswer:
    """A person of the question's country (their profile's country), never the author nor one
    of the author's team (``peer_validation.ensure_independent``), says whether a submitted
    answer is valid, once per answer, while the challenge is open for them.

    The answer is validated after the challenge's ``approvals_to_validate`` approvals and
    rejected after its ``rejections_to_reject`` rejections (``peer_validation.count_vote``); then it leaves everyone's queue, the decision is
    recorded (decided by nobody: peer validation) and scoring is told. The answer's row is locked
    while its validations are counted, so two validators at once cannot both decide it.
    """
    ensure_window_open(challenge=challenge, user=validator, now=now)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise ContributionRefused(
            _("The comment has at most %(limit)s characters.") % {"limit": COMMENT_MAX_LENGTH}
        )
    if contains_html(comment):
        raise ContributionRefused(_("HTML is not allowed in the comment; write plain text."))
    home = get_home_country(user=validator)
    with transaction.atomic():
        answer = (
            BlendAnswer.objects.select_for_update()
            .filter(challenge=challenge, pk=answer_id)
            .first()
        )
        if answer is None:
            raise ContributionRefused(_("This answer does not exist in this challenge."))
        ensure_independent(
            peer=PEER_VALIDATION,
            author_id=answer.author_id,
            validator=validator,
            edition_id=challenge.edition_id,
        )
        if not home or answer.country.code != home:
            raise ContributionRefused(
                _(
                    "Answers about %(country)s are validated by people whose profile country is %(country)s."
                )
                % {"country": get_country_name(answer.country.code)}
            )
        if answer.status != ContributionStatus.PENDING:
            raise ContributionRefused(_("This answer was already decided; here is another one."))
        if BlendValidation.objects.filter(answer=answer, validator=validator).exists():
            raise ContributionRefused(_("You already validated this answer."))
        BlendValidation.objects.create(
            answer=answer, validator=validator, approve=approve, comment=comment
        )
        count_vote(challenge=challenge, peer=PEER_VALIDATION, item=answer, approve=approve, now=now)
    release_item(model=BlendAnswer, item_id=answer.pk, validator_id=validator.pk)
    return answer


# --- the organizers' questions --------------------------------------------------------------


def _check_question(
    record: dict, *, row: int, errors: UploadErrors, challenge: Challenge
) -> BlendQuestion | None:
    """One record of a questions file as an unsaved question, or None (with its errors added):
    id (or external_id), country (a name or a code), language (a code), topic and question."""
    before = errors.total
    id_key = "id" if "id" in record or "external_id" not in record else "external_id"
    external_id = check_text(record, id_key, row=row, errors=errors, max_length=100, label="id")
    country_text = check_text(record, "country", row=row, errors=errors, max_length=100)
    language = check_text(record, "language", row=row, errors=errors, max_length=12).lower()
    topic = check_text(record, "topic", row=row, errors=errors, max_length=100)
    text = check_text(record, "question", row=row, errors=errors, max_length=QUESTION_MAX_LENGTH)
    country = parse_country(country_text) if country_text else ""
    if country_text and not country:
        errors.add(
            row,
            "country",
            _(
                "“%(value)s” is not a country: write its name (in Spanish, Portuguese or English) or its ISO code, e.g. CL."
            )
            % {"value": country_text[:100]},
        )
    if language and not LANGUAGE_CODE.fullmatch(language):
        errors.add(
            row,
            "language",
            _("“%(value)s” is not a language code: use one such as es, pt or ca.")
            % {"value": language},
        )
    if errors.total > before:
        return None
    return BlendQuestion(
        challenge=challenge,
        external_id=external_id,
        country=country,
        language=language,
        topic=topic,
        question=text,
        fingerprint=fingerprint(country, text),
    )


def import_questions(
    *, challenge: Challenge, upload, progress: Callable[[int, int], object] | None = None
) -> UploadReport:
    """Organizers upload questions (CSV, JSON or JSON Lines with id, country, language, topic and
    question), all or nothing.

    Every row is checked and every problem reported with its row and field; if there is any,
    nothing is stored. An id is unique in the challenge, and so is a question's text for its
    country: a duplicate inside the file, or of another stored question, is an error
    (``DuplicatePolicy.REFUSE``). A row identical to a stored question (same id, same country
    and text) is counted as already stored (``skipped``), so uploading the same file twice adds
    nothing. A question that nearly repeats another of its country (stored, or an earlier row)
    is stored marked as its possible duplicate, and reported. ``progress(rows checked, errors
    so far)`` is told as the rows are checked.
    """
    rows = parse_rows(read_text(upload), filename=getattr(upload, "name", "") or "")
    return store_upload(
        rows=rows,
        check_row=partial(_check_question, challenge=challenge),
        model=BlendQuestion,
        challenge=challenge,
        duplicates=DuplicatePolicy.REFUSE,
        repeats=Repeats(
            field="question",
            same_as_row=_("The same question for this country is also in row %(row)s."),
            already_stored=_(
                "This question is already stored for this country with the id “%(id)s”."
            ),
        ),
        ids=Ids(
            attribute="external_id",
            field="id",
            used_by_row=_("The id “%(id)s” is also in row %(row)s."),
            used_by_stored=_(
                "The id “%(id)s” is already used by another question of this challenge."
            ),
            stored_again=_("Already stored in this challenge."),
        ),
        conflict=UploadRejected(
            _(
                "Another upload stored some of these questions at the same moment; nothing was stored. Upload the file again."
            )
        ),
        near_duplicates=QUESTION_NEAR_DUPLICATES,
        progress=progress,
    )
