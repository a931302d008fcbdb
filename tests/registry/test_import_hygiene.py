# SPDX-License-Identifier: Apache-2.0
"""The registry knows nothing about ICAO or transports, and never imports the CLI or TUI."""

from __future__ import annotations

import ast
from pathlib import Path

import cardkit.registry

FORBIDDEN = ("cardkit.icao", "cardkit.transport", "cardkit.sim", "cardkit.cli", "cardkit.tui", "textual")


def test_registry_imports_nothing_forbidden():
    for path in Path(cardkit.registry.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
