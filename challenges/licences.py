"""Licences of contributed data, as the Hub names them: free text ("CC BY-NC 4.0",
"desconocida") read as one of the Hub's licence ids, and which of them are permissive."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

UNKNOWN = "unknown"
# The Hub's ids this platform publishes under; anything else is read as unknown.
PERMISSIVE_LICENSES = ("apache-2.0", "mit", "cc0-1.0", "cc-by-4.0", "cc-by-sa-4.0", "odc-by")
RESTRICTED_LICENSES = ("cc-by-nc-4.0", "cc-by-nc-sa-4.0", "cc-by-nd-4.0", "cc-by-nc-nd-4.0")
HUB_LICENSES = (*PERMISSIVE_LICENSES, *RESTRICTED_LICENSES, UNKNOWN)

# Words people write for "no known licence", in the platform's languages.
UNKNOWN_WORDS = {
    "unknown", "desconocida", "desconocido", "desconhecida", "desconhecido", "none", "ninguna",
    "nenhuma", "n/a",
}  # fmt: skip
APACHE_WORDS = {"apache", "license", "licence", "licencia", "2", "2.0", "v2", "v2.0"}
MIT_WORDS = {"mit", "license", "licence", "licencia"}
# Creative Commons elements as written out in full (English, Spanish, Portuguese).
CC_WORDS = {
    "attribution": "by", "atribucion": "by", "atribuicao": "by", "reconocimiento": "by",
    "noncommercial": "nc", "nocomercial": "nc", "naocomercial": "nc",
    "sharealike": "sa", "compartirigual": "sa", "compartilhaigual": "sa",
    "noderivatives": "nd", "noderivs": "nd", "sinderivadas": "nd", "semderivacoes": "nd",
}  # fmt: skip


def _words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"creative\s*commons", "cc", plain)
    # "non-commercial", "share alike", "no derivatives": one word each.
    plain = re.sub(r"\b(non|no|nao|share|compartir|compartilha|sin|sem)[\s-]+", r"\1", plain)
    return [CC_WORDS.get(word, word) for word in re.findall(r"[a-z0-9/]+(?:\.[0-9]+)?", plain)]


def _creative_commons(words: list[str]) -> str:
    versions = [word for word in words if re.fullmatch(r"[0-9]+(\.[0-9]+)?", word)]
    if "0" in versions or "cc0" in words:
        return "cc0-1.0"
    if "by" not in words or versions not in ([], ["4"], ["4.0"]):
        return UNKNOWN
    elements = "by" + "".join(f"-{element}" for element in ("nc", "sa", "nd") if element in words)
    license_id = f"cc-{elements}-4.0"
    return license_id if license_id in HUB_LICENSES else UNKNOWN


def normalize_license(text: str) -> str:
    """The Hub's id for a licence written as free text: "CC BY-NC 4.0" and "cc-by-nc" are
    ``cc-by-nc-4.0``, "Apache 2.0" is ``apache-2.0``. A Creative Commons licence without its
    version is read as 4.0; one of another version, an empty text, "desconocida" or anything
    not recognised is ``unknown``: never read as more permissive than it may be."""
    text = (text or "").strip()
    if text.lower() in HUB_LICENSES:
        return text.lower()
    words = _words(text)
    if not words or UNKNOWN_WORDS & set(words):
        return UNKNOWN
    if "cc" in words or "cc0" in words:
        return _creative_commons(words)
    if "apache" in words and set(words) <= APACHE_WORDS:
        return "apache-2.0"
    if "mit" in words and set(words) <= MIT_WORDS:
        return "mit"
    return UNKNOWN


def is_permissive(license_id: str) -> bool:
    """A permissive licence lets anyone use the data, commercially too, and adapt it; NC, ND
    and unknown licences do not, and their rows never join a permissive one's."""
    return license_id in PERMISSIVE_LICENSES


def validate_contribution_license(value: str) -> None:
    """An edition's contributions are published under a permissive licence the Hub names."""
    if not is_permissive(value):
        raise ValidationError(
            _(
                "“%(value)s” is not a licence contributions can be published under. Choose one of: %(choices)s."
            ),
            params={"value": value, "choices": ", ".join(PERMISSIVE_LICENSES)},
        )
