"""Loading plain rows by COPY (hackathon.bulk.copy_rows): what is stored is what was given, the
fields not given as their defaults would make them."""

import pytest

from accounts.models import Consent
from challenges.models import ReviewDecision
from challenges.stereotypes.models import StereotypeRating
from hackathon.bulk import copy_rows, indexes_built_after, reserve_ids
from tests.challenges.stereotypes.factories import StereotypesChallengeFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def challenge(edition):
    return StereotypesChallengeFactory(edition=edition)


def test_copy_rows_stores_texts_json_booleans_and_missing_values(challenge):
    from challenges.stereotypes.models import StereotypePair

    author = UserFactory()
    pair = StereotypePair.objects.create(
        challenge=challenge, external_id="p-1", language="es", nationality="peruanos",
        attribute="amables", nationality_key="peruanos", fingerprint="f" * 64,
    )  # fmt: skip
    fields = ("challenge_id", "author_id", "pair_id", "status", "skipped", "rating",
              "extra_attribute", "other_nationalities", "decision_reason")  # fmt: skip
    sent = copy_rows(
        StereotypeRating,
        fields,
        [(challenge.pk, author.pk, pair.pk, "validated", False, 4, "tab\there \\ and\nline",
          ["chilenos", "ñandúes \"x\""], "")],
    )  # fmt: skip
    assert sent == 1
    rating = StereotypeRating.objects.get()
    assert (rating.rating, rating.skipped, rating.status) == (4, False, "validated")
    assert rating.extra_attribute == "tab\there \\ and\nline"
    assert rating.other_nationalities == ["chilenos", 'ñandúes "x"']
    # Not given: defaults, and the moments auto_now fields take.
    assert rating.region == "" and rating.own_nationality is False
    assert rating.created_at is not None and rating.decided_at is None


def test_copy_rows_calls_a_callable_default_for_each_row(edition):
    people = UserFactory.create_batch(2)
    copy_rows(Consent, ("user_id", "edition_id", "version"),
              [(person.pk, edition.pk, "v1") for person in people])  # fmt: skip
    assert Consent.objects.filter(accepted_at__isnull=False).count() == 2


def test_copy_rows_with_reserved_ids_and_conflicts_left_out(challenge):
    first, second = reserve_ids(ReviewDecision, 2)
    assert second == first + 1
    rows = [(first, challenge.pk, "blend.blendanswer", 7, "validated", "")]
    fields = ("id", "challenge_id", "item_type", "item_id", "status", "reason")
    copy_rows(ReviewDecision, fields, rows)
    copy_rows(ReviewDecision, fields, [*rows, (second, challenge.pk, "blend.blendanswer", 8,
              "rejected", "no")], ignore_conflicts=True)  # fmt: skip
    assert list(ReviewDecision.objects.order_by("pk").values_list("pk", "item_id")) == [
        (first, 7),
        (second, 8),
    ]


def _definitions(table: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s UNION ALL"
            " SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass ORDER BY 1",
            [table, table],
        )
        return [row[0] for row in cursor.fetchall()]


def test_indexes_built_after_a_load_are_the_ones_before(challenge):
    table = ReviewDecision._meta.db_table
    before = _definitions(table)
    with indexes_built_after(ReviewDecision, rows=1, from_rows=1):
        loading = _definitions(table)  # the primary key's index alone, no foreign key
        assert [d for d in loading if d.startswith("CREATE")] == [
            d for d in before if d.startswith("CREATE UNIQUE INDEX challenges_reviewdecision_pkey")
        ]
        assert not [d for d in loading if "FOREIGN KEY" in d]
        copy_rows(ReviewDecision, ("challenge_id", "item_type", "item_id", "status", "reason"),
                  [(challenge.pk, "blend.blendanswer", n, "validated", "") for n in range(3)])  # fmt: skip
    assert _definitions(table) == before
    assert ReviewDecision.objects.filter(challenge=challenge).count() == 3


def test_a_key_pointing_nowhere_fails_when_the_keys_come_back(challenge):
    from django.db import IntegrityError, transaction

    fields = ("challenge_id", "item_type", "item_id", "status", "reason")
    with pytest.raises(IntegrityError), transaction.atomic():
        with indexes_built_after(ReviewDecision, rows=1, from_rows=1):
            copy_rows(ReviewDecision, fields, [(challenge.pk + 1000, "x.y", 1, "validated", "")])
    assert not ReviewDecision.objects.exists()
    assert len(_definitions(ReviewDecision._meta.db_table)) > 1


def test_copy_rows_refuses_a_row_of_the_wrong_length_and_stores_none(challenge):
    from django.db import transaction

    fields = ("challenge_id", "item_type", "item_id", "status", "reason")
    good = (challenge.pk, "blend.blendanswer", 1, "validated", "")
    with pytest.raises(ValueError), transaction.atomic():
        copy_rows(ReviewDecision, fields, [good] * 5 + [(challenge.pk, "x.y", 2)])
    assert not ReviewDecision.objects.exists()


def test_copy_rows_streams_many_rows_in_order(challenge):
    fields = ("challenge_id", "item_type", "item_id", "status", "reason")
    rows = (
        (challenge.pk, "blend.blendanswer", n, "validated", "é" * (n % 7)) for n in range(30_000)
    )
    assert copy_rows(ReviewDecision, fields, rows) == 30_000
    stored = list(ReviewDecision.objects.order_by("pk").values_list("item_id", "reason"))
    assert stored == [(n, "é" * (n % 7)) for n in range(30_000)]
