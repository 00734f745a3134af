"""Stereotype pairs equal once folded are duplicates; the fingerprints' migration."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.files.uploadedfile import SimpleUploadedFile

from challenges.stereotypes import domain
from challenges.stereotypes.models import StereotypePair
from challenges.text import fingerprint, normalize
from tests.challenges.stereotypes.factories import PairFactory

pytestmark = pytest.mark.django_db


def upload(*rows):
    text = "\n".join(["id,language,nationality,attribute", *rows]) + "\n"
    return SimpleUploadedFile("pairs.csv", text.encode("utf-8"))


def test_variants_of_a_pair_are_left_out(challenge):
    domain.import_pairs(challenge=challenge, upload=upload("p1,es,peruanos,amables"))
    report = domain.import_pairs(
        challenge=challenge,
        upload=upload("p2,es,peru\u200banos,amables", "p3,es,PERUANOS,\u200famables\u200e"),
    )
    assert (report.stored, report.skipped.total) == (0, 2)
    assert StereotypePair.objects.count() == 1


def test_the_migration_recomputes_pair_fingerprints_and_keys(challenge):
    migration = importlib.import_module("challenges.stereotypes.migrations.0002_fingerprints")
    first = PairFactory(
        challenge=challenge, language="es", nationality="peruanos", attribute="amables"
    )
    copy = PairFactory(
        challenge=challenge, language="es", nationality="chilenos", attribute="amables"
    )
    # As stored before: a copy with a zero-width space had a fingerprint of its own.
    StereotypePair.objects.filter(pk=first.pk).update(fingerprint="old-1", nationality_key="old")
    StereotypePair.objects.filter(pk=copy.pk).update(
        nationality="peru\u200banos", fingerprint="old-2", nationality_key="old"
    )
    migration.refingerprint_pairs(django_apps, None)
    rows = dict(StereotypePair.objects.values_list("pk", "fingerprint"))
    assert rows == {
        first.pk: fingerprint("es", "peruanos", "amables"),
        copy.pk: f"duplicate:{copy.pk}",
    }
    assert set(StereotypePair.objects.values_list("nationality_key", flat=True)) == {
        normalize("peruanos")
    }
