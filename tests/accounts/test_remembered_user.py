"""The signed-in person's row is remembered by each process (accounts.backends) and read again
on the next request after it is saved or deleted: deactivated, a new password, a new name.
Sessions live in the shared cache and the database (cached_db): losing the cache signs nobody
out."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("remembered")]
PAGE = "/profile/"  # any page for signed-in people only


def user_queries(client: Client) -> tuple[int, list[str]]:
    """The page's status and the queries it made on the people's table."""
    table = User._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")
    return response.status_code, [
        query["sql"] for query in queries if f'FROM "{table}"' in query["sql"]
    ]


@pytest.fixture
def person():
    return UserFactory(password="a-long-password-1")


@pytest.fixture
def signed_in(person):
    client = Client()
    assert client.login(email=person.email, password="a-long-password-1")
    return client


def test_the_person_is_read_once_then_remembered(signed_in):
    status, first = user_queries(signed_in)
    assert status == 200 and len(first) == 1
    status, again = user_queries(signed_in)
    assert status == 200 and again == []


def test_a_deactivated_person_is_signed_out_on_the_next_request(signed_in, person):
    user_queries(signed_in)
    person.is_active = False
    person.save()
    response = signed_in.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_new_password_ends_the_other_sessions_on_their_next_request(signed_in, person):
    user_queries(signed_in)
    person.set_password("another-long-password-2")
    person.save()
    response = signed_in.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_deleted_person_is_signed_out_on_the_next_request(signed_in, person):
    user_queries(signed_in)
    User.objects.filter(pk=person.pk).first().delete()
    assert signed_in.get(PAGE).status_code == 302


def test_a_changed_row_is_read_again(signed_in, person):
    user_queries(signed_in)
    person.email = "nueva-direccion@example.org"
    person.save()
    status, again = user_queries(signed_in)
    assert status == 200 and len(again) == 1
    assert "nueva-direccion@example.org" in signed_in.get(PAGE).content.decode()


def test_losing_the_shared_cache_signs_nobody_out(signed_in):
    user_queries(signed_in)
    cache.clear()  # Redis restarted: the sessions are read from the database again
    status, _queries = user_queries(signed_in)
    assert status == 200
