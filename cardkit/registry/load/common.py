# SPDX-License-Identifier: Apache-2.0
"""What the SQLite and PostgreSQL loads share: the upsert of a stored row, the memory budget of a
load, and "the last row of a key wins" on frames of stored rows (:func:`row.frame_schema`)."""

from __future__ import annotations

import os
from collections.abc import Iterator

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


class Winners:
    """The last row (highest ord) of each key among staged frames, in key order.

    Only the order is computed on the whole load (keys and ords: a small frame); the rows are
    gathered in slices of :data:`SLICE` as they are written, so a load never holds a second,
    sorted copy of all its rows (at 10M rows that copy, and the filtered one before it, were
    most of the 11.3 GB peak)."""

    SLICE = 1 << 19

    def __init__(self, frames: list) -> None:
        import polars as pl

        self.rows = pl.concat(frames, rechunk=False)  # the frames' chunks, not copied
        keys = self.rows.select("rkey", "ord").with_row_index("at")
        self.order = keys.filter(pl.col("ord") == pl.col("ord").max().over("rkey")).sort("rkey")["at"]

    def __len__(self) -> int:
        return len(self.order)

    def slices(self, size: int = SLICE) -> Iterator:
        """DataFrames of the winners (RESIDENT_COLUMNS), in key order, ``size`` rows at a time."""
        import polars as pl

        for start in range(0, len(self.order), size):
            at = self.order.slice(start, size)
            yield self.rows.select(pl.col(c).gather(at) for c in RESIDENT_COLUMNS)

    def release(self) -> None:
        """Drop the rows (once written): their memory goes back while the database works."""
        self.rows = self.rows.clear()
        self.order = self.order.clear()

    def all(self):
        """All winners as one DataFrame (small loads)."""
        import polars as pl

        return pl.concat(list(self.slices())) if len(self) else self.rows.select(RESIDENT_COLUMNS).clear()
