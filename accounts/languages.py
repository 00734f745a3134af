"""Languages a participant can declare: the community's first, by ISO 639 code."""

from django.utils.translation import gettext_lazy as _

LANGUAGE_CHOICES = [
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("ca", _("Catalan")),
    ("gl", _("Galician")),
    ("eu", _("Basque")),
    ("ast", _("Asturian")),
    ("an", _("Aragonese")),
    ("oc", _("Occitan (Aranese)")),
    ("gn", _("Guarani")),
    ("qu", _("Quechua")),
    ("ay", _("Aymara")),
    ("nah", _("Nahuatl")),
    ("yua", _("Yucatec Maya")),
    ("arn", _("Mapudungun")),
    ("en", _("English")),
    ("fr", _("French")),
    ("it", _("Italian")),
    ("de", _("German")),
]
LANGUAGE_CODES = {code for code, _label in LANGUAGE_CHOICES}
