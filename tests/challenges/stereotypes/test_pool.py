"""Uploading the pool of pairs: all or nothing, duplicates reported, the same file twice adds
nothing; the organizers' pool page."""

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.stereotypes import domain
from challenges.stereotypes.models import StereotypePair
from challenges.uploads import UploadRejected
from tests.challenges.stereotypes.factories import PairFactory, StereotypesChallengeFactory

pytestmark = pytest.mark.django_db

SAMPLE = Path("/work/shared/samples/stereotype_pairs.csv")
SAMPLE_TEXT = (
    SAMPLE.read_text(encoding="utf-8")
    if SAMPLE.exists()
    else "id,language,nationality,attribute\np-0001,es,peruanos,amables\np-0002,es,argentinos,arrogantes\np-0003,pt,brasileiros,festeiros\n"
)


def upload(content, name="pairs.csv"):
    if isinstance(content, str):
        content = content.encode("utf-8")
    return SimpleUploadedFile(name, content)


def csv_text(*rows, header="id,language,nationality,attribute"):
    return "\n".join([header, *rows]) + "\n"


def test_the_sample_file_is_imported(challenge):
    report = domain.import_pairs(challenge=challenge, upload=upload(SAMPLE_TEXT))
    assert report.stored == 3 and report.rows == 3 and report.skipped.total == 0
    pair = StereotypePair.objects.get(external_id="p-0003")
    assert (pair.language, pair.nationality, pair.attribute) == ("pt", "brasileiros", "festeiros")
    assert pair.nationality_key == "brasileiros" and len(pair.fingerprint) == 64


def test_uploading_the_same_file_again_adds_nothing(challenge):
    domain.import_pairs(challenge=challenge, upload=upload(SAMPLE_TEXT))
    report = domain.import_pairs(challenge=challenge, upload=upload(SAMPLE_TEXT))
    assert report.stored == 0 and report.skipped.total == 3
    assert StereotypePair.objects.count() == 3


def test_json_and_json_lines_are_read(challenge):
    records = [
        {"id": 1, "language": "ES", "nationality": "Chilenos", "attribute": "serios"},
        {"id": "2", "language": "en", "nationality": "Mexicans", "attribute": "friendly"},
    ]
    report = domain.import_pairs(
        challenge=challenge, upload=upload(json.dumps(records), "pairs.json")
    )
    assert report.stored == 2
    assert StereotypePair.objects.get(external_id="1").language == "es"
    lines = "\n".join(
        json.dumps({**r, "id": f"l{r['id']}", "attribute": r["attribute"] + "!"}) for r in records
    )
    assert domain.import_pairs(challenge=challenge, upload=upload(lines, "pairs.jsonl")).stored == 2


def test_duplicates_in_the_file_and_in_the_pool_are_reported_and_left_out(challenge):
    PairFactory(
        challenge=challenge,
        external_id="old",
        language="es",
        nationality="Peruanos",
        attribute="amables",
    )
    text = csv_text(
        "a,es,argentinos,arrogantes",
        "a,es,argentinos,arrogantes",  # the same row twice
        "b,es,ARGENTINOS , Arrogantes",  # the same pair under another id
        "c,es,peruanos,amables",  # already in the pool as "old"
        "old,es,peruanos,amables",  # already in the pool, same id
        "d,es,bolivianos,alegres",
    )
    report = domain.import_pairs(challenge=challenge, upload=upload(text))
    assert report.stored == 2
    assert sorted(StereotypePair.objects.values_list("external_id", flat=True)) == ["a", "d", "old"]
    rows = sorted(item.row for item in report.skipped.shown)
    assert rows == [2, 3, 4, 5]
    messages = " ".join(item.message for item in report.skipped.shown)
    assert "Repeats row 1" in messages and "same pair as row 1" in messages and "“old”" in messages


def test_the_same_pair_in_another_challenge_is_not_a_duplicate(challenge, edition):
    other = StereotypesChallengeFactory(edition=edition, slug="otra")
    domain.import_pairs(challenge=other, upload=upload(SAMPLE_TEXT))
    assert domain.import_pairs(challenge=challenge, upload=upload(SAMPLE_TEXT)).stored == 3


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "pairs.csv", "The file is empty"),
        (csv_text("1,es,españoles,amables").encode("latin-1"), "pairs.csv", "not UTF-8"),
        (b"\xff\xfe\xfa", "pairs.csv", "not UTF-8"),
        (b'[{"id": 1,', "pairs.json", "not valid JSON"),
        (b"[1, 2]", "pairs.json", "JSON object"),
        (b"id,language,nationality,attribute\n", "pairs.csv", "no rows"),
        (csv_text("1,es,peruanos").encode(), "pairs.csv", "required"),
        (csv_text("1,es,peruanos,amables,extra").encode(), "pairs.csv", "more values"),
        (csv_text(",es,peruanos,amables").encode(), "pairs.csv", "required"),
        (csv_text("1,,peruanos,amables").encode(), "pairs.csv", "required"),
        (csv_text("1,klingon,peruanos,amables").encode(), "pairs.csv", "not a language code"),
        (csv_text("1,es,<b>peruanos</b>,amables").encode(), "pairs.csv", "HTML"),
        (csv_text(f"1,es,peruanos,{'x' * 201}").encode(), "pairs.csv", "At most 200"),
        (csv_text(f"{'i' * 101},es,peruanos,amables").encode(), "pairs.csv", "At most 100"),
        (
            csv_text("1,es,peruanos,amables", "1,es,chilenos,serios").encode(),
            "pairs.csv",
            "already used by row 1",
        ),
        (
            json.dumps(
                [{"id": 1, "language": "es", "nationality": ["x"], "attribute": "a"}]
            ).encode(),
            "p.json",
            "must be text",
        ),
    ],
)
def test_bad_files_store_nothing_and_say_why(challenge, content, name, message):
    PairFactory(challenge=challenge)
    with pytest.raises(UploadRejected) as rejected:
        domain.import_pairs(challenge=challenge, upload=upload(content, name))
    assert message in " ".join(error.message for error in rejected.value.errors.shown)
    assert StereotypePair.objects.count() == 1


def test_one_bad_row_among_good_ones_stores_nothing(challenge):
    text = csv_text("1,es,peruanos,amables", "2,es,chilenos,", "3,es,mexicanos,alegres")
    with pytest.raises(UploadRejected) as rejected:
        domain.import_pairs(challenge=challenge, upload=upload(text))
    [error] = rejected.value.errors.shown
    assert (error.row, error.field) == (2, "attribute")
    assert not StereotypePair.objects.exists()


def test_an_id_already_in_the_pool_for_another_pair_is_an_error(challenge):
    PairFactory(challenge=challenge, external_id="p-1", nationality="peruanos", attribute="amables")
    with pytest.raises(UploadRejected) as rejected:
        domain.import_pairs(
            challenge=challenge, upload=upload(csv_text("p-1,es,chilenos,serios", "p-2,es,a,b"))
        )
    assert "already in the pool for another pair" in rejected.value.errors.shown[0].message
    assert StereotypePair.objects.count() == 1


# --- the page -----------------------------------------------------------------------------------


def test_upload_from_the_page_then_the_report(client, organizer, challenge):
    client.force_login(organizer)
    response = client.post(
        f"/stereotypes/{challenge.slug}/pool/upload/",
        {"file": upload(SAMPLE_TEXT)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert (
        response.status_code == 302
        and response["Location"] == f"/stereotypes/{challenge.slug}/pool/"
    )
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "3 pairs added; 0 duplicates left out." in page
    assert "3 rows read: 3 pairs added" in page
    assert "peruanos" in page and "festeiros" in page
    client.post(
        f"/stereotypes/{challenge.slug}/pool/upload/",
        {"file": upload(SAMPLE_TEXT)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = client.get(
        f"/stereotypes/{challenge.slug}/pool/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "0 pairs added, 3 duplicates left out." in page and "Already in the pool" in page
    assert StereotypePair.objects.count() == 3
    # The report is shown once.
    page = client.get(
        f"/stereotypes/{challenge.slug}/pool/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Last upload" not in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a file to upload."),
        ({"file": upload(b"", "empty.csv")}, "The file is empty."),
        (
            {"file": upload(csv_text("1,es,peruanos,amables", "2,xx,chilenos,serios"))},
            "not a language code",
        ),
    ],
)
def test_bad_uploads_from_the_page_show_errors_and_store_nothing(
    client, organizer, challenge, data, message
):
    client.force_login(organizer)
    response = client.post(
        f"/stereotypes/{challenge.slug}/pool/upload/", data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StereotypePair.objects.exists()


def test_the_row_and_field_of_each_error_are_shown(client, organizer, challenge):
    client.force_login(organizer)
    text = csv_text("1,es,peruanos,amables", "2,es,,serios")
    response = client.post(
        f"/stereotypes/{challenge.slug}/pool/upload/",
        {"file": upload(text)},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    page = response.content.decode()
    assert "<td>2</td><td>nationality</td><td>This field is required.</td>" in page
    assert "1 error; nothing was stored." in page


def test_the_pool_page_shows_counts_search_and_an_empty_state(client, organizer, challenge):
    from tests.challenges.stereotypes.factories import RatingFactory

    client.force_login(organizer)
    page = client.get(
        f"/stereotypes/{challenge.slug}/pool/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "The pool is empty" in page
    pair = PairFactory(challenge=challenge, attribute="madrugadores")
    PairFactory(challenge=challenge, attribute="trasnochadores")
    RatingFactory.create_batch(2, pair=pair)
    response = client.get(
        f"/stereotypes/{challenge.slug}/pool/?q=madrug", HTTP_ACCEPT_LANGUAGE="en"
    )
    rows = list(response.context["page"].object_list)
    assert [row.pk for row in rows] == [pair.pk] and rows[0].validated_count == 2
    assert "trasnochadores" not in response.content.decode()
    page = client.get(
        f"/stereotypes/{challenge.slug}/pool/?q=nada", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "No pair matches this search." in page


def test_the_pool_page_is_paginated(client, organizer, challenge, settings):
    settings.PAGE_SIZE = 2
    PairFactory.create_batch(3, challenge=challenge)
    client.force_login(organizer)
    first = client.get(f"/stereotypes/{challenge.slug}/pool/")
    second = client.get(f"/stereotypes/{challenge.slug}/pool/?page=2")
    assert len(first.context["page"].object_list) == 2
    assert len(second.context["page"].object_list) == 1
