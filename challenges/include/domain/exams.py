"""Exams: a participant declares an exam they found."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from challenges.domain import (
    ContributionRefused,
    ensure_window_open,
)
from challenges.include.models import (
    TEXT_MAX,
    Exam,
)
from challenges.models import Challenge
from challenges.uploads import (
    contains_html,
)

from .checks import is_language_code, resolve_country

MAX_DECLARED_QUESTIONS = 100_000


def _plain(value: str, *, label: str, required: bool = True) -> str:
    text = (value or "").strip()
    if not text and required:
        raise ContributionRefused(_("%(field)s is required.") % {"field": label})
    if len(text) > TEXT_MAX:
        raise ContributionRefused(
            _("%(field)s has at most %(limit)s characters.") % {"field": label, "limit": TEXT_MAX}
        )
    if contains_html(text):
        raise ContributionRefused(
            _("%(field)s must be plain text, without HTML.") % {"field": label}
        )
    return text


def create_exam(
    *,
    challenge: Challenge,
    author,
    name: str,
    language: str,
    country: str,
    domain: str,
    level: str,
    declared_questions: int,
    source: str,
    original_format: str,
    license: str = "unknown",
    now: dt.datetime | None = None,
) -> Exam:
    """A participant declares an exam they found, while the challenge is open for them.

    The language is an ISO 639 code, the country a known one, the texts plain; an unknown
    licence is accepted (say "unknown"). One person declares a given exam name once (case
    ignored), so a repeated submission is refused instead of creating a second exam.
    """
    ensure_window_open(challenge=challenge, user=author, now=now)
    name = _plain(name, label=_("Exam name"))
    language = (language or "").strip().lower()
    if not is_language_code(language):
        raise ContributionRefused(
            _("“%(code)s” is not an ISO 639 language code (such as es, pt, gn or nah).")
            % {"code": language}
        )
    code = resolve_country(country)
    if code is None:
        raise ContributionRefused(_("“%(country)s” is not a known country.") % {"country": country})
    domain = _plain(domain, label=_("Domain"))
    level = _plain(level, label=_("Level"))
    source = _plain(source, label=_("Source"))
    license = _plain(license, label=_("Licence"), required=False) or "unknown"
    if original_format not in Exam.Format.values:
        raise ContributionRefused(_("Choose the exam's original format."))
    if (
        not isinstance(declared_questions, int)
        or not 1 <= declared_questions <= MAX_DECLARED_QUESTIONS
    ):
        raise ContributionRefused(
            _("The number of questions must be between 1 and %(limit)s.")
            % {"limit": MAX_DECLARED_QUESTIONS}
        )
    duplicate = _("You have already declared an exam with this name.")
    try:
        with transaction.atomic():
            if Exam.objects.filter(challenge=challenge, author=author, name__iexact=name).exists():
                raise ContributionRefused(duplicate)
            return Exam.objects.create(
                challenge=challenge,
                author=author,
                name=name,
                language=language,
                country=code,
                domain=domain,
                level=level,
                declared_questions=declared_questions,
                source=source,
                original_format=original_format,
                license=license,
            )
    except IntegrityError as error:  # the same exam declared twice at the same moment
        raise ContributionRefused(duplicate) from error
