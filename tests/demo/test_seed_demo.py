import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from accounts.models import Consent, User
from teams.models import Membership, Team

pytestmark = pytest.mark.django_db


def test_seed_demo_fills_the_edition_once(edition):
    call_command("seed_demo", teams=4, participants=10)
    call_command("seed_demo", teams=4, participants=10)
    assert User.objects.count() == 10
    assert Team.objects.count() == 4
    sizes = Team.objects.annotate(size=Count("memberships")).values_list("size", flat=True)
    assert all(edition.team_min_size <= size <= edition.team_max_size for size in sizes)
    assert Membership.objects.filter(role="captain").count() == 4
    assert Consent.objects.filter(version=edition.consent_version).count() == 10


def test_seed_demo_needs_an_edition(db):
    with pytest.raises(CommandError, match="load_edition"):
        call_command("seed_demo", teams=1, participants=1)


def test_seed_demo_spreads_items_over_the_challenges(db):
    from pathlib import Path

    from challenges.intake import REGISTRY

    edition_file = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"
    call_command("load_edition", str(edition_file))
    call_command("seed_demo", teams=3, participants=12, items=200)
    stored = {kind: intake.model.objects.count() for kind, intake in REGISTRY.items()}
    assert set(stored) == {"include", "stereotypes", "blend", "preferences"}
    assert all(count > 0 for count in stored.values()), stored
    assert sum(stored.values()) >= 180
    from scoring.models import TeamScore

    assert TeamScore.objects.exists()


def test_demo_people_can_sign_in_at_once(edition, client):
    call_command("seed_demo", teams=1, participants=2)
    response = client.post(
        "/accounts/login/", {"login": "demo-1@example.org", "password": "demo-participant"}
    )
    assert response.status_code == 302
    assert client.get("/profile/").status_code == 200
