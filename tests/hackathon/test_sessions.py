"""Sessions (hackathon.sessions) are read from this process's copy while Redis has not said
they changed: a change by anyone (signing out elsewhere, a message, an expiry) is read on the
next request, each request gets a copy of its own, and a session Redis lost is read from the
database."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from hackathon.sessions import SessionStore
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PAGE = "/profile/"  # for signed-in people only
tracked = pytest.mark.skipif(
    not hasattr(cache, "get_tracked_copy"),
    reason="needs Redis (REDIS_URL), the cache production shares",
)


@pytest.fixture
def signed_in():
    person = UserFactory(password="a-long-password-1")
    client = Client()
    assert client.login(email=person.email, password="a-long-password-1")
    assert client.get(PAGE).status_code == 200  # the session is now this process's
    return client


def session_key(client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_session_ended_elsewhere_is_ended_on_the_next_request(signed_in):
    SessionStore(session_key(signed_in)).delete()  # signed out in another process
    response = signed_in.get(PAGE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_change_made_elsewhere_is_read_on_the_next_request(signed_in):
    store = SessionStore(session_key(signed_in))
    store["_language_hint"] = "pt"
    store.save()
    assert SessionStore(session_key(signed_in)).load()["_language_hint"] == "pt"


def test_each_read_is_a_copy_of_its_own(signed_in):
    first = SessionStore(session_key(signed_in)).load()
    first["changed_but_not_saved"] = ["in", "place"]
    again = SessionStore(session_key(signed_in)).load()
    assert "changed_but_not_saved" not in again


def test_a_session_the_cache_lost_is_read_from_the_database(signed_in):
    cache.clear()
    assert signed_in.get(PAGE).status_code == 200
    assert Session.objects.filter(session_key=session_key(signed_in)).exists()


@tracked
def test_an_unchanged_session_costs_no_round_trip_to_redis(signed_in, monkeypatch):
    SessionStore(session_key(signed_in)).load()
    asked = []
    client = cache._cache.get_client()
    monkeypatch.setattr(type(client), "get", lambda *args, **kwargs: asked.append(args))
    assert SessionStore(session_key(signed_in)).load()
    assert asked == []
