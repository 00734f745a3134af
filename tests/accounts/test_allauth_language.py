"""django-allauth's pages and emails speak as the site does: "tú" in Spanish, Brazilian
Portuguese (você, senha, e-mail, cadastrar-se) in Portuguese, where allauth's own catalogs say
"usted" and, for "pt", European Portuguese (locale_overrides/ holds the site's wording)."""

import re
from html import unescape

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.core import mail

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

FORMAL_SPANISH = re.compile(
    r"\b(usted|Usted|su contraseña|su cuenta|su correo|su dirección|sus cuentas|"
    r"Introduzca|introduzca|Haga clic|haga clic|[Pp]óngase|Ha olvidado|Ha cerrado|Ha iniciado|"
    r"inicie sesión|regístrese|desea|Le hemos|Siga el|Verifique|Compruebe|compruebe|¿Ya tiene)\b"
)
EUROPEAN_PORTUGUESE = re.compile(
    r"palavra-passe|[Rr]egistar|[Uu]tilizador|endereço de correio|correio eletrónico|"
    r"Inscrever-se|Esqueceu-se|[Ii]niciar sessão|[Tt]erminar sessão|sessão iniciada|telemóvel|"
    r"\bsign in\b|\bsign up\b|\bemail\b(?!/)"  # Brazilian "e-mail" (not in a link's path)
)


def visible(response) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def assert_speaks_as_the_site(text: str, language: str, where: str) -> None:
    wrong = FORMAL_SPANISH if language == "es" else EUROPEAN_PORTUGUESE
    assert not wrong.findall(text), (where, sorted(set(wrong.findall(text))))


def pages(client, language: str) -> dict[str, str]:
    """Every allauth page the site uses, as a visitor or a signed-in person meets it, with
    the errors its forms give; and the emails it sends."""
    lang = {"HTTP_ACCEPT_LANGUAGE": language}
    seen = {}

    def get(path, name=None):
        response = client.get(path, follow=True, **lang)
        assert response.status_code == (401 if "error" in path else 200), path
        seen[name or path] = visible(response)

    def post(name, path, data):
        response = client.post(path, data, follow=True, **lang)
        assert response.status_code == 200, path
        seen[name] = visible(response)

    for path in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
                 "/accounts/password/reset/done/", "/accounts/password/reset/key/done/",
                 "/accounts/confirm-email/", "/accounts/inactive/",
                 "/accounts/password/reset/key/1-bad-key/", "/accounts/confirm-email/bad-key/",
                 "/accounts/3rdparty/login/cancelled/", "/accounts/3rdparty/login/error/"):  # fmt: skip
        get(path)
    post("login, wrong password", "/accounts/login/", {"login": "x@example.org", "password": "x"})
    post("signup, passwords differ", "/accounts/signup/",
         {"email": "nueva@example.org", "password1": PASSWORD, "password2": PASSWORD + "x"})  # fmt: skip
    post("signup", "/accounts/signup/",
         {"email": f"nueva-{language}@example.org", "password1": PASSWORD, "password2": PASSWORD})  # fmt: skip
    client.logout()

    person = UserFactory(email=f"ana-{language}@example.org")
    address = EmailAddress.objects.create(
        user=person, email=person.email, verified=False, primary=True
    )
    get(f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/")
    address.verified = True
    address.save()
    post("password reset", "/accounts/password/reset/", {"email": person.email})
    post("password reset, unknown", "/accounts/password/reset/", {"email": "nadie@example.org"})
    post("signup, address taken", "/accounts/signup/",
         {"email": person.email, "password1": PASSWORD, "password2": PASSWORD})  # fmt: skip
    client.logout()
    key = default_token_generator.make_token(person)
    get(f"/accounts/password/reset/key/{user_pk_to_url_str(person)}-{key}/")

    client.force_login(person)
    for path in ("/accounts/email/", "/accounts/password/change/", "/accounts/logout/",
                 "/accounts/reauthenticate/", "/accounts/3rdparty/"):  # fmt: skip
        get(path)
    get("/accounts/login/", name="login, signed in already")
    post("email, bad address", "/accounts/email/", {"action_add": "", "email": "no"})
    post("password change, wrong", "/accounts/password/change/",
         {"oldpassword": "x", "password1": PASSWORD, "password2": PASSWORD})  # fmt: skip
    without_password = UserFactory(email=f"sin-{language}@example.org")
    without_password.set_unusable_password()
    without_password.save()
    client.force_login(without_password)
    get("/accounts/password/set/")
    client.logout()

    for number, message in enumerate(mail.outbox):
        seen[f"email {number}: {message.subject}"] = f"{message.subject}\n{message.body}"
    mail.outbox.clear()
    return seen


@pytest.mark.parametrize(
    ("language", "known"),
    [
        ("es", {"/accounts/login/": "¿Olvidaste tu contraseña?",
                "/accounts/logout/": "¿Seguro que quieres cerrar sesión?",
                "/accounts/password/reset/": "Escribe tu dirección de correo electrónico"}),
        ("pt", {"/accounts/login/": "Esqueceu sua senha?",
                "/accounts/signup/": "Cadastrar-se",
                "/accounts/password/reset/": "senha"}),
    ],
)  # fmt: skip
def test_every_allauth_page_and_email_speaks_as_the_site(client, edition, language, known):
    seen = pages(client, language)
    emails = [name for name in seen if name.startswith("email ")]
    assert len(emails) >= 4, emails  # verification, reset, unknown account, account exists
    for where, text in seen.items():
        assert_speaks_as_the_site(text, language, where)
    for path, phrase in known.items():
        assert phrase in seen[path], (path, phrase)


def test_the_checks_see_allauths_own_wording():
    assert FORMAL_SPANISH.findall("¿Ha olvidado su contraseña? Introduzca su correo")
    assert EUROPEAN_PORTUGUESE.findall("Esqueceu-se da sua palavra-passe? Registar")
