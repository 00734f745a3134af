import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from challenges.models import ChangeRecord
from tests.factories import ChallengeFactory, EditionFactory

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_home_shows_each_window_state(client, edition):
    now = timezone.now()
    ChallengeFactory(
        edition=edition,
        title_en="Upcoming one",
        opens_at=now + dt.timedelta(days=2),
        closes_at=now + dt.timedelta(days=9),
    )
    ChallengeFactory(edition=edition, title_en="Open one")
    ChallengeFactory(
        edition=edition,
        title_en="Extended one",
        closes_at=now + dt.timedelta(days=3),
        announced_closes_at=now - dt.timedelta(hours=1),
    )
    ChallengeFactory(
        edition=edition,
        title_en="Closed one",
        opens_at=now - dt.timedelta(days=9),
        closes_at=now - dt.timedelta(days=1),
    )
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in [
        "Upcoming one",
        "opens in",
        "Open one",
        "closes in",
        "Extended",
        "Closed one",
        "closed",
    ]:
        assert text in page


def test_home_without_an_edition_says_so(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "No edition yet" in response.content.decode()


def test_home_is_spanish_by_default_and_switches_language(client, edition):
    ChallengeFactory(edition=edition, title_es="Exámenes", title_pt="Exames", title_en="Exams")
    assert "Exámenes" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "pt", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="pt"' in page and "Exames" in page


def test_challenge_detail(client, edition):
    challenge = ChallengeFactory(edition=edition, description_en="Find exams.\nFrom your country.")
    page = client.get(f"/challenges/{challenge.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Find exams.<br>From your country." in page


def test_challenge_of_another_edition_is_not_found(client, edition):
    other = ChallengeFactory(edition=EditionFactory(is_current=False))
    assert client.get(f"/challenges/{other.slug}/").status_code == 404


def test_home_query_count_is_constant(client, edition, participant, django_assert_num_queries):
    client.force_login(participant)
    ChallengeFactory(edition=edition)
    one = count_queries(client, "/")
    ChallengeFactory(edition=edition)
    ChallengeFactory(edition=edition)
    with django_assert_num_queries(one):
        client.get("/")


def record(edition, n):
    return ChangeRecord.objects.create(
        edition=edition,
        object_type="challenges.edition",
        object_id=edition.pk,
        object_label=edition.name,
        field=f"field_{n}",
        old_value="1",
        new_value="2",
        source=ChangeRecord.Source.ADMIN,
    )


def test_organize_lists_changes_with_constant_queries(
    client, edition, organizer, django_assert_num_queries
):
    client.force_login(organizer)
    record(edition, 1)
    one = count_queries(client, "/organize/")
    record(edition, 2)
    record(edition, 3)
    with django_assert_num_queries(one):
        response = client.get("/organize/")
    assert "field_3" in response.content.decode()


def test_organize_empty_state(client, edition, organizer):
    client.force_login(organizer)
    assert (
        "Nothing has changed"
        in client.get("/organize/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_language_links_switch_and_stay_on_the_site(client, edition):
    response = client.get("/language/pt/?next=/teams/")
    assert response.status_code == 302 and response["Location"] == "/teams/"
    assert 'lang="pt"' in client.get("/").content.decode()
    assert client.get("/language/pt/?next=https://evil.example.org/")["Location"] == "/"
    assert client.get("/language/xx/").status_code == 404


def test_anonymous_pages_carry_no_csrf_token(client, edition):
    # They are shared from the cache between visitors; a token would be someone else's.
    assert "csrfmiddlewaretoken" not in client.get("/leaderboard/").content.decode()
