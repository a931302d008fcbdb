#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The desk station. ``python station_tui.py --demo`` shows a full check-in on a fresh machine;
``python station_tui.py`` runs with $CARDKIT_HOME/station.toml; ``--help`` lists the options."""

import sys

from cardkit.tui.cli import run

if __name__ == "__main__":
    sys.exit(run())
