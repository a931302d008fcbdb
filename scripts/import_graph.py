#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Print who imports whom among cardkit's packages (the picture in docs/ARCHITECTURE.md).

    python scripts/import_graph.py            # package -> the cardkit packages it imports
    python scripts/import_graph.py --cycles   # module-level import circles (none expected)

Reads the source with ``ast`` (every import, lazy and TYPE_CHECKING ones included); runs nothing.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "cardkit"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    found = set()
    me = module_name(path)
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != me and name.startswith("cardkit"):
                found.add(name)
    return found


def package_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def graph() -> dict[str, set[str]]:
    files = [p for p in PKG.rglob("*.py") if "__pycache__" not in p.parts]
    modules = {module_name(p) for p in files}
    return {module_name(p): imports_of(p, modules) for p in files}


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(g):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    g = graph()
    if "--cycles" in sys.argv:
        found = cycles(g)
        for comp in found:
            print(" <-> ".join(comp))
        return 1 if found else 0
    packages: dict[str, set[str]] = defaultdict(set)
    for mod, deps in g.items():
        packages[package_of(mod)] |= {package_of(d) for d in deps} - {package_of(mod)}
    for pkg in sorted(packages, key=lambda p: (len(packages[p]), p)):
        print(f"{pkg:22} -> {', '.join(sorted(packages[pkg])) or '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
