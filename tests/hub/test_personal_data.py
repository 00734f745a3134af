"""The personal-data gate: the scanner, the hits organizers decide, the published copy and the
exports that apply the decisions, and the rows' provenance (stable ids, contributor keys)."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from challenges.include.models import ExamQuestion
from challenges.provenance import contributor_key, row_id
from hackathon.errors import RuleRefused
from hub.models import PersonalDataHit, PersonalDataScan, PublishedDataset
from hub.personal_data import (
    REDACTED,
    SCAN_STALE_AFTER,
    Scanner,
    decide_hits,
    mask,
    request_scan,
    scan_dataset,
    scan_edition,
)
from hub.publishing import PublishRefused, build_rows, publish_dataset, request_publication
from hub.tasks import publish_dataset_task, scan_personal_data_task
from tests.challenges.blend.factories import BlendAnswerFactory, BlendQuestionFactory
from tests.challenges.include.factories import (
    ExamFactory,
    ExamQuestionFactory,
    IncludeChallengeFactory,
)
from tests.factories import EditionFactory
from tests.hub.conftest import VALIDATED
from tests.hub.publishing_data import load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("published_dir")]

PAGE = "/organize/hub/publish/personal-data/"
Hit = PersonalDataHit


# --- the scanner ------------------------------------------------------------------------------


def found(text: str, scanner: Scanner | None = None) -> list[tuple[str, str]]:
    scanner = scanner or Scanner(names=["José Pérez"], usernames=["pepa_99"])
    return [(match.text, str(match.kind)) for match in scanner.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Escribe a j.doe+x@example.org hoy", [("j.doe+x@example.org", "email")]),
        ("Llama al +54 9 11 4567-8901.", [("+54 9 11 4567-8901", "phone")]),
        ("Tel. (011) 4567-8901", [("(011) 4567-8901", "phone")]),
        ("Celular 11 98765-4321", [("11 98765-4321", "phone")]),
        ("o al 555-1234", [("555-1234", "phone")]),
        ("Lo escribió jose perez.", [("jose perez", "name")]),
        ("Lo escribió JOSÉ PÉREZ.", [("JOSÉ PÉREZ", "name")]),
        # typed with the accent apart (NFD): found, and given back composed
        ("Lo escribió Jose\u0301 Pe\u0301rez.", [("José Pérez", "name")]),
        ("Subido por Pepa_99", [("Pepa_99", "username")]),
    ],
)
def test_the_scanner_finds_emails_phones_and_participants(text, expected):
    assert found(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Pregunta 12 del examen de 2023",
        "Entre 1990-2000 y en 1821",
        "Fecha: 2024-01-15, o 15/01/2024",
        "Lima tenía 1.234.567 habitantes; 3.14159",
        "Pérez fue presidente; José también",  # one word of the name only
        "Pepa no vino",  # a part of a username is not the username
    ],
)
def test_the_scanner_leaves_years_numbers_and_common_words(text):
    assert found(text) == []


def test_a_name_registered_without_accents_is_found_with_them():
    scanner = Scanner(names=["Joao Conceicao"], usernames=["Lúcia.Dev"])
    assert found("Enviado por João Conceição", scanner) == [("João Conceição", "name")]
    assert found("de lucia.dev y LUCÍA.DEV", scanner) == [
        ("lucia.dev", "username"),
        ("LUCÍA.DEV", "username"),
    ]


def test_short_names_and_usernames_are_not_looked_for():
    scanner = Scanner(names=["Maria", "Ana Lu"], usernames=["ana", "luz"])

    assert found("Maria y ana y luz", scanner) == []
    assert found("dijo ana lu", scanner) == [("ana lu", "name")]


def test_what_organizers_see_is_masked():
    assert mask("j.doe@example.org", Hit.MatchKind.EMAIL) == "j***@example.org"
    assert mask("+54 9 11 4567-8901", Hit.MatchKind.PHONE) == "***01"
    assert mask("José Pérez", Hit.MatchKind.NAME) == "J*** P***"


# --- hits, decisions and the published copy ---------------------------------------------------


@pytest.fixture
def planted(edition, collected, authors):
    """An accepted question whose exam's source names its author and gives an email, and a
    validated BLEND answer with an email."""
    author = authors[0]
    author.profile.display_name = "José Pérez"
    author.profile.save()
    exam = ExamFactory(
        challenge=collected["include"],
        author=author,
        source="Copiado por jose perez, escribir a jperez@example.org",
        license="Apache 2.0",  # in the default config, beside the other permissive rows
    )
    question = ExamQuestionFactory(exam=exam, status=VALIDATED, question="¿Año 1535?")
    answer = BlendAnswerFactory(
        question=BlendQuestionFactory(challenge=collected["blend"]),
        status=VALIDATED,
        answer_1="Pregúntale a ana@example.org",
    )
    return {"question": question, "answer": answer}


def hits(kind: str) -> list[tuple[int, str, str, str]]:
    return sorted(
        Hit.objects.filter(kind=kind).values_list("item_id", "field", "matched", "match_kind")
    )


def test_a_scan_records_each_match_once(edition, planted):
    reports = {report.kind: report for report in scan_edition(edition=edition)}

    question, answer = planted["question"], planted["answer"]
    assert hits("include") == [
        (question.pk, "source", "jose perez", "name"),
        (question.pk, "source", "jperez@example.org", "email"),
    ]
    assert hits("blend") == [(answer.pk, "answer_1", "ana@example.org", "email")]
    assert (reports["include"].pending, reports["blend"].pending) == (2, 1)
    assert reports["stereotypes"].found == reports["preferences"].found == 0
    # Scanning again changes nothing; decisions already made are kept.
    Hit.objects.filter(kind="blend").update(decision=Hit.Decision.KEEP)
    scan_edition(edition=edition)
    assert Hit.objects.count() == 3
    assert Hit.objects.get(kind="blend").decision == Hit.Decision.KEEP


def test_a_hit_no_longer_found_is_removed(edition, planted):
    scan_dataset(edition=edition, kind="blend")
    planted["answer"].answer_1 = "Sin correo"
    planted["answer"].save()

    assert scan_dataset(edition=edition, kind="blend").found == 0
    assert not Hit.objects.filter(kind="blend").exists()


def test_publishing_is_refused_while_hits_are_pending(edition, planted, organizer):
    with pytest.raises(PublishRefused) as refused:
        publish_dataset(edition=edition, kind="include", by=organizer)
    assert refused.value.message == (
        "“accepted INCLUDE questions” cannot be published yet: 2 possible pieces of personal "
        "data are waiting for a decision (redact them, exclude their rows, or keep them)."
    )
    # Asking for a publication reads the last scan (the task scans again before publishing).
    request_publication(edition=edition, kind="blend", by=organizer, enqueue=lambda pk: None)
    PublishedDataset.objects.all().delete()
    scan_dataset(edition=edition, kind="blend")
    with pytest.raises(PublishRefused, match="1 possible piece of personal data is waiting"):
        request_publication(edition=edition, kind="blend", by=organizer, enqueue=print)
    assert not PublishedDataset.objects.exists()


def test_a_queued_publication_fails_when_its_scan_finds_something(edition, planted, organizer):
    queued = PublishedDataset.objects.create(
        edition=edition, kind="blend", status=PublishedDataset.Status.QUEUED
    )

    publish_dataset_task(queued.pk)

    queued.refresh_from_db()
    assert queued.status == PublishedDataset.Status.FAILED
    assert "1 possible piece of personal data is waiting" in queued.error


def test_redacted_matches_and_excluded_rows_in_the_published_copy(
    edition, planted, organizer, published_dir, tmp_path
):
    scan_edition(edition=edition)
    email = Hit.objects.get(kind="include", match_kind="email")
    name = Hit.objects.get(kind="include", match_kind="name")
    decide_hits(edition=edition, ids=[email.pk], decision=Hit.Decision.REDACT, by=organizer)
    decide_hits(edition=edition, ids=[name.pk], decision=Hit.Decision.KEEP, by=organizer)
    blend = Hit.objects.get(kind="blend")
    assert (
        decide_hits(edition=edition, ids=[blend.pk], decision=Hit.Decision.EXCLUDE, by=organizer)
        == 1
    )

    publish_dataset(edition=edition, kind="include", by=organizer)
    publish_dataset(edition=edition, kind="blend", by=organizer)

    include = load(published_dir / edition.slug / "include", tmp_path)
    planted_id = row_id(edition_slug=edition.slug, kind="include", pk=planted["question"].pk)
    [row] = [row for row in include if row["id"] == planted_id]
    assert row["source"] == f"Copiado por jose perez, escribir a {REDACTED}"
    question = ExamQuestion.objects.get(pk=planted["question"].pk)
    assert "jperez@example.org" in question.exam.source  # the contribution is unchanged
    blend_ids = [row["id"] for row in build_rows(edition=edition, kind="blend")]
    assert row_id(edition_slug=edition.slug, kind="blend", pk=planted["answer"].pk) not in blend_ids
    assert len(blend_ids) == 1
    decided = Hit.objects.get(pk=email.pk)
    assert (decided.decided_by, decided.decided_at is not None) == (organizer, True)


def test_an_unknown_decision_is_refused(edition, planted, organizer):
    scan_edition(edition=edition)

    with pytest.raises(RuleRefused, match="is not a decision"):
        decide_hits(edition=edition, ids=[Hit.objects.first().pk], decision="x", by=organizer)
    assert not Hit.objects.exclude(decision=Hit.Decision.PENDING).exists()


def test_the_exports_redact_what_the_scanner_finds(client, edition, planted, organizer):
    client.force_login(organizer)
    challenge = planted["answer"].challenge

    response = client.get(f"/organize/{challenge.slug}/export.jsonl")

    lines = [json.loads(line) for line in b"".join(response.streaming_content).splitlines()]
    [line] = [line for line in lines if line["id"] == planted["answer"].pk]
    assert line["answer_1"] == f"Pregúntale a {REDACTED}"
    assert "ana@example.org" not in json.dumps(lines)


# --- provenance -------------------------------------------------------------------------------


def test_the_ids_are_the_same_on_a_republish(edition, collected, organizer, tmp_path):
    for kind in ("include", "blend", "stereotypes", "preferences"):
        first = publish_dataset(edition=edition, kind=kind, folder=tmp_path / kind / "1")
        second = publish_dataset(edition=edition, kind=kind, folder=tmp_path / kind / "2")
        ids = [row["id"] for row in load(tmp_path / kind / "1", tmp_path)]
        assert ids == [row["id"] for row in load(tmp_path / kind / "2", tmp_path)]
        assert first.content_hash == second.content_hash
        assert all(value.startswith(f"{edition.slug}-{kind}-") for value in ids)


def test_the_contributor_key_is_one_per_person_and_edition(edition, collected, authors):
    author = authors[0]
    keys = {
        kind: {row["contributor"] for row in build_rows(edition=edition, kind=kind)}
        for kind in ("include", "blend", "stereotypes", "preferences")
    }
    expected = contributor_key(salt=edition.dataset_salt, author_id=author.pk)
    assert keys == dict.fromkeys(keys, {expected})
    assert str(author.pk) not in expected and len(expected) == 32
    # The same person in another edition: another key.
    other = EditionFactory(slug="otra", is_current=False)
    ExamQuestionFactory(
        exam=ExamFactory(challenge=IncludeChallengeFactory(edition=other), author=author),
        status=VALIDATED,
    )
    [row] = build_rows(edition=other, kind="include")
    assert row["contributor"] != expected
    assert other.dataset_salt != edition.dataset_salt


def test_include_rows_keep_their_exam_and_status(edition, collected):
    [row] = build_rows(edition=edition, kind="include")
    question = ExamQuestion.objects.get(challenge=collected["include"], status=VALIDATED)

    assert row["exam"] == f"{edition.slug}-exam-{question.exam_id}"
    assert row["status"] == "validated"
    assert row["id"] == f"{edition.slug}-include-{question.pk}"


# --- the organizers' page ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", "login"),
        ("participant", 403),
        ("judge", 403),
        ("other_team_member", 403),
        ("organizer", 200),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_permission_matrix(
    client, edition, planted, request, role, expected, method, django_capture_on_commit_callbacks
):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(client, method)(PAGE, {"scan": "1"} if method == "post" else None)

    if expected == "login":
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif method == "post" and expected == 200:
        assert response.status_code == 302 and response["Location"] == PAGE
    else:
        assert response.status_code == expected
    assert Hit.objects.exists() == (method == "post" and role == "organizer")


def test_the_page_shows_each_hit_masked_and_organizers_decide(
    client, edition, planted, organizer, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(PAGE, {"scan": "1"})
    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert "3 matches wait for a decision." in content
    assert 'id="scan-progress"' in content and "hx-get" not in content  # done: no polling
    assert "j***@example.org" in content and "a***@example.org" in content
    assert "jperez@example.org" not in content
    question_row = row_id(edition_slug=edition.slug, kind="include", pk=planted["question"].pk)
    assert question_row in content and "<code>source</code>" in content
    ids = [str(pk) for pk in Hit.objects.filter(kind="include").values_list("pk", flat=True)]

    response = client.post(PAGE, {"hit": ids, "decision": "redact"}, follow=True)

    assert set(Hit.objects.values_list("kind", "decision")) == {
        ("include", "redact"),
        ("blend", "pending"),
    }
    pending = client.get(PAGE, {"decision": "pending"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "a***@example.org" in pending.content.decode()
    assert "j***@example.org" not in pending.content.decode()


def test_a_bad_decision_on_the_page_says_why(client, edition, planted, organizer):
    client.force_login(organizer)
    scan_edition(edition=edition)

    response = client.post(
        PAGE, {"hit": [Hit.objects.first().pk], "decision": "x"}, follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )  # fmt: skip

    assert "is not a decision" in response.content.decode()
    assert not Hit.objects.exclude(decision=Hit.Decision.PENDING).exists()


def make_hits(edition, count: int, start: int = 0) -> None:
    for index in range(start, start + count):
        Hit.objects.create(
            edition=edition,
            kind="blend",
            item_id=1000 + index,
            field="answer_1",
            matched=f"p{index}@example.org",
            match_kind=Hit.MatchKind.EMAIL,
        )


def test_the_page_query_count_is_constant(client, edition, organizer, django_assert_num_queries):
    client.force_login(organizer)
    make_hits(edition, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(PAGE).status_code == 200
    make_hits(edition, 2, start=1)
    with django_assert_num_queries(len(one)):
        response = client.get(PAGE)
    assert response.content.decode().count('name="hit"') == 3


# --- the scan as a Celery task, its progress on the page --------------------------------------


def test_a_scan_is_queued_once_and_the_task_records_its_progress(
    client, edition, planted, organizer, monkeypatch, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(organizer)
    queued = []
    with django_capture_on_commit_callbacks(execute=True):
        first = request_scan(edition=edition, by=organizer, enqueue=queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        again = request_scan(edition=edition, by=organizer, enqueue=queued.append)
    assert again.pk == first.pk and first.status == PersonalDataScan.Status.QUEUED
    assert queued == [first.pk]  # sent once, when committed
    # While it waits, the page polls its progress (an htmx partial), and publishing waits.
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'hx-get="/organize/hub/publish/personal-data/"' in page and "disabled" in page
    partial = client.get(PAGE, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="en")
    assert partial.status_code == 200
    assert partial.content.decode().lstrip().startswith('<section id="scan-progress"')
    assert not Hit.objects.exists()

    seen = []
    original = PersonalDataScan.save

    def watch(self, *args, **kwargs):
        seen.append((self.status, self.datasets_done, self.rows_scanned))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(PersonalDataScan, "save", watch)
    scan_personal_data_task(queued[0])
    monkeypatch.undo()

    scan = PersonalDataScan.objects.get()
    assert scan.status == PersonalDataScan.Status.DONE and scan.finished_at
    assert (scan.datasets_done, scan.datasets_total) == (4, 4)
    assert scan.rows_scanned >= 4 and (scan.found, scan.pending) == (3, 3)
    # The progress was saved as it went: dataset after dataset, rows read growing.
    done = [datasets for _status, datasets, _rows in seen]
    rows = [read for _status, _datasets, read in seen]
    assert done == sorted(done) and sorted(set(done)) == [0, 1, 2, 3, 4]
    assert rows == sorted(rows) and len(set(rows)) > 1
    assert Hit.objects.count() == 3
    # Finished: the poll asks for the whole page again, which shows the hits.
    finished = client.get(PAGE, HTTP_HX_REQUEST="true")
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"
    # Run again, the task leaves a finished scan alone.
    scan_personal_data_task(scan.pk)
    assert PersonalDataScan.objects.get().finished_at == scan.finished_at
    with translation.override("en"), pytest.raises(PublishRefused, match="waiting for a decision"):
        publish_dataset(edition=edition, kind="blend", folder=tmp_path / "out")


def test_a_scan_cut_off_is_replaced(edition, organizer):
    stale = PersonalDataScan.objects.create(
        edition=edition, status=PersonalDataScan.Status.RUNNING, datasets_total=4
    )
    PersonalDataScan.objects.filter(pk=stale.pk).update(
        heartbeat_at=timezone.now() - SCAN_STALE_AFTER - dt.timedelta(minutes=1)
    )
    fresh = request_scan(edition=edition, by=organizer, enqueue=lambda pk: None)
    assert fresh.pk != stale.pk
    stale.refresh_from_db()
    assert stale.status == PersonalDataScan.Status.FAILED and stale.error
