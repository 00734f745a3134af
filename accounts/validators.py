import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The Hub's sign-up rule for usernames: letters, digits and single hyphens, neither first nor
# last, at most 42 characters.
HUB_USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,41}$")


def validate_hub_username(value: str) -> None:
    if not HUB_USERNAME_PATTERN.fullmatch(value):
        raise ValidationError(
            _(
                "A Hugging Face username has at most 42 letters, digits and single hyphens, "
                "and does not start or end with a hyphen."
            ),
            code="invalid_hub_username",
        )
