from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

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
