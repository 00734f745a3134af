from dataclasses import dataclass

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings

from accounts.domain import fill_hub_username


def read_claims(extra_data: dict) -> dict:
    """The OIDC claims allauth kept: the userinfo answer if it fetched one, else the ID token."""
    return extra_data.get("userinfo") or extra_data.get("id_token") or extra_data


class HubSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Signing in with Hugging Face fills the profile's Hub username from the OIDC claims."""

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        claims = read_claims(sociallogin.account.extra_data or {})
        fill_hub_username(user=user, hub_username=claims.get("preferred_username") or "")
        return user


@dataclass(frozen=True)
class SiteNamed:
    """What allauth's emails read as ``current_site``: a name and a domain."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    """allauth's emails name the site by ``SITE_NAME`` and ``SITE_DOMAIN``, not by the host the
    request came to (which greeted people "from 127.0.0.1:8100")."""

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = context.get("request") or getattr(self, "request", None)
        domain = settings.SITE_DOMAIN or (request.get_host() if request is not None else "")
        site = SiteNamed(name=settings.SITE_NAME, domain=domain)
        super().send_mail(template_prefix, email, {**context, "current_site": site})
