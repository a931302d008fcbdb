# SPDX-License-Identifier: Apache-2.0
"""Layer rules of docs/ARCHITECTURE.md, enforced: import-linter contracts and heavy imports."""

import importlib.util
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold():
    exe = Path(sys.executable).with_name("lint-imports")
    out = subprocess.run([str(exe)], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "broken" not in out.stdout.split("Contracts:")[-1].lower() or " 0 broken" in out.stdout


def _modules_after(import_line: str) -> set[str]:
    code = f"import sys; {import_line}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_reading_a_card_needs_neither_textual_nor_opencv_nor_pyscard():
    mods = _modules_after("import cardkit.icao.reading, cardkit.transport.inproc")
    assert not {"textual", "cv2", "smartcard", "cardkit.sim"} & mods


def test_only_transport_pcsc_imports_smartcard():
    offenders = []
    for path in (REPO / "cardkit").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if ("import smartcard" in text or "from smartcard" in text) and path.name != "pcsc.py":
            offenders.append(str(path.relative_to(REPO)))
    assert offenders == []


def _import_graph():
    spec = importlib.util.spec_from_file_location("import_graph", REPO / "scripts" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_module_import_circles_not_even_lazy_or_type_checking_ones():
    graph = _import_graph()
    assert graph.cycles(graph.graph()) == []


def test_the_circle_finder_sees_a_circle():
    graph = _import_graph()
    assert graph.cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_reading_a_card_does_not_load_pycryptodome_or_cffi():
    mods = _modules_after("import cardkit.icao.reading, cardkit.transport.inproc")
    assert not {"Crypto", "cffi", "pycparser"} & mods


def test_a_command_imports_its_own_module_only():
    mods = _modules_after("import cardkit.cli as c; c.build_parser(['--debug', 'read', '--help'])")
    assert "cardkit.cli.read" in mods
    assert not {"cardkit.cli.verify", "cardkit.cli.agent", "cardkit.cli.registry", "cardkit.cli.sim",
                "asn1crypto", "http.client"} & mods


def test_help_and_bench_still_list_every_command():
    from cardkit.cli import COMMANDS, build_parser

    top = build_parser([]).format_help()
    assert all(f"    {name} " in top or f"    {name}\n" in top for name in COMMANDS)
    bench = _modules_after("import cardkit.cli as c; c.build_parser(['bench', 'read'])")
    assert {f"cardkit.cli.{m}" for m in ("verify", "registry", "bhyt", "bench_pace", "bench_read", "bench_agent")} <= bench


def test_every_module_with_a_bench_is_loaded_for_cardkit_bench():
    import importlib

    from cardkit.cli import BENCH_MODULES, COMMAND_MODULES

    with_bench = [m for m in COMMAND_MODULES if hasattr(importlib.import_module(f"cardkit.cli.{m}"), "register_bench")]
    assert sorted(with_bench) == sorted(BENCH_MODULES)
