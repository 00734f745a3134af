"""The layering of the code, read from the source with ``ast`` (nothing is imported).

Layers, bottom to top: hackathon (settings, errors, cache, config) < accounts < the challenges'
foundation (models, domain, rules, intake, uploads, exports, countries, languages, text) < teams (models, domain)
< the challenge kinds (include, blend, stereotypes, preferences, projects, arena) < hub, scoring
< judging < views
(every app's views and admin) < hackathon/urls.py; the demo app sits on top and nothing depends
on it. A lower layer never imports a higher one, and no two files import each other, even
through others. The parts of hub and scoring that serve every challenge kind alike (publishing,
imports from the Hub, the Hub's pages, the gates) read the kinds through ``challenges.intake``
only.

To add a rule, add a ``Rule`` to ``RULES``: modules matching ``importer`` may not import
modules matching ``forbidden`` (patterns are regular expressions over dotted module names;
``within`` builds one for packages and everything under them), but for the imports its
``allowed`` list names, each with its reason; an allowed import the code no longer makes fails
too, so that the list stays true.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def within(*modules: str) -> str:
    """A pattern matching these modules and every module under them."""
    return "(" + "|".join(re.escape(module) for module in modules) + r")(\..+)?"


FOUNDATION = within(
    "challenges.models",
    "challenges.domain",
    "challenges.rules",
    "challenges.intake",
    "challenges.uploads",
    "challenges.exports",
    "challenges.countries",
    "challenges.languages",
    "challenges.text",
    "challenges.near_duplicates",
    "challenges.fingerprints",
)
CHALLENGE_KINDS = within(
    "challenges.include",
    "challenges.blend",
    "challenges.stereotypes",
    "challenges.preferences",
    "challenges.projects",
    "challenges.arena",
)
VIEWS = r"(.+\.)?views(\..+)?"


@dataclass(frozen=True)
class Allowed:
    importer: str
    imported: str
    reason: str


@dataclass(frozen=True)
class Rule:
    importer: str
    forbidden: str
    reason: str
    allowed: tuple[Allowed, ...] = ()


RULES = [
    Rule(FOUNDATION, within("scoring"), "scoring builds on the challenges' foundation"),
    Rule(FOUNDATION, within("hub"), "the Hub app builds on the challenges' foundation"),
    Rule(FOUNDATION, CHALLENGE_KINDS, "each challenge kind builds on the foundation"),
    Rule(FOUNDATION, VIEWS, "views are the layer above every app's rules"),
    Rule(FOUNDATION, within("teams"), "teams build on the challenges' foundation"),
    Rule(
        CHALLENGE_KINDS,
        within("hub", "scoring"),
        "hub and scoring build on the challenge kinds",
        allowed=(
            Allowed(
                "challenges.preferences.views",
                within("hub.models", "hub.publishing"),
                "the preference dataset page serves the dataset's publication and its files",
            ),
            Allowed(
                "challenges.projects.views",
                "hub.domain",
                "the project page shows the prize eligibility, which reads the Hub sync",
            ),
        ),
    ),
    Rule(
        within("hub.publishing", "hub.importing", "hub.views", "scoring.gates"),
        CHALLENGE_KINDS,
        "publishing, Hub imports, the Hub's pages and the gates read the kinds through"
        " challenges.intake",
    ),
    Rule(
        r"(?!notifications(\.|$)|demo(\.|$)).+",
        within("notifications"),
        "notifications hear the domain's signals and records: no other app calls them",
        allowed=(
            Allowed(
                "judging.domain.progress",
                within("notifications.domain", "notifications.models"),
                "an organizer's reminder to late judges is a notification, through the outbox",
            ),
        ),
    ),
    Rule(
        "(?!(judging|demo)(\\.|$)|.*views(\\.|$)|hackathon\\.urls$).+",
        within("judging"),
        "judging (assignments, conflicts, invitations, the gallery) builds on hub and scoring:"
        " only its own modules, views and the URLs import it",
    ),
    # The foundation included.
    Rule(r"(?!demo(\.|$)).+", within("demo"), "the demo app is on top: nothing depends on it"),
]


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    at_import_time: bool  # run when the importer is imported (not inside a function)
    type_checking: bool = False  # under ``if TYPE_CHECKING:``: read by type checkers, never run


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def project_modules() -> dict[str, Path]:
    """Every module of the project's packages (the apps and hackathon/), migrations aside."""
    packages = [
        path.parent
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name != "tests" and not path.parent.name.startswith(".")
    ]
    return {
        _module_name(path): path
        for package in packages
        for path in package.rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    }


def _project_module(name: str) -> str | None:
    """The project module an import refers to: the longest prefix of ``name`` that is one."""
    modules = project_modules()
    parts = name.split(".")
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts) or None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(node: ast.Import | ast.ImportFrom, module: str, path: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - node.level + 1]
        base = ".".join(package + ([node.module] if node.module else []))
    # ``from package import module`` imports the module; ``from module import name``, the module.
    return [f"{base}.{alias.name}" for alias in node.names]


@cache
def project_imports() -> list[Import]:
    """Every import from one project module of another, with where it runs."""
    found = []
    for module, path in project_modules().items():

        def visit(
            node: ast.AST, at_import_time: bool, typing=False, module=module, path=path
        ) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    visit(child, False, typing)
                elif isinstance(child, ast.If) and _is_type_checking(child):
                    # Read by type checkers only: never run, so never part of a cycle.
                    visit(child, False, True)
                elif isinstance(child, (ast.Import, ast.ImportFrom)):
                    for name in _imported_names(child, module, path):
                        imported = _project_module(name)
                        if imported is not None and imported != module:
                            found.append(
                                Import(module, imported, child.lineno, at_import_time, typing)
                            )
                else:
                    visit(child, at_import_time, typing)

        visit(ast.parse(path.read_text(), filename=str(path)), True)
    return found


def _where(item: Import) -> str:
    return f"{project_modules()[item.importer].relative_to(ROOT)}:{item.line}"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.reason)
def test_layers(rule):
    importers = [name for name in project_modules() if re.fullmatch(rule.importer, name)]
    assert importers, f"no module matches {rule.importer!r}: the rule checks nothing"
    forbidden = [
        item
        for item in project_imports()
        if re.fullmatch(rule.importer, item.importer)
        and re.fullmatch(rule.forbidden, item.imported)
    ]
    wrong = [
        f"{_where(item)} imports {item.imported}"
        for item in forbidden
        if not any(_allows(allowed, item) for allowed in rule.allowed)
    ]
    assert not wrong, f"{rule.reason}:\n" + "\n".join(wrong)
    unused = [
        f"{allowed.importer} importing {allowed.imported}"
        for allowed in rule.allowed
        if not any(_allows(allowed, item) for item in forbidden)
    ]
    assert not unused, "allowed imports the code no longer makes:\n" + "\n".join(unused)


def _allows(allowed: Allowed, item: Import) -> bool:
    return bool(
        re.fullmatch(allowed.importer, item.importer)
        and re.fullmatch(allowed.imported, item.imported)
    )


def find_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (its modules in order, the first repeated at the end) for each group of modules
    that import each other, through others or not (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    groups: list[set[str]] = []

    def connect(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        for imported in sorted(edges.get(module, ())):
            if imported not in index:
                connect(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(group)

    for module in sorted(edges):
        if module not in index:
            connect(module)

    cycles = []
    for group in groups:
        start = min(group)
        paths = {start: [start]}
        queue = [start]
        while queue:  # the shortest way back to the start, within the group
            module = queue.pop(0)
            for imported in sorted(edges[module] & group):
                if imported == start:
                    cycles.append(paths[module] + [start])
                    queue = []
                    break
                if imported not in paths:
                    paths[imported] = paths[module] + [imported]
                    queue.append(imported)
    return cycles


def test_find_cycles_reports_each_cycle_in_order():
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": {"d"}, "f": set()}
    assert find_cycles(edges) == [["a", "b", "c", "a"], ["d", "e", "d"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_files_import_each_other():
    edges: dict[str, set[str]] = {module: set() for module in project_modules()}
    for item in project_imports():
        if item.at_import_time:
            edges[item.importer].add(item.imported)
    cycles = find_cycles(edges)
    assert not cycles, "files that import each other when they are imported:\n" + "\n".join(
        " -> ".join(str(project_modules()[module].relative_to(ROOT)) for module in cycle)
        for cycle in cycles
    )


def test_no_files_import_each_other_even_inside_functions():
    """An import inside a function that closes a cycle is a cycle too (it only runs later):
    the callee hands over what it needs instead (e.g. a task's ``delay`` as ``enqueue``)."""
    edges: dict[str, set[str]] = {module: set() for module in project_modules()}
    for item in project_imports():
        if not item.type_checking:
            edges[item.importer].add(item.imported)
    cycles = find_cycles(edges)
    assert not cycles, "files that import each other:\n" + "\n".join(
        " -> ".join(str(project_modules()[module].relative_to(ROOT)) for module in cycle)
        for cycle in cycles
    )


def test_the_scan_reads_every_kind_of_import():
    """Absolute, ``from package import module``, relative and inline imports are all seen."""
    seen = {(item.importer, item.imported, item.at_import_time) for item in project_imports()}
    assert ("scoring.rules", "challenges.rules", True) in seen
    assert ("hub.views", "hub.views.sync", True) in seen
    assert ("challenges.blend.forms", "challenges.blend.domain", True) in seen
    assert ("challenges.blend.views", "challenges.blend.models", True) in seen
    assert ("challenges.blend.apps", "challenges.blend.intake", False) in seen
