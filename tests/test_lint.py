"""The lint is part of the suite: ``ruff check .`` passes, and every import kept inside a function
says why, with one of the reasons the project accepts (pyproject.toml, ``[tool.ruff.lint]``)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Why an import may stay inside a function: importing at module level would make two modules
# import each other; a heavy library only some code paths need; or the app registry is not
# ready yet (AppConfig.ready(), code run before the apps are loaded).
REASONS = ("circular", "slow import", "app registry")
NOQA = re.compile(r"#\s*noqa:[^#]*\bPLC0415\b(?P<rest>.*)$")
# "-- <reason>", then optionally ": <a few words>".
REASON = re.compile(r"\s*-- (?:" + "|".join(map(re.escape, REASONS)) + r")(?:: \S.*)?$")


def test_ruff_check_passes():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"ruff check . failed:\n{result.stdout}{result.stderr}"


def unexplained_inline_imports(lines: list[str]) -> list[int]:
    """The numbers (from 1) of the lines whose ``noqa: PLC0415`` gives no accepted reason."""
    return [
        number
        for number, line in enumerate(lines, start=1)
        if (found := NOQA.search(line)) and not REASON.match(found["rest"])
    ]


def app_code() -> list[Path]:
    """Every Python file of the project but the tests (and the virtualenv, caches...)."""
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not any(part.startswith(".") for part in path.relative_to(ROOT).parts)
        and path.relative_to(ROOT).parts[0] != "tests"
    )


def test_the_reason_check_tells_good_reasons_from_bad():
    lines = [
        "    from .intake import build_intake  # noqa: PLC0415 -- app registry: models",
        "    from datasets import Dataset  # noqa: PLC0415 -- slow import: datasets pulls in pyarrow",
        "    from x import y  # noqa: F401, PLC0415 -- circular",
        "    from x import y  # noqa: PLC0415",
        "    from x import y  # noqa: PLC0415 - circular",
        "    from x import y  # noqa: PLC0415 -- it is simpler",
        "    from x import y  # noqa: PLC0415 -- slow imports: no such reason",
        "    from x import y  # noqa: PLC0415 -- circular:",
    ]
    assert unexplained_inline_imports(lines) == [4, 5, 6, 7, 8]


def test_every_inline_import_says_why():
    files = app_code()
    assert any(path.name == "apps.py" for path in files), "the scan reads no app"
    wrong = [
        f"{path.relative_to(ROOT)}:{number}: {lines[number - 1].strip()}"
        for path in files
        for lines in [path.read_text().splitlines()]
        for number in unexplained_inline_imports(lines)
    ]
    assert not wrong, (
        f"an inline import needs `# noqa: PLC0415 -- <reason>`, the reason one of {REASONS}:\n"
        + "\n".join(wrong)
    )
