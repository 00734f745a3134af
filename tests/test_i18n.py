"""Every user-facing string is translated into Spanish and Portuguese."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[1] / "locale"
# {% translate "..." %} or {% translate '...' %}: the text runs to the same quote that opened it.
TRANSLATE_TAG = re.compile(r"""{% (?:translate|trans) (["'])(.*?)\1""")


def read_msgids(catalog: str) -> list[str]:
    """The msgids of a .po file, with their continuation lines joined."""
    msgids, current = [], None
    for line in catalog.splitlines():
        if line.startswith('msgid "'):
            current = [line[7:-1]]
        elif current is not None and line.startswith('"'):
            current.append(line[1:-1])
        elif current is not None:
            msgids.append("".join(current).replace('\\"', '"'))
            current = None
    return msgids


def msgfmt_statistics(catalog: Path) -> str:
    """msgfmt's check of a catalog (it must pass) and its statistics line."""
    if shutil.which("msgfmt") is None:
        pytest.skip("needs GNU gettext's msgfmt")
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(catalog)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


@pytest.mark.parametrize("language", ["es", "pt", "en"])
def test_catalog_is_complete(language):
    statistics = msgfmt_statistics(LOCALE / language / "LC_MESSAGES" / "django.po")
    translated = (
        int(re.search(r"(\d+) translated", statistics).group(1))
        if "translated" in statistics
        else 0
    )
    assert "fuzzy" not in statistics, statistics
    if language != "en":  # English is the source language: an empty msgstr means "as written".
        assert "untranslated" not in statistics, statistics
        assert translated > 300


def test_every_template_and_python_string_is_in_the_catalog(tmp_path):
    """The catalogs were regenerated after the last text change (makemessages finds nothing new)."""
    if shutil.which("xgettext") is None:
        pytest.skip("needs GNU gettext's xgettext")
    catalog = (LOCALE / "es" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    known = set(read_msgids(catalog))
    root = LOCALE.parent
    sources = [
        path
        for path in root.glob("**/templates/**/*.html")
        if not {".venv", "staticfiles", "node_modules"} & set(path.parts)
    ]
    missing = []
    for source in sources:
        for _quote, text in TRANSLATE_TAG.findall(source.read_text(encoding="utf-8")):
            if text not in known:
                missing.append(f"{source.relative_to(root)}: {text}")
    assert not missing, "Run makemessages and translate:\n" + "\n".join(missing)


OVERRIDES = LOCALE.parent / "locale_overrides"


@pytest.mark.parametrize("language", ["es", "pt"])
def test_the_allauth_overrides_are_complete_and_still_allauths_or_djangos_msgids(language):
    """locale_overrides/ is hand-maintained: every entry is translated, and names a msgid the
    installed allauth or Django still has (one they renamed would silently stop applying)."""
    import allauth
    import django

    catalog = OVERRIDES / language / "LC_MESSAGES" / "django.po"
    statistics = msgfmt_statistics(catalog)
    assert "fuzzy" not in statistics and "untranslated" not in statistics, statistics
    theirs = set()
    for package in (allauth, django):
        root = Path(package.__file__).parent
        for source in root.glob("**/locale/es/LC_MESSAGES/django.po"):
            theirs |= set(read_msgids(source.read_text(encoding="utf-8")))
    ours = [m for m in read_msgids(catalog.read_text(encoding="utf-8")) if m]
    assert len(ours) > 200
    assert [m for m in ours if m not in theirs] == []
