import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from challenges.domain import EditionFileError, load_edition, read_edition_file
from challenges.models import Challenge, ChangeRecord, Edition

pytestmark = pytest.mark.django_db
SHIPPED = Path(__file__).resolve().parents[2] / "editions" / "somosnlp-2025.toml"


def shipped() -> dict:
    return read_edition_file(SHIPPED)


def test_the_shipped_edition_loads_every_challenge_of_the_rules():
    report = load_edition(data=shipped())
    edition = report.edition
    assert report.created
    assert edition.hub_organization == "somosnlp-hackathon-2025"
    assert (edition.team_min_size, edition.team_max_size) == (1, 5)
    assert edition.max_total_points == Decimal("10")
    assert edition.is_current
    points = dict(Challenge.objects.values_list("slug", "max_points"))
    assert points == {
        "include": Decimal("1"), "stereotypes": Decimal("1"), "blend": Decimal("2"),
        "preferences": Decimal("3"), "alignment": Decimal("3"), "demo": Decimal("0.5"),
        "video": Decimal("0.5"), "paper": Decimal("0.5"),
    }  # fmt: skip
    assert sum(points.values()) == Decimal("11.5")
    for challenge in Challenge.objects.all():
        assert challenge.title_es and challenge.title_pt and challenge.title_en
        assert challenge.scoring["rule"]


def test_days_are_read_in_anywhere_on_earth():
    load_edition(data=shipped())
    include = Challenge.objects.get(slug="include")
    # 9 April 00:00 AoE is 9 April 12:00 UTC; 31 May 23:59:59 AoE is 1 June 11:59:59 UTC.
    assert include.opens_at == dt.datetime(2025, 4, 9, 12, 0, tzinfo=dt.UTC)
    assert include.closes_at == dt.datetime(2025, 6, 1, 11, 59, 59, tzinfo=dt.UTC)
    assert include.announced_closes_at == dt.datetime(2025, 4, 22, 11, 59, 59, tzinfo=dt.UTC)
    assert Edition.objects.get().team_deadline == dt.datetime(
        2025, 5, 24, 11, 59, 59, tzinfo=dt.UTC
    )
    assert Challenge.objects.get(slug="paper").closes_at is None


def test_loading_twice_changes_nothing():
    load_edition(data=shipped())
    report = load_edition(data=shipped())
    assert not report.created and report.changes == [] and report.challenges_created == []
    assert ChangeRecord.objects.count() == 0


def test_an_edited_file_updates_and_records_each_change():
    load_edition(data=shipped())
    data = shipped()
    data["edition"]["team_max_size"] = 4
    include = data["challenges"][0]
    include["closes"] = dt.date(2025, 6, 7)
    include["scoring"]["thresholds"][0]["at"] = 150
    report = load_edition(data=data)
    changed = {(change.object_label, change.field): change for change in report.changes}
    assert set(changed) == {
        ("Hackathon SomosNLP 2025", "team_max_size"),
        ("Exámenes (INCLUDE)", "closes_at"),
        ("Exámenes (INCLUDE)", "scoring"),
    }
    size = changed[("Hackathon SomosNLP 2025", "team_max_size")]
    assert (size.old_value, size.new_value, size.source) == ("5", "4", "edition_file")
    assert size.changed_at is not None
    assert '"at": 150' in changed[("Exámenes (INCLUDE)", "scoring")].new_value
    assert Edition.objects.get().team_max_size == 4
    assert ChangeRecord.objects.count() == 3


def test_an_invalid_file_changes_nothing():
    load_edition(data=shipped())
    data = shipped()
    data["edition"]["name"] = "Renamed"
    data["challenges"][1]["closes"] = dt.date(2025, 1, 1)  # before it opens
    data["challenges"][2]["max_points"] = "many"
    data["challenges"][3]["colour"] = "blue"
    with pytest.raises(EditionFileError) as raised:
        load_edition(data=data)
    text = "\n".join(raised.value.problems)
    assert "colour" in text
    assert Edition.objects.get().name == "Hackathon SomosNLP 2025"
    assert ChangeRecord.objects.count() == 0


def test_bad_values_are_all_reported():
    data = shipped()
    data["challenges"][1]["closes"] = dt.date(2025, 1, 1)
    data["challenges"][2]["max_points"] = "many"
    data["edition"]["time_zone"] = "Mars/Olympus"
    with pytest.raises(EditionFileError) as raised:
        load_edition(data=data)
    assert "Mars/Olympus" in str(raised.value)
    data["edition"]["time_zone"] = "Etc/GMT+12"
    with pytest.raises(EditionFileError) as raised:
        load_edition(data=data)
    text = "\n".join(map(str, raised.value.problems))
    assert "closes before it opens" in text
    assert "max_points" in text
    assert not Edition.objects.exists()


def test_scoring_parameters_the_rules_cannot_read_are_refused():
    load_edition(data=shipped())
    data = shipped()
    data["challenges"][0]["scoring"]["thresholds"] = [{"at": "cien", "points": "0.5"}]
    with pytest.raises(EditionFileError) as raised:
        load_edition(data=data)
    text = "\n".join(map(str, raised.value.problems))
    assert "Threshold 1 needs “at”, a whole number of 1 or more" in text
    include = Challenge.objects.get(slug="include")
    assert include.scoring["thresholds"][0] == {"at": 100, "points": "0.5"}
    assert ChangeRecord.objects.count() == 0


def test_starting_on_moves_every_date_to_make_a_live_demo():
    load_edition(data=shipped(), starting_on=dt.date(2026, 11, 9))
    include = Challenge.objects.get(slug="include")
    assert include.opens_at == dt.datetime(2026, 11, 9, 12, 0, tzinfo=dt.UTC)
    blend = Challenge.objects.get(slug="blend")
    assert blend.opens_at == dt.datetime(2026, 11, 14, 12, 0, tzinfo=dt.UTC)


def test_the_command_reports_nothing_changed_the_second_time(capsys):
    call_command("load_edition", str(SHIPPED))
    call_command("load_edition", str(SHIPPED))
    assert "nothing changed" in capsys.readouterr().out


def test_the_command_refuses_a_broken_file_with_its_reason(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[edition\nslug = 'x'", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid TOML"):
        call_command("load_edition", str(broken))
    with pytest.raises(CommandError, match="no edition file"):
        call_command("load_edition", str(tmp_path / "missing.toml"))
    assert not Edition.objects.exists()


def test_a_challenge_missing_from_the_file_is_kept_and_reported():
    load_edition(data=shipped())
    data = shipped()
    data["challenges"] = data["challenges"][:-1]
    report = load_edition(data=data)
    assert report.not_in_file == ["paper"]
    assert Challenge.objects.filter(slug="paper").exists()


def admin_form_data(client, url) -> dict:
    """What the admin's change form would send back unchanged."""
    form = client.get(url).context["adminform"].form
    # The admin shows and reads times in the current edition's zone (AoE), as a person sees them.
    zone = Edition.objects.current().zone
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(zone)
        if hasattr(value, "isoformat"):
            data[f"{name}_0"], data[f"{name}_1"] = (
                value.strftime("%Y-%m-%d"),
                value.strftime("%H:%M:%S"),
            )
        elif isinstance(value, dict):
            import json

            data[name] = json.dumps(value)
        elif value is not None:
            data[name] = value
    return data


def test_admin_edits_are_recorded_with_who(client, organizer):
    load_edition(data=shipped())
    challenge = Challenge.objects.get(slug="stereotypes")
    client.force_login(organizer)
    url = f"/admin/challenges/challenge/{challenge.pk}/change/"
    data = admin_form_data(client, url)
    data["max_points"] = "1.5"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = ChangeRecord.objects.get()
    assert (record.field, record.old_value, record.new_value) == ("max_points", "1", "1.5")
    assert record.source == "admin" and record.changed_by == organizer


@pytest.mark.parametrize(
    ("scoring", "problem"),
    [
        ('{"rule": "steps", "step": 0, "points_per_step": "0.1"}', "“step” must be a whole number"),
        ('{"rule": "percent"}', "Unknown scoring rule “percent”"),
        ('["steps"]', "must be an object"),
    ],
)
def test_admin_refuses_scoring_parameters_the_rules_cannot_read(
    client, organizer, scoring, problem
):
    load_edition(data=shipped())
    challenge = Challenge.objects.get(slug="stereotypes")
    before = challenge.scoring
    client.force_login(organizer)
    url = f"/admin/challenges/challenge/{challenge.pk}/change/"
    data = admin_form_data(client, url)
    data["scoring"] = scoring
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert problem in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.scoring == before and ChangeRecord.objects.count() == 0


def test_the_shipped_edition_names_its_contributions_licence_citation_and_contact():
    edition = load_edition(data=shipped()).edition
    assert edition.contribution_license == "apache-2.0"
    for text in (edition.consent_text_es, edition.consent_text_pt, edition.consent_text_en):
        assert "apache-2.0" in text
    assert edition.citation.startswith("@misc{somosnlp_hackathon_2025,")
    assert "year         = {2025}" in edition.citation
    assert edition.contact == "https://somosnlp.org"


def test_a_licence_contributions_cannot_be_published_under_is_refused_and_nothing_changes():
    load_edition(data=shipped())
    data = shipped()
    data["edition"]["contribution_license"] = "cc-by-nc-4.0"
    data["edition"]["contact"] = "datos@example.org"

    with pytest.raises(EditionFileError) as refused:
        load_edition(data=data)

    assert any(
        "contribution_license" in problem and "“cc-by-nc-4.0” is not a licence" in problem
        for problem in refused.value.problems
    )
    edition = Edition.objects.get()
    assert (edition.contribution_license, edition.contact) == ("apache-2.0", "https://somosnlp.org")
    assert ChangeRecord.objects.count() == 0


def test_a_file_without_the_publishing_fields_keeps_the_defaults():
    data = shipped()
    for key in ("contribution_license", "citation", "contact"):
        del data["edition"][key]
    edition = load_edition(data=data).edition
    assert (edition.contribution_license, edition.citation, edition.contact) == (
        "apache-2.0",
        "",
        "",
    )
