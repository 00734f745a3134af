import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_create_organizer_prints_a_working_login(edition, capsys):
    from django.test import Client

    call_command("create_organizer", "boss@example.org", password="a-long-organizer-password")
    assert "boss@example.org / a-long-organizer-password" in capsys.readouterr().out
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": "boss@example.org", "password": "a-long-organizer-password"}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/organize/").status_code == 200
