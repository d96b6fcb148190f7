"""The top-level packages form layers: each imports only from layers below it.

Imports inside functions count (they are imports all the same); imports under
``TYPE_CHECKING`` do not (annotations only). A new package must be given its layer here;
an import that points up, or sideways within a layer, fails with the file that makes it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import radiant

#: bottom to top; a package imports from strictly lower layers only
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "bounds"),
    ("domain", "settings", "security", "secrets"),
    ("store", "catalog", "http"),
    ("core", "providers"),
    ("registry",),
    ("tenants", "bootstrap"),
    ("pricing",),
    ("selection", "manage", "billing"),
    ("sync",),
    ("health",),
    ("gateway",),
    ("api",),
    ("cli",),
)

ROOT = Path(radiant.__file__).parent
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _imports(path: Path) -> list[tuple[str, int]]:
    """(top-level radiant package, line) of every runtime import in ``path``."""
    tree = ast.parse(path.read_text(), str(path))
    annotations_only: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            annotations_only.update(id(n) for n in ast.walk(node))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if id(node) in annotations_only:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue  # relative imports stay inside their package
        for name in names:
            parts = name.split(".")
            if parts[0] == "radiant" and len(parts) > 1:
                found.append((parts[1], node.lineno))
    return found


def _package(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def test_every_package_has_a_layer() -> None:
    packages = {_package(p) for p in ROOT.rglob("*.py") if _package(p) != "__init__"} | {
        p.name for p in ROOT.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    assert packages - RANK.keys() == set(), "give the new package its layer in LAYERS"
    assert RANK.keys() - packages == set(), "LAYERS names a package that is gone"


def test_imports_point_down() -> None:
    upward: list[str] = []
    for path in sorted(ROOT.rglob("*.py")):
        source = _package(path)
        if source == "__init__":
            continue
        for target, line in _imports(path):
            if target != source and RANK[target] >= RANK[source]:
                where = path.relative_to(ROOT.parent)
                upward.append(f"{where}:{line}: {source} imports {target}")
    assert upward == []


#: imports inside functions outside ``cli/`` (where commands load what they run): at most
#: this many, each saying why on its line (an optional extra, a driver only one backend
#: loads) — an import moved into a function to dodge a cycle is a cycle all the same
MAX_DEFERRED = 25


def _deferred() -> list[tuple[str, str]]:
    """(file:line, the import's source line) of every import inside a function."""
    found: list[tuple[str, str]] = []
    for path in sorted(ROOT.rglob("*.py")):
        if _package(path) == "cli":
            continue
        text = path.read_text()
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text, str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        where = f"{path.relative_to(ROOT.parent)}:{inner.lineno}"
                        found.append((where, lines[inner.lineno - 1]))
    return found


def test_imports_inside_functions_are_few_and_say_why() -> None:
    deferred = _deferred()
    assert len(deferred) <= MAX_DEFERRED, [where for where, _ in deferred]
    assert [where for where, line in deferred if "#" not in line] == []
