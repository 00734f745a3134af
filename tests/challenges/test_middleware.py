import pytest
from django.db import connection
from django.http import Http404, HttpResponse
from django.test.utils import CaptureQueriesContext

from challenges.middleware import EditionMiddleware
from challenges.shortcuts import require_edition
from tests.factories import EditionFactory

pytestmark = pytest.mark.django_db


def answer_with(read):
    """Runs the middleware over a request whose view calls ``read(request)``."""
    seen = {}

    def view(request):
        seen["value"] = read(request)
        return HttpResponse()

    return view, seen


def test_the_edition_is_not_fetched_when_nothing_reads_it(rf, django_assert_num_queries):
    EditionFactory()
    view, _ = answer_with(lambda request: None)
    with django_assert_num_queries(0):
        EditionMiddleware(view)(rf.get("/"))


def test_a_page_that_does_not_need_the_edition_runs_no_query(
    client, edition, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = client.get("/robots.txt")
    assert response.status_code == 200
    assert hasattr(response.wsgi_request, "edition")  # set, only never fetched


def test_the_current_edition_is_fetched_once_however_often_it_is_read(
    rf, django_assert_num_queries
):
    EditionFactory(slug="older", is_current=True)
    EditionFactory(slug="newer", is_current=False)
    view, seen = answer_with(lambda request: (request.edition.slug, request.edition.pk))
    with django_assert_num_queries(1):
        EditionMiddleware(view)(rf.get("/"))
    assert seen["value"][0] == "older"


def test_without_one_marked_current_the_newest_edition_is_shown(rf):
    EditionFactory(slug="older", is_current=False)
    EditionFactory(slug="newer", is_current=False)
    view, seen = answer_with(lambda request: request.edition.slug)
    EditionMiddleware(view)(rf.get("/"))
    assert seen["value"] == "newer"


def test_without_any_edition_it_reads_as_false_and_edition_pages_are_not_found(rf, client):
    view, seen = answer_with(lambda request: bool(request.edition))
    EditionMiddleware(view)(rf.get("/"))
    assert seen["value"] is False

    view, _ = answer_with(require_edition)
    with pytest.raises(Http404):
        EditionMiddleware(view)(rf.get("/"))
    assert client.get("/teams/").status_code == 404


def test_require_edition_gives_the_current_edition(rf, edition):
    view, seen = answer_with(require_edition)
    EditionMiddleware(view)(rf.get("/"))
    assert seen["value"] == edition


def test_the_view_and_the_templates_share_one_query_for_the_edition(client, edition):
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/teams/")  # the view reads it, and so does base.html
    assert response.status_code == 200
    assert edition.name in response.content.decode()
    edition_queries = [q for q in captured if 'FROM "challenges_edition"' in q["sql"]]
    assert len(edition_queries) == 1
