# SPDX-License-Identifier: Apache-2.0
"""The fast import path (fast row parser, chunked parallel reading, staged merge) changes nothing."""

from __future__ import annotations

import csv
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardkit.errors import CardkitError
from cardkit.registry.fastrow import fast_row
from cardkit.registry.importer import import_file
from cardkit.registry.load import records as csvload
from cardkit.registry.load.common import RESIDENT_COLUMNS
from cardkit.registry.normalize import _fold_slow, fold
from cardkit.registry.row import CSV_COLUMNS
from cardkit.registry.rowparse import parse_row
from cardkit.registry.store import resident_to_row
from cardkit.registry.synth import Synth, write_csv

TODAY, STAMP = date(2025, 6, 30), "2025-06-30T00:00:00+00:00"
GOOD = {
    "id_number": "079190001234", "old_id_number": "123456789", "full_name": "Lê Thị Hoà",
    "date_of_birth": "1990-03-04", "sex": "F", "place_of_origin": "Tỉnh Nam Định", "residence": "Quận 1",
    "ethnicity": "Kinh", "religion": "Không", "card_issue_date": "2021-06-01", "card_expiry_date": "2030-03-04",
    "insurance_code": "GD4790123456789", "insurance_valid_from": "2025-01-01", "insurance_valid_to": "2025-12-31",
    "insurance_facility": "Bệnh viện Chợ Rẫy",
}
_cells = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "Nam", "Nữ", "nữ", "M", "X", "1990-02-30", "1879-12-31", "2999-01-01", "04/03/1990",
                     "2030-01-01", "1990-3-4", "0791900012", "079 190 001 234", "Hoa\u0300", "A  B", " A",
                     "gd4790123456789", "ABCDEFGHIJ\n", "\u00a0x", "Lê\ud800",
                     "1948", "00/00/1948", "1948-00-00", "1879", "2999", "0000", "01/01/1948"]),
)


def _slow(row: dict) -> tuple:
    return resident_to_row(parse_row(row, today=TODAY), STAMP)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(CSV_COLUMNS), _cells))
def test_fast_row_agrees_with_parse_row(change):
    row = {**GOOD, **change}
    fast = fast_row(tuple(row[c] for c in CSV_COLUMNS), TODAY.isoformat(), STAMP)
    try:
        slow = _slow(row)
    except CardkitError:
        assert fast is None  # the fast path never accepts what the general parser rejects
        return
    assert fast is None or fast == slow


def test_fast_row_takes_clean_synth_rows():
    rows = list(Synth(5).rows(300, dirty=0.3))
    fast = [fast_row(tuple(r[c] for c in CSV_COLUMNS), TODAY.isoformat(), STAMP) for r in rows]
    assert sum(f is not None for f in fast) > 250
    assert all(f == _slow(r) for f, r in zip(fast, rows, strict=False) if f is not None)


@given(st.text(max_size=30))
def test_fold_table_agrees_with_definition(text):
    assert fold(text) == _fold_slow(text)


def _dirty_file(path, n=3000):
    write_csv(path, Synth(11).rows(n, dirty=0.2, broken=0.05))
    with open(path, "a", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["079190009999", "", 'Lê "Hoà\nmultiline"', "1990-01-01"] + [""] * 11)  # multi-line field
        w.writerow(["too", "few"])
        fh.write("\n\n")
        fh.write('079190008888,,Tr"an Binh,1990-01-01,M,,,,,,,,,,\n')  # stray quote
        w.writerow(["079190007777", "", "Ngô An", "1990-01-01"] + [""] * 11)
    with open(path, "ab") as fh:
        fh.write(b"079190006666,,L\xea Th\xc3,1990-01-01,M,,,,,,,,,,\n")


@pytest.mark.parametrize("chunk", [997, 4096, 1 << 20])
def test_parallel_reading_gives_the_serial_report(tmp_path, chunk):
    path = tmp_path / "dirty.csv"
    _dirty_file(path)
    serial = list(csvload.csv_batches(path, (TODAY, STAMP), None, workers=0))
    parallel = list(csvload.csv_batches(path, (TODAY, STAMP), None, workers=2, chunk_bytes=chunk))

    def flat(batches):
        return ([r for b in batches for r in b.rows()], [r for b in batches for r in b.rejected],
                sum(b.read for b in batches))

    s_rows, s_rej, s_read = flat(serial)
    p_rows, p_rej, p_read = flat(parallel)
    assert s_read == p_read == 3000 + 5 and len(s_rej) > 100
    assert p_rej == s_rej and p_rows == s_rows
    assert parallel[-1].done == serial[-1].done == path.stat().st_size


def test_stray_quote_before_a_cut_falls_back_to_serial(tmp_path):
    path = tmp_path / "q.csv"
    lines = [",".join(CSV_COLUMNS)]
    for i in range(200):
        name = 'Tr"an' if i == 50 else "Tran An"  # odd quote count: every later cut guess is wrong
        lines.append(f"0791900{i:05d},,{name},1990-01-01,M,,\"a,\nb\",,,,,,,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    serial = list(csvload.csv_batches(path, (TODAY, STAMP), None, workers=0))
    parallel = list(csvload.csv_batches(path, (TODAY, STAMP), None, workers=2, chunk_bytes=512))
    assert [r for b in parallel for r in b.rows()] == [r for b in serial for r in b.rows()]
    assert [r for b in parallel for r in b.rejected] == [r for b in serial for r in b.rejected]


def test_last_row_for_an_id_wins_and_is_counted_once(store, tmp_path):
    path = tmp_path / "dup.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(CSV_COLUMNS))
        w.writeheader()
        w.writerow(GOOD)
        w.writerow({**GOOD, "id_number": "079190005555"})
        w.writerow({**GOOD, "residence": "Huế"})
    rep = import_file(store, path, today=TODAY)
    assert (rep.read, rep.accepted, rep.inserted, rep.updated, rep.unchanged) == (3, 3, 2, 0, 1)
    assert store.get("079190001234").residence == "Huế"
    again = import_file(store, path, today=TODAY)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_parallel_import_into_store_matches_serial(db_url, tmp_path):
    from cardkit.registry.store import open_store

    path = tmp_path / "dirty.csv"
    _dirty_file(path, 2000)
    with open_store(db_url) as s:
        rep = import_file(s, path, today=TODAY, workers=2)
        got = [(r.key, r.full_name, r.residence) for r in s.iter_residents()]
    rows = [r for b in csvload.csv_batches(path, (TODAY, STAMP), None, workers=0) for r in b.rows()]
    res = RESIDENT_COLUMNS.index("residence")
    want = sorted({r[0]: (r[0], r[3], r[res]) for r in rows}.values())
    assert got == want and rep.inserted == len(want)
