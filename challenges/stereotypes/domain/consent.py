"""Versioned consent: the current text of the challenge and who accepted which version."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from accounts.models import User
from challenges.domain import (
    ContributionRefused,
)
from challenges.models import Challenge
from challenges.stereotypes.models import (
    StereotypeConsent,
    StereotypeConsentText,
)
from hackathon.memo import person_scope, remember

# The consent text a stereotypes challenge starts with, until organizers add their own version
# in the admin. It is data (stored per challenge, in the three community languages), not
# interface text, so it is written out here rather than translated through gettext.
DEFAULT_CONSENT_VERSION = "1"
DEFAULT_CONSENT_TEXT = {
    "es": (
        "En este reto valoras cuánto se asocian, en tu región, una nacionalidad y un atributo. "
        "Algunos pares pueden resultarte ofensivos: puedes saltar cualquiera y dejar de participar "
        "cuando quieras.\n"
        "Guardamos tus valoraciones junto con los idiomas, nacionalidades y regiones que declares, "
        "y las publicaremos como datos abiertos para medir y reducir los sesgos de los modelos de "
        "lenguaje, identificadas solo por un número, nunca por tu nombre ni tu correo."
    ),
    "pt": (
        "Neste desafio você avalia o quanto, na sua região, uma nacionalidade e um atributo se "
        "associam. Alguns pares podem ser ofensivos: você pode pular qualquer um e parar de "
        "participar quando quiser.\n"
        "Guardamos suas avaliações junto com os idiomas, nacionalidades e regiões que você "
        "declarar, e as publicaremos como dados abertos para medir e reduzir os vieses dos "
        "modelos de linguagem, identificadas apenas por um número, nunca pelo seu nome ou e-mail."
    ),
    "en": (
        "In this challenge you rate how strongly a nationality and an attribute are associated in "
        "your region. Some pairs may be offensive: you can skip any of them and stop taking part "
        "whenever you like.\n"
        "We keep your ratings together with the languages, nationalities and regions you declare, "
        "and will publish them as open data to measure and reduce the biases of language models, "
        "identified only by a number, never by your name or email."
    ),
}


def get_consent_text(*, challenge: Challenge, remembered: bool = False) -> StereotypeConsentText:
    """The current consent text of the challenge: its newest version.

    A challenge without one gets the default text (version "1"), so the consent step never
    blocks a challenge whose organizers have not written their own yet. ``remembered``: read
    from the shared cache (``hackathon.memo``; forgotten by ``receivers`` on a new version).
    """
    if remembered:
        return remember(
            f"stereotypes-consent-text:{challenge.pk}",
            lambda: get_consent_text(challenge=challenge),
        )
    current = (
        StereotypeConsentText.objects.filter(challenge=challenge)
        .order_by("-created_at", "-id")
        .first()
    )
    if current is not None:
        return current
    current, _created = StereotypeConsentText.objects.get_or_create(
        challenge=challenge,
        version=DEFAULT_CONSENT_VERSION,
        defaults={
            "text_es": DEFAULT_CONSENT_TEXT["es"],
            "text_pt": DEFAULT_CONSENT_TEXT["pt"],
            "text_en": DEFAULT_CONSENT_TEXT["en"],
        },
    )
    return current


def has_accepted_consent(
    *, user: User, challenge: Challenge, version: str, remembered: bool = False
) -> bool:
    """A person may rate once they accepted the current version; a new version asks again.
    ``remembered``: read from the shared cache (``hackathon.memo``; forgotten by ``receivers``
    when the person's consents change)."""
    if remembered:
        return remember(
            f"stereotypes-consent:{challenge.pk}:{version}",
            lambda: has_accepted_consent(user=user, challenge=challenge, version=version),
            scope=person_scope(user.pk),
        )
    return StereotypeConsent.objects.filter(
        user=user, challenge=challenge, version=version
    ).exists()


def accept_consent(*, user: User, challenge: Challenge, version: str) -> StereotypeConsent:
    """Record that the person accepted ``version`` of the consent text, and when.

    Only the current version can be accepted (a page left open while organizers published a
    new one is refused, so nobody accepts a text they did not read). Accepting twice keeps
    the first acceptance and its time.
    """
    current = get_consent_text(challenge=challenge)
    if version != current.version:
        raise ContributionRefused(
            gettext_lazy(
                "The consent text has changed since you opened the page. Read the new version."
            )
        )
    consent, _created = StereotypeConsent.objects.get_or_create(
        user=user, challenge=challenge, version=version
    )
    return consent
