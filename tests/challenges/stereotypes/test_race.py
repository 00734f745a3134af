"""Simultaneous requests, on two real connections (PostgreSQL): double submissions are harmless."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation

from challenges.stereotypes import domain
from challenges.stereotypes.models import StereotypePair, StereotypeRating
from tests.challenges.stereotypes.factories import (
    PairFactory,
    StereotypesChallengeFactory,
    make_ready,
)
from tests.factories import EditionFactory, UserFactory

POOL = b"id,language,nationality,attribute\np-1,es,peruanos,amables\np-2,es,chilenos,serios\n"


def race(calls) -> list[str]:
    """Run each call in its own thread (own database connection), released together."""
    barrier = threading.Barrier(len(calls))
    outcomes = [""] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                call()
            outcomes[index] = "done"
        except Exception as error:  # noqa: BLE001 - the outcome is what the test reads
            outcomes[index] = f"{type(error).__name__}: {error}"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(3))
def test_a_double_submitted_rating_is_stored_once(need_postgres, attempt):
    challenge = StereotypesChallengeFactory(edition=EditionFactory())
    person = UserFactory()
    make_ready(person, challenge)
    pair = PairFactory(challenge=challenge)

    def submit():
        domain.rate_pair(challenge=challenge, user=person, pair_id=pair.pk, rating=4)

    assert race([submit, submit]) == ["done", "done"]
    assert StereotypeRating.objects.filter(author=person, pair=pair).count() == 1
    pair.refresh_from_db()
    assert pair.times_rated == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_pool_uploaded_twice_at_once_is_stored_once(need_postgres):
    challenge = StereotypesChallengeFactory(edition=EditionFactory())

    def upload():
        domain.import_pairs(challenge=challenge, upload=SimpleUploadedFile("pool.csv", POOL))

    assert race([upload, upload]) == ["done", "done"]
    assert StereotypePair.objects.filter(challenge=challenge).count() == 2
