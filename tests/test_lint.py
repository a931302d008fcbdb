# SPDX-License-Identifier: Apache-2.0
"""Undefined names and unused imports (ruff's pyflakes rules) fail the suite."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_pyflakes_rules_pass():
    ruff = Path(sys.executable).with_name("ruff")
    out = subprocess.run([str(ruff), "check", "--select", "F", "cardkit", "tests", "benchmarks", "station_tui.py"],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
