# SPDX-License-Identifier: Apache-2.0
"""ruff with the project's rule set (pyproject.toml [tool.ruff]: pyflakes, pycodestyle with a
line length, isort, bugbear, pyupgrade, simplify) fails the suite on any finding."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_ruff_rule_set_passes():
    ruff = Path(sys.executable).with_name("ruff")
    out = subprocess.run([str(ruff), "check", "cardkit", "tests", "benchmarks", "scripts", "station_tui.py"],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr

