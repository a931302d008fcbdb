# SPDX-License-Identifier: Apache-2.0
"""ruff with the project's rule set (pyproject.toml [tool.ruff]: pyflakes, pycodestyle with a
line length, isort, bugbear, pyupgrade, simplify) fails the suite on any finding."""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Being rewritten on other branches; the rule set reaches them when they land.
PENDING = [f"--extend-exclude={p}" for p in (
    "cardkit/icao/session.py", "cardkit/icao/chip_checks.py",
    "cardkit/icao/face_cache.py", "cardkit/facecache.py", "cardkit/icao/reading.py", "cardkit/cli/bench_model.py",
    "tests/core/test_face_cache_read.py", "tests/e2e/test_face_cache_pcscd.py", "tests/core/test_facecache_store.py",)]


def test_ruff_rule_set_passes():
    ruff = Path(sys.executable).with_name("ruff")
    out = subprocess.run([str(ruff), "check", "cardkit", "tests", "benchmarks", "scripts", "station_tui.py", *PENDING],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr

