# SPDX-License-Identifier: Apache-2.0
"""mypy --strict on the card wing (tlv, apdu, transport, icao) fails the suite on any error.

The paths and options live in pyproject.toml ([tool.mypy]); this runs exactly that configuration
with mypy's incremental cache in .mypy_cache (git-ignored), so a warm run takes a few seconds.
"""

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PATHS = ["cardkit/tlv.py", "cardkit/apdu.py", "cardkit/transport", "cardkit/icao"]


def test_mypy_strict_passes_on_the_card_wing():
    out = subprocess.run([sys.executable, "-m", "mypy", "--config-file", "pyproject.toml", *PATHS],
                         cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("Success: no issues found"), out.stdout
