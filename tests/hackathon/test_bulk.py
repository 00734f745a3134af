"""Loading plain rows by COPY (hackathon.bulk.copy_rows): what is stored is what was given, the
fields not given as their defaults would make them."""

import pytest

from accounts.models import Consent
from challenges.models import ReviewDecision
from challenges.stereotypes.models import StereotypeRating
from hackathon.bulk import copy_rows, reserve_ids
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
