"""Guides and support material from the edition file, shown where a page asks to read them,
and their anonymous, rate-limited feedback that organizers read per challenge."""

import copy
from pathlib import Path

import pytest
from django.db import connection

from challenges.domain import EditionFileError, load_edition, read_edition_file
from challenges.models import Challenge, ChangeRecord, Guide, GuideFeedback
from tests.factories import ChallengeFactory

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"


def shipped() -> dict:
    return read_edition_file(SHIPPED)


def entry(data, slug):
    return next(c for c in data["challenges"] if c["slug"] == slug)


def test_the_shipped_file_gives_the_collecting_challenges_their_guides():
    load_edition(data=shipped())
    guides = {(g.challenge.slug, g.slug, g.kind) for g in Guide.objects.select_related("challenge")}
    assert guides == {
        ("include", "guia", "guide"),
        ("include", "corpus-automation", "material"),
        ("stereotypes", "guia", "guide"),
        ("blend", "guia", "guide"),
        ("preferences", "guia", "guide"),
    }
    guide = Guide.objects.get(challenge__slug="preferences")
    assert guide.url_pt == "https://somosnlp.org/pt/hackathon/retos/preferencias"
    assert guide.title_es and guide.title_pt and guide.title_en


def test_a_guide_reads_in_the_readers_language_and_falls_back_to_spanish():
    from django.utils import translation

    load_edition(data=shipped())
    material = Guide.objects.get(slug="corpus-automation")
    with translation.override("pt"):
        assert material.title.startswith("Ferramentas")
        assert material.url == "https://github.com/amayuelas/corpus-automation"  # url_es


def test_loading_twice_changes_nothing_and_an_edit_is_recorded():
    load_edition(data=shipped())
    assert load_edition(data=shipped()).changes == []
    data = shipped()
    entry(data, "blend")["guides"][0]["title_en"] = "The BLEND guide, revised"
    report = load_edition(data=data)
    assert [(c.object_type, c.field, c.new_value) for c in report.changes] == [
        ("challenges.guide", "title_en", "The BLEND guide, revised")
    ]
    assert ChangeRecord.objects.filter(object_type="challenges.guide").count() == 1


def test_a_guide_left_out_of_the_file_goes_unless_it_has_feedback():
    load_edition(data=shipped())
    kept = Guide.objects.get(challenge__slug="include", slug="guia")
    GuideFeedback.objects.create(guide=kept, rating=4)
    data = shipped()
    entry(data, "include")["guides"] = []
    load_edition(data=data)
    assert list(Guide.objects.filter(challenge__slug="include")) == [kept]
    # A challenge whose entry names no guides keeps those it has.
    data = shipped()
    del entry(data, "blend")["guides"]
    load_edition(data=data)
    assert Guide.objects.filter(challenge__slug="blend").count() == 1


@pytest.mark.parametrize(
    ("guides", "problem"),
    [
        ([{"title_es": "Guía", "url_es": "https://x.org"}], "guide 1 has no slug"),
        ([{"slug": "a", "url_es": "https://x.org"}], "title_es"),
        ([{"slug": "a", "title_es": "Guía"}], "url_es"),
        ([{"slug": "a", "title_es": "Guía", "url_es": "not a link"}], "Enter a valid URL."),
        ([{"slug": "a", "title_es": "G", "url_es": "https://x.org", "kind": "video"}], "kind"),
        (
            [{"slug": "a", "title_es": "G", "url_es": "https://x.org", "colour": "red"}],
            "unknown keys in guide “a”: colour",
        ),
        (
            [{"slug": "a", "title_es": "G", "url_es": "https://x.org"}] * 2,
            "the slug “a” appears twice",
        ),
        ("https://x.org", "write each one as [[challenges.guides]]"),
    ],
)
def test_a_bad_guide_refuses_the_whole_file(guides, problem):
    data = shipped()
    entry(data, "blend")["guides"] = copy.deepcopy(guides)
    with pytest.raises(EditionFileError) as raised:
        load_edition(data=data)
    assert any(problem in text for text in raised.value.problems), raised.value.problems
    assert not Challenge.objects.exists() and not Guide.objects.exists()


@pytest.fixture
def guide(edition):
    challenge = ChallengeFactory(edition=edition, slug="preferences", kind="preferences")
    return Guide.objects.create(
        challenge=challenge,
        slug="guia",
        title_es="Guía de prompts",
        title_en="Prompt guide",
        url_es="https://somosnlp.org/hackathon/retos/preferencias",
        url_en="https://somosnlp.org/en/hackathon/retos/preferencias",
    )


FEEDBACK = "/challenges/preferences/guides/guia/feedback/"


def test_the_challenge_page_and_the_quiz_link_the_guide(client, guide, participant):
    page = client.get("/challenges/preferences/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "https://somosnlp.org/en/hackathon/retos/preferencias" in page
    assert FEEDBACK in page
    client.force_login(participant)
    quiz = client.get("/preferences/preferences/quiz/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Prompt guide" in quiz.content.decode()
    home = client.get("/preferences/preferences/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Prompt guide" in home.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "participant"])
def test_feedback_stores_nothing_about_the_person(client, guide, participant, who):
    if who == "participant":
        client.force_login(participant)
    response = client.post(
        FEEDBACK,
        {"rating": "4", "comment": "Faltan ejemplos\u200b de prompts."},
        REMOTE_ADDR="203.0.113.9",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    feedback = GuideFeedback.objects.get()
    assert (feedback.rating, feedback.comment) == (4, "Faltan ejemplos de prompts.")
    columns = {field.column for field in GuideFeedback._meta.concrete_fields}
    assert columns == {"id", "guide_id", "rating", "comment", "created_on"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM challenges_guidefeedback")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert "203.0.113.9" not in row and participant.email not in row
    # Nor in the session: the rate limit's key is a random one of the browser's.
    assert (
        all(str(value) != str(participant.pk) for value in client.session.values())
        or who == "participant"
    )


def test_feedback_is_rate_limited_per_browser(client, guide, settings):
    settings.GUIDE_FEEDBACK_RATE = "2/h"
    for _ in range(2):
        assert client.post(FEEDBACK, {"rating": "5"}).status_code == 302
    refused = client.post(FEEDBACK, {"rating": "5"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert "try again later" in refused.content.decode()
    assert GuideFeedback.objects.count() == 2
    # Another browser (its own session) still may.
    from django.test import Client

    assert Client().post(FEEDBACK, {"rating": "3"}).status_code == 302
    assert GuideFeedback.objects.count() == 3


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "This field is required."),
        ({"rating": "0"}, "Select a valid choice."),
        ({"rating": "6"}, "Select a valid choice."),
        ({"rating": "bueno"}, "Select a valid choice."),
        ({"rating": "3", "comment": "x" * 2001}, "at most 2000 characters"),
    ],
)
def test_bad_feedback_is_refused(client, guide, values, message):
    response = client.post(FEEDBACK, values, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GuideFeedback.objects.exists()


def test_an_unknown_guide_is_a_404(client, guide):
    assert client.get("/challenges/preferences/guides/otra/feedback/").status_code == 404
    assert client.get("/challenges/include/guides/guia/feedback/").status_code == 404


def test_organizers_read_the_feedback_per_challenge(client, guide, organizer, edition):
    GuideFeedback.objects.create(guide=guide, rating=2, comment="Confuso")
    GuideFeedback.objects.create(guide=guide, rating=4, comment="")
    other = ChallengeFactory(edition=edition, slug="blend", kind="blend")
    elsewhere = Guide.objects.create(
        challenge=other, slug="g", title_es="Otra", url_es="https://x.org"
    )
    GuideFeedback.objects.create(guide=elsewhere, rating=1, comment="De otro reto")
    client.force_login(organizer)
    page = client.get("/organize/preferences/feedback/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confuso" in page and "De otro reto" not in page
    assert "3.0" in page  # the average


def test_query_count_of_the_feedback_page_does_not_grow(client, guide, organizer):
    from django.test.utils import CaptureQueriesContext

    client.force_login(organizer)

    def count(n):
        GuideFeedback.objects.all().delete()
        for i in range(n):
            GuideFeedback.objects.create(guide=guide, rating=3, comment=f"c{i}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/organize/preferences/feedback/").status_code == 200
        return len(queries)

    assert count(1) == count(3)
