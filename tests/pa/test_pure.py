# SPDX-License-Identifier: Apache-2.0
"""``cardkit.icao.pa`` does no I/O: besides the import-linter contract (no os, pathlib, shutil,
tempfile, glob, io, cardkit.home, even indirectly), no module calls ``open()`` or a path's I/O
methods, reads the environment, or imports anything dynamically."""

import ast
from pathlib import Path

import cardkit.icao.pa

PA = Path(cardkit.icao.pa.__file__).parent
BANNED_CALLS = {"open", "__import__", "exec", "eval"}
BANNED_ATTRIBUTES = {"read_bytes", "read_text", "write_bytes", "write_text", "iterdir", "mkdir", "glob",
                     "rglob", "unlink", "rename", "environ", "getenv", "import_module", "copyfile"}


def _offences(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BANNED_CALLS:
            found.append((node.lineno, f"{node.func.id}()"))
        if isinstance(node, ast.Attribute) and node.attr in BANNED_ATTRIBUTES:
            found.append((node.lineno, f".{node.attr}"))
    return [f"line {line}: {what}" for line, what in sorted(found)]


def test_pa_modules_call_no_file_or_environment_api():
    modules = sorted(PA.glob("*.py"))
    assert {m.name for m in modules} >= {"trust.py", "passive.py", "keys.py", "signed.py"}
    offences = {m.name: _offences(ast.parse(m.read_text(encoding="utf-8"))) for m in modules}
    assert {name: found for name, found in offences.items() if found} == {}


def test_the_check_catches_the_calls_it_bans():
    code = "import os\np.read_bytes()\nopen('x')\nos.environ.get('CARDKIT_HOME')\n"
    assert _offences(ast.parse(code)) == ["line 2: .read_bytes", "line 3: open()", "line 4: .environ"]
