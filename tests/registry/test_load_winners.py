# SPDX-License-Identifier: Apache-2.0
"""The winners of a load (the last row of each key, in key order) gathered in slices are exactly
the rows of a whole sort: slicing only bounds memory (load.common.Winners)."""

from __future__ import annotations

from dataclasses import replace

from cardkit.registry.load.common import RESIDENT_COLUMNS, Winners
from cardkit.registry.row import resident_to_row, rows_frame
from cardkit.registry.synth import Synth

STAMP = "2026-01-01T00:00:00+00:00"


def _frames():
    syn = Synth(3)
    residents = [syn.resident() for _ in range(50)]
    rows = [resident_to_row(r, STAMP) for r in residents]
    # Ten keys again in a later frame, with other content: those later rows win.
    changed = [resident_to_row(replace(r, residence="Huế"), STAMP) for r in residents[:10]]
    first = rows_frame(rows[:30], list(range(1, 31)))
    second = rows_frame(rows[30:] + changed, list(range(31, 61)))
    return [first, second], rows, changed


def test_winners_in_slices_are_the_last_row_of_each_key_in_key_order():
    frames, rows, changed = _frames()
    winners = Winners(frames)
    parts = list(winners.slices(size=7))
    assert [p.height for p in parts] == [7] * 7 + [1]
    assert all(p.columns == list(RESIDENT_COLUMNS) for p in parts)
    got = [r for p in parts for r in p.iter_rows()]
    assert got == sorted({r[0]: r for r in rows + changed}.values())
    assert sum(r[RESIDENT_COLUMNS.index("residence")] == "Huế" for r in got) == 10
    assert list(winners.all().iter_rows()) == got


def test_released_winners_hold_no_rows():
    frames, _, _ = _frames()
    winners = Winners(frames)
    winners.release()
    assert (len(winners), winners.rows.height, list(winners.slices())) == (0, 0, [])
