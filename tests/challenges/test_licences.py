"""Licences written as free text, read as the Hub's ids; which are permissive."""

import pytest

from challenges.licences import HUB_LICENSES, is_permissive, normalize_license


@pytest.mark.parametrize(
    ("text", "license_id"),
    [
        ("CC BY-NC 4.0", "cc-by-nc-4.0"),
        ("cc-by-nc", "cc-by-nc-4.0"),
        ("CC-BY-NC-4.0", "cc-by-nc-4.0"),
        ("Creative Commons Attribution-NonCommercial 4.0 International", "cc-by-nc-4.0"),
        ("CC BY-NC-SA 4.0", "cc-by-nc-sa-4.0"),
        ("cc by nc nd", "cc-by-nc-nd-4.0"),
        ("CC BY-ND", "cc-by-nd-4.0"),
        ("CC BY 4.0", "cc-by-4.0"),
        ("CC-BY-SA", "cc-by-sa-4.0"),
        ("CC0", "cc0-1.0"),
        ("CC0 1.0", "cc0-1.0"),
        ("Apache 2.0", "apache-2.0"),
        ("Apache License 2.0", "apache-2.0"),
        ("apache-2.0", "apache-2.0"),
        ("MIT", "mit"),
        (" Unknown ", "unknown"),
        ("desconocida", "unknown"),
        ("Desconhecida", "unknown"),
        ("", "unknown"),
    ],
)
def test_a_written_licence_is_read_as_the_hubs_id(text, license_id):
    assert normalize_license(text) == license_id


@pytest.mark.parametrize(
    "text",
    [
        "CC BY 3.0",  # another version is not 4.0
        "CC BY-SA-ND",  # not a licence
        "CC",  # which one?
        "GPL-3.0",
        "Apache 1.1",
        "MIT or proprietary",
        "licencia del ministerio",
        "dominio público",
    ],
)
def test_what_is_not_recognised_is_unknown_never_more_permissive(text):
    assert normalize_license(text) == "unknown"


def test_nc_nd_and_unknown_licences_are_not_permissive():
    permissive = {license_id for license_id in HUB_LICENSES if is_permissive(license_id)}
    assert permissive == {"apache-2.0", "mit", "cc0-1.0", "cc-by-4.0", "cc-by-sa-4.0", "odc-by"}
    assert not any("-nc" in license_id or "-nd" in license_id for license_id in permissive)
