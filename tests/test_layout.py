"""The package's layout holds: no import circles (imports inside functions included), no module
over 400 lines, no private name imported from another module. ``lint-imports`` (run by .ci/run)
checks the direction of the arrows between the packages; these check what it does not.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "finmodel"
MAX_LINES = 400


def modules() -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name)."""
    out = {}
    for p in sorted(PACKAGE.rglob("*.py")):
        parts = p.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = p
    return out


def _type_only(tree: ast.Module) -> set[int]:
    """The nodes under ``if TYPE_CHECKING:``: imports for type hints, which run no code."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            out |= {id(n) for b in node.body for n in ast.walk(b)}
    return out


def imports(path: Path, known: dict[str, Path]) -> list[tuple[str, list[str]]]:
    """(module, names) of each import of ``path`` that runs, at the top or in a function;
    ``from package import module`` counts as importing that module."""
    tree = ast.parse(path.read_text())
    skip = _type_only(tree)
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [a.name for a in node.names]
            subs = [f"{node.module}.{n}" for n in names if f"{node.module}.{n}" in known]
            out += [(s, []) for s in subs]
            rest = [n for n in names if f"{node.module}.{n}" not in known]
            if rest:
                out.append((node.module, rest))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {
        m: {t for t, _ in imports(p, known) if t in known and t != m} for m, p in known.items()
    }


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_the_circle_finder_finds_a_circle():
    # a -> b -> c -> a is one circle; d -> a hangs off it and is not in it
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert circles(edges) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles():
    assert circles(graph()) == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_over_400_lines(name):
    lines = len(modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_no_private_name_imported_across_modules():
    known = modules()
    private = [
        f"{m}: {t}.{n}"
        for m, p in known.items()
        for t, names in imports(p, known)
        for n in names
        if t.startswith("finmodel") and n.startswith("_") and not n.startswith("__")
    ]
    assert private == []


#: Test folders that test what the repository holds beside the package: its docs pages and
#: its example notebooks.
BESIDE_THE_PACKAGE = {"docs", "examples"}


def test_tests_mirror_the_packages():
    """Each stage's tests sit in the folder of its package's name (tests/engine/ for
    finmodel/engine/, ...), no stage is without one, and no other folder but those for the
    docs and the examples."""
    tests = PACKAGE.parent / "tests"
    folders = {p.name for p in tests.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    stages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert folders - BESIDE_THE_PACKAGE == stages
    for folder in folders:
        assert any((tests / folder).glob("test_*.py")), folder
