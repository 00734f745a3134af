"""Bodies over the limit are refused before they are read, and Django's own limits on what it
reads (text fields, fields, files) get the same translated page naming the limit."""

import socket

import pytest
from django.conf import settings

from challenges.projects.models import PAPER_MAX_BYTES
from challenges.uploads import MAX_UPLOAD_BYTES

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TWO_HUNDRED_MB = 200 * 1024 * 1024


def test_the_limit_is_above_the_largest_upload_and_its_form():
    assert settings.MAX_REQUEST_BYTES > max(PAPER_MAX_BYTES, MAX_UPLOAD_BYTES)
    assert settings.MAX_REQUEST_BYTES <= max(PAPER_MAX_BYTES, MAX_UPLOAD_BYTES) + 2 * 1024 * 1024


def test_a_body_declared_over_the_limit_is_refused_without_reading_it(client):
    # The payload has 3 bytes: reading more than that would raise in the test client.
    response = client.generic(
        "POST",
        LOGIN,
        b"a=b",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(TWO_HUNDRED_MB),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    assert response.templates[0].name == "413.html"
    assert "The limit is 21.0\xa0MB." in response.content.decode()


def test_a_body_at_the_limit_goes_through(client, settings):
    settings.MAX_REQUEST_BYTES = 10
    response = client.generic(
        "POST", LOGIN, b"login=abcd", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code != 413


def test_the_refusal_is_in_the_visitors_language(client):
    response = client.generic(
        "POST", LOGIN, b"a=b", CONTENT_LENGTH=str(TWO_HUNDRED_MB), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 413
    assert '<html lang="es">' in response.content.decode()
    assert "21,0\xa0MB" in response.content.decode()


def test_a_text_field_over_djangos_limit_gets_the_page_naming_it(client):
    response = client.post(
        LOGIN, {"login": "x" * (3 * 1024 * 1024), "password": "p"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 413
    assert "The limit is 2.5\xa0MB of text in a form." in response.content.decode()


def test_too_many_fields_get_the_page_naming_the_limit(client):
    fields = {f"field{number}": "x" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post(LOGIN, fields, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 413
    assert "The limit is 1000 fields." in response.content.decode()


def test_another_bad_request_keeps_djangos_answer(client):
    response = client.get(LOGIN, HTTP_HOST="not allowed")
    assert response.status_code == 400
    assert "413.html" not in [template.name for template in response.templates]


def _send_raw(address: str, port: int, request: bytes) -> bytes:
    """Sends ``request`` on a real socket and returns the first bytes of the answer; a server
    still waiting for the rest of the body makes this time out."""
    with socket.create_connection((address, port), timeout=10) as connection:
        connection.sendall(request)
        return connection.recv(4096)


def test_a_real_server_answers_413_after_the_headers_alone(live_server):
    host, port = live_server.thread.host, live_server.thread.port
    answer = _send_raw(
        host,
        port,
        (
            f"POST {LOGIN} HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {TWO_HUNDRED_MB}\r\nAccept-Language: en\r\n\r\nlogin="
        ).encode(),
    )
    assert answer.startswith(b"HTTP/1.1 413 ")


def test_a_real_server_does_not_wait_for_a_chunked_body_without_a_length(live_server):
    host, port = live_server.thread.host, live_server.thread.port
    answer = _send_raw(
        host,
        port,
        (
            f"POST {LOGIN} HTTP/1.1\r\nHost: {host}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Transfer-Encoding: chunked\r\n\r\n6\r\nlogin=\r\n"  # and never the last chunk
        ).encode(),
    )
    # Nothing of the body was read: the CSRF check finds no token and refuses at once.
    assert answer.startswith(b"HTTP/1.1 403 ")
