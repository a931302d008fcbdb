# SPDX-License-Identifier: Apache-2.0
"""What the SQLite and PostgreSQL loads share: the upsert of a stored row, the memory budget of a
load, and "the last row of a key wins" on frames of stored rows (:func:`row.frame_schema`)."""

from __future__ import annotations

import os

from cardkit.registry.row import STORED_COLUMNS

RESIDENT_COLUMNS = STORED_COLUMNS  # the stored row's columns, as the SQL below names them
COLS = ", ".join(RESIDENT_COLUMNS)
_UPDATE_SET = ", ".join(f"{c} = excluded.{c}" for c in RESIDENT_COLUMNS[1:])
# Rows whose content did not change keep their updated_at: re-importing a file changes nothing.
UPSERT_TAIL = f"ON CONFLICT (rkey) DO UPDATE SET {_UPDATE_SET} WHERE residents.content_hash <> excluded.content_hash"
MARKS = ", ".join("?" * len(RESIDENT_COLUMNS))
INSERT = f"INSERT INTO residents ({COLS}) VALUES ({MARKS})"
MEMORY_SHARE = 0.25  # a bulk load keeps its rows in memory up to this share of the RAM


def memory_budget() -> int:
    """Bytes of parsed rows a bulk load may keep in memory before it streams them to scratch."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 4 << 30
    return int(total * MEMORY_SHARE)


def winners(frames: list):
    """One DataFrame of the last row (highest ord) of each key, in key order, RESIDENT_COLUMNS."""
    import polars as pl

    rows = pl.concat(frames)
    return rows.filter(pl.col("ord") == pl.col("ord").max().over("rkey")).sort("rkey").select(RESIDENT_COLUMNS)
