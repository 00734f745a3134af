"""Rules about a challenge's guides and support materials (read from the edition file) and the
anonymous feedback people give on them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from challenges.models import Challenge, Guide, GuideFeedback
from challenges.text import clean

GUIDE_FIELDS = ["kind", "title_es", "title_pt", "title_en", "url_es", "url_pt", "url_en"]
COMMENT_MAX = 2000


def read_guides(*, rows: Any, challenge_slug: str, problems: list[str]) -> list[Guide]:
    """The ``[[challenges.guides]]`` of one challenge in the edition file, as unsaved guides:
    each has a slug (unique in the challenge), a Spanish title and link, optionally the other
    languages' and a kind (``guide``, the default, or ``material``). Every problem is added to
    ``problems``."""
    label = _("guides of challenge “%(slug)s”") % {"slug": challenge_slug}
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        problems.append(_("%(label)s: write each one as [[challenges.guides]].") % {"label": label})
        return []
    guides, seen = [], set()
    for number, row in enumerate(rows, start=1):
        row = dict(row)
        slug = str(row.pop("slug", "") or "")
        if not slug:
            problems.append(
                _("%(label)s: guide %(number)s has no slug.") % {"label": label, "number": number}
            )
            continue
        if slug in seen:
            problems.append(
                _("%(label)s: the slug “%(slug)s” appears twice.") % {"label": label, "slug": slug}
            )
        seen.add(slug)
        unknown = sorted(set(row) - set(GUIDE_FIELDS))
        if unknown:
            problems.append(
                _("%(label)s: unknown keys in guide “%(slug)s”: %(keys)s.")
                % {"label": label, "slug": slug, "keys": ", ".join(unknown)}
            )
        guide = Guide(slug=slug, position=number)
        for name in GUIDE_FIELDS:
            if name in row:
                setattr(guide, name, str(row[name]).strip())
        try:
            guide.full_clean(exclude=["challenge"], validate_unique=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                problems.extend(f"{label}: {slug}: {field}: {message}" for message in messages)
        guides.append(guide)
    return guides


def save_guides(*, challenge: Challenge, guides: list[Guide]) -> list[tuple[Guide, dict]]:
    """Make the challenge's guides those of the file: new ones are created, changed ones
    updated, and those no longer in the file removed, unless people already gave feedback on
    them (kept, with their feedback). Returns each updated guide with its values before, for
    the change record."""
    existing = {guide.slug: guide for guide in challenge.guides.all()}
    updated = []
    for guide in guides:
        current = existing.pop(guide.slug, None)
        values = {name: getattr(guide, name) for name in [*GUIDE_FIELDS, "position"]}
        if current is None:
            Guide.objects.create(challenge=challenge, slug=guide.slug, **values)
            continue
        before = {name: getattr(current, name) for name in values}
        if before == values:
            continue
        for name, value in values.items():
            setattr(current, name, value)
        current.save()
        updated.append((current, before))
    Guide.objects.filter(pk__in=[guide.pk for guide in existing.values()]).filter(
        feedback__isnull=True
    ).delete()
    return updated


def give_guide_feedback(*, guide: Guide, rating: int, comment: str) -> GuideFeedback:
    """Anyone gives feedback on a guide: a rating from 1 to 5 and an optional comment. It is
    anonymous: nothing about the person (account, address, exact time) is stored with it."""
    comment = clean(comment)[:COMMENT_MAX]
    with transaction.atomic():
        return GuideFeedback.objects.create(guide=guide, rating=rating, comment=comment)
