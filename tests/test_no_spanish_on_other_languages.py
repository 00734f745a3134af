"""Pages in English and Portuguese show no Spanish interface text: the main pages are rendered
in en and pt, their markup stripped of the edition's own data, and searched for words only
Spanish uses."""

import re
from html import unescape
from pathlib import Path

import pytest

from challenges.domain import load_edition, read_edition_file
from tests.factories import make_team

pytestmark = pytest.mark.django_db
EDITIONS = Path(__file__).resolve().parents[1] / "editions"
# Words of the Spanish interface that are not English nor Portuguese.
SPANISH = re.compile(
    r"\b(Retos|Equipos|Clasificación|Iniciar sesión|Registrarse|Cerrar sesión|Tu equipo|"
    r"Puntos|Abierto|Cerrado|Pendientes?|Aceptadas|Rechazadas|Guardar|Enviar|Idioma|"
    r"también|puedes|están|después|según|aquí|todavía|equipo|ningún|ninguna)\b"
)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    # The language switcher names each language in itself ("Español"): not interface text.
    html = re.sub(r'<nav[^>]*aria-label="[^"]*"[^>]*>.*?</nav>', " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("language", ["en", "pt"])
def test_the_main_pages_have_no_spanish_in_english_or_portuguese(client, language):
    edition = load_edition(data=read_edition_file(EDITIONS / "somosnlp-2025.toml")).edition
    team = make_team(edition=edition, members=2, name="Team")
    client.force_login(team.memberships.first().user)
    pages = ["/", "/challenges/include/", "/challenges/demo/", "/leaderboard/", "/teams/",
             "/team/", "/team/project/", f"/teams/{team.pk}/", "/profile/"]  # fmt: skip
    found = {}
    for path in pages:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, path
        words = sorted(set(SPANISH.findall(visible_text(response.content.decode()))))
        if words:
            found[path] = words
    assert found == {}


def test_the_check_sees_spanish():
    assert SPANISH.findall(visible_text("<p>Tu equipo está listo</p><p>Retos</p>"))


def test_the_same_pages_in_spanish_are_caught(client):
    edition = load_edition(data=read_edition_file(EDITIONS / "somosnlp-2025.toml")).edition
    team = make_team(edition=edition, members=2, name="Team")
    client.force_login(team.memberships.first().user)
    for path in ["/", "/team/", "/leaderboard/"]:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="es")
        assert SPANISH.findall(visible_text(response.content.decode())), path
