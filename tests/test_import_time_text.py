"""Text formatted when a module loads is frozen in the language active then: the upload help
text stayed Spanish on English and Portuguese pages. None is formatted at import time."""

import ast
from pathlib import Path

from django.utils import translation

from challenges.include.forms import QuestionUploadForm

ROOT = Path(__file__).resolve().parents[1]
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}


def formatted_at_import(tree: ast.AST) -> list[int]:
    """Lines where a translated text is %-formatted or .format()-ed outside any function."""
    found = []

    def translated(node) -> bool:
        return isinstance(node, ast.Call) and getattr(node.func, "id", "") in GETTEXT_NAMES

    def visit(node, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
            )
            if not inside:
                if (
                    isinstance(child, ast.BinOp)
                    and isinstance(child.op, ast.Mod)
                    and translated(child.left)
                ):
                    found.append(child.lineno)
                if (
                    isinstance(child, ast.Call)
                    and isinstance(child.func, ast.Attribute)
                    and child.func.attr == "format"
                    and translated(child.func.value)
                ):
                    found.append(child.lineno)
            visit(child, inside)

    visit(tree, False)
    return found


def test_no_translated_text_is_formatted_when_a_module_loads():
    offenders = []
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {".venv", "tests", "migrations", "node_modules"}:
            continue
        for line in formatted_at_import(ast.parse(path.read_text(encoding="utf-8"))):
            offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert offenders == []


def test_the_check_finds_what_it_looks_for():
    tree = ast.parse('HELP = _("up to %(n)s") % {"n": 1}\ndef f():\n    return _("x %s") % 1\n')
    assert formatted_at_import(tree) == [1]


def test_the_upload_help_text_follows_the_page_language():
    texts = {}
    for code in ("en", "pt", "es"):
        with translation.override(code):
            texts[code] = str(QuestionUploadForm().fields["file"].help_text)
    assert texts["en"].startswith("JSON, JSON Lines or CSV, up to")
    assert texts["en"] != texts["es"] and texts["pt"] != texts["es"]
