# SPDX-License-Identifier: Apache-2.0
"""The station tests' fixed clock, importable by name (tests/tui/conftest.py uses the same)."""

from datetime import datetime, timedelta, timezone

FIXED_NOW = datetime(2025, 7, 1, 9, 30, tzinfo=timezone(timedelta(hours=7)))
