"""A later edition from an earlier one's file: every date moved, everything else as written."""

from __future__ import annotations

import datetime as dt
import re
import tomllib

from django.utils.translation import gettext as _

from challenges.domain.editions import EditionFileError, first_opening

TOML_MOMENT = re.compile(
    r"(?<![\w.:-])(\d{4}-\d{2}-\d{2})(?:([T ])(\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:\d{2})?)?(?![\w:-])"
)
EDITION_SLUG_LINE = re.compile(r'^(\s*slug\s*=\s*)"[^"]*"', re.MULTILINE)


def _code_segments(text: str) -> list[tuple[bool, str]]:
    """The text cut into (is_code, piece): strings and comments are not code, so a date written
    in a description or a comment is never moved."""
    pieces: list[tuple[bool, str]] = []
    start = index = 0
    length = len(text)
    while index < length:
        char = text[index]
        if char == "#":
            end = text.find("\n", index)
            end = length if end == -1 else end
        elif char in "\"'":
            quote = text[index : index + 3] if text[index : index + 3] in ('"""', "'''") else char
            end = index + len(quote)
            while end < length and not text.startswith(quote, end):
                end += 2 if (text[end] == "\\" and quote[0] == '"') else 1
            end = min(end + len(quote), length)
            # A multi-line string may end in more quotes than three (TOML allows two more).
            while len(quote) == 3 and end < length and text[end] == quote[0]:
                end += 1
        else:
            index += 1
            continue
        pieces.append((True, text[start:index]))
        pieces.append((False, text[index:end]))
        start = index = end
    pieces.append((True, text[start:]))
    return pieces


def shift_edition_file(*, text: str, slug: str, starting_on: dt.date) -> str:
    """An edition file's text for a later (or earlier) edition: every date and date-time moved
    by the same number of days, so that the first window opens on ``starting_on``, and the
    edition's slug replaced. Comments, texts and layout are kept as written, ready to edit;
    dates inside strings or comments are not moved. Loading the result gives the same windows
    as loading the original with ``starting_on``.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise EditionFileError(
            [_("The edition file is not valid TOML: %(error)s") % {"error": error}]
        ) from error
    first = first_opening(data)
    if first is None:
        raise EditionFileError([_("No challenge of the file has an opening day to move.")])
    shift = starting_on - first

    def move(match: re.Match) -> str:
        day = dt.date.fromisoformat(match.group(1)) + shift
        return day.isoformat() + match.group(0)[10:]

    moved = "".join(
        TOML_MOMENT.sub(move, piece) if is_code else piece
        for is_code, piece in _code_segments(text)
    )
    edition_at = moved.find("[edition]")
    if edition_at == -1:
        raise EditionFileError([_("The [edition] table needs a slug.")])
    head, tail = moved[:edition_at], moved[edition_at:]
    tail, count = EDITION_SLUG_LINE.subn(lambda m: f'{m.group(1)}"{slug}"', tail, count=1)
    if not count:
        raise EditionFileError([_("The [edition] table needs a slug.")])
    return head + tail
