"""Take the source tree of handouts and give back its import cycles, its upward imports and its oversized modules.

Counts every import, also those inside functions (they still tie modules together), every
import that points up the pipeline (each module or package has a rank in ``RANKS``; a module
may import only modules of its own rank or lower), and every module over the line limit.
Prints one problem a line and exits 1 when there is any; pure standard library, so it runs
before anything is installed::

    python scripts/check_imports.py
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "src" / "handouts"
MAX_LINES = 500
# modules allowed over MAX_LINES for now, each with the issue that splits it
TOO_LONG_FOR_NOW: dict[str, str] = {}


# Where each module or package sits along the pipeline, bottom first; a name covers the modules under it.
# A module imports only from its own rank or below, so lower stages never reach up for a higher one.
RANKS: dict[str, int] = {
    "": 0,  # the package itself: the version
    "errors": 0,
    "units": 0,
    "files": 0,
    "stamps": 0,
    "colors": 0,
    "variant": 0,
    "load": 1,
    "plan": 2,
    "pool": 2,
    "incremental": 2,
    "quick": 3,
    "render": 3,
    "claims": 3,
    "assets": 3,
    "cjk": 3,
    "story": 4,
    "pdf": 5,
    "twin": 5,
    "grow": 6,
    "handout": 6,
    "gallery": 7,
    "checks": 7,
    "lint": 7,
    "gate": 7,
    "translations": 7,
    "report": 7,
    "scaffold": 7,
    "build": 8,
    "cli": 9,
    "__main__": 9,
}


def module_name(path: Path, root: Path) -> str:
    """Return the dotted module name of ``path`` inside the package at ``root``."""
    parts = [root.name, *path.relative_to(root).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, name: str, known: set[str]) -> set[str]:
    """Return the package modules that the module ``name`` at ``path`` imports, anywhere in its body."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            # "from . import cjk" imports a module; "from .cjk import is_cjk" imports from one
            targets = [f"{stem}.{alias.name}" if f"{stem}.{alias.name}" in known else stem for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def graph(root: Path) -> dict[str, set[str]]:
    """Return ``{module: modules it imports}`` for every module of the package at ``root``."""
    paths = {module_name(p, root): p for p in sorted(root.rglob("*.py"))}
    known = set(paths)
    edges = {name: imports_of(path, name, known) for name, path in paths.items()}
    for name in edges:  # importing a.b.c runs a/__init__ and a/b/__init__ first: not an edge we count
        edges[name] = {t for t in edges[name] if not name.startswith(t + ".")}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(groups)


def rank_of(name: str, ranks: dict[str, int]) -> int | None:
    """Return the rank of module ``name`` (``pkg.a.b``): that of ``a.b``, else of ``a``, else None.

    The package itself (``pkg``) has the rank of ``""``.
    """
    parts = name.split(".")[1:]
    if not parts:
        return ranks.get("")  # the package's own __init__
    while parts:
        key = ".".join(parts)
        if key in ranks:
            return ranks[key]
        parts.pop()
    return None


def upward_imports(edges: dict[str, set[str]], ranks: dict[str, int]) -> list[str]:
    """Return one message per module without a rank and per import that points up the pipeline."""
    out = []
    for name in sorted(edges):
        rank = rank_of(name, ranks)
        if rank is None:
            out.append(f"{name}: no rank along the pipeline: add it to RANKS in scripts/check_imports.py")
            continue
        for target in sorted(edges[name]):
            up = rank_of(target, ranks)
            if up is not None and up > rank:
                out.append(f"upward import: {name} (rank {rank}) imports {target} (rank {up})")
    return out


def long_modules(root: Path, limit: int = MAX_LINES) -> list[tuple[str, int]]:
    """Return ``(module, lines)`` for every module of the package over ``limit`` lines."""
    out = []
    for path in sorted(root.rglob("*.py")):
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > limit:
            out.append((module_name(path, root), count))
    return out


def problems(root: Path = ROOT, ranks: dict[str, int] = RANKS) -> list[str]:
    """Return one message per import cycle, upward import and module over the limit (allow-listed ones excepted)."""
    edges = graph(root)
    out = [f"import cycle: {' <-> '.join(group)}" for group in cycles(edges)]
    out += upward_imports(edges, ranks)
    out += [
        f"{name}: {count} lines, over {MAX_LINES}" for name, count in long_modules(root) if name not in TOO_LONG_FOR_NOW
    ]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", type=Path, default=ROOT, help="the package folder (default: src/handouts)")
    args = parser.parse_args(argv)
    found = problems(args.root)
    for line in found:
        print(line)
    for name, count in long_modules(args.root):
        if name in TOO_LONG_FOR_NOW:
            print(f"{name}: {count} lines, allowed for now: {TOO_LONG_FOR_NOW[name]}")
    if not found:
        modules = len(graph(args.root))
        print(f"{modules} modules, no import cycle, no upward import, none over {MAX_LINES} lines")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
