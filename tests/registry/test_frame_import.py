# SPDX-License-Identifier: Apache-2.0
"""The column-wise import paths give exactly what the record-by-record path gives.

framerows (Polars) must agree with the csv module + RecordParser on every chunk it accepts, and
hand back (None) every chunk it can't read the same way. The SQLite load paths (Python binding,
ADBC child process, scratch-database staging) must leave the same registry.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import date

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cardkit.registry.fastrow import RecordParser
from cardkit.registry.importer import import_file
from cardkit.registry.load import adbc as adbcload
from cardkit.registry.load import postgres as postgres_load
from cardkit.registry.load import records as csvload
from cardkit.registry.load import sqlite as sqlite_load
from cardkit.registry.load.frames import parse_frame
from cardkit.registry.row import CSV_COLUMNS
from cardkit.registry.store import open_store
from cardkit.registry.synth import Synth, write_csv

TODAY, STAMP = date(2025, 6, 30), "2025-06-30T00:00:00+00:00"
GOOD = ["079190001234", "123456789", "Lê Thị Hoà", "1990-03-04", "F", "Tỉnh Nam Định", "Số 1, đường A",
        "Kinh", "Không", "2021-06-01", "2030-03-04", "GD4790123456789", "2025-01-01", "2025-12-31", "Bệnh viện Chợ Rẫy"]
PARSER = RecordParser({c: i for i, c in enumerate(CSV_COLUMNS)}, len(CSV_COLUMNS), TODAY, STAMP)

_cell = st.one_of(
    st.text(max_size=12),
    st.text(alphabet="aăâđêôơưÀÁẠẢÃĐ \u0300\u00a0\u1eef\u0110,\"'\r\n\t-", max_size=10),
    st.sampled_from(["", " ", "Nam", "Nữ", "nữ", "M", "X", "1990-02-30", "1879-12-31", "2999-01-01", "04/03/1990",
                     "2030-01-01", "1990-3-4", "0791900012", "079 190 001 234", "Hoa\u0300", "A  B", " A", "ẞ",
                     "gd4790123456789", "ABCDEFGHIJ", "\u00a0x", "Ǆ", "Ⅻ", "ﬁ", "x" * 501, "ệ" * 200,
                     "1948", "00/00/1948", "1948-00-00", "1879", "2999", "0000", "01/01/1948"]),
)
_row = st.lists(st.tuples(st.integers(0, 14), _cell), max_size=4).map(
    lambda changes: [c for c in _apply(GOOD, changes)])


def _apply(row, changes):
    row = list(row)
    for i, v in changes:
        row[i] = v
    return row


def _csv_bytes(rows, *, crlf: bool, extra: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    for r in rows:
        w.writerow(r)
    return ("".join(extra) + buf.getvalue()).encode("utf-8", "surrogatepass")


def _by_csv_module(data: bytes):
    frame, rejected, read, lines = csvload.parse_chunk(PARSER, data.decode("utf-8", "surrogateescape"))
    return frame.sort("ord").rows(), rejected, read, lines


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_row, min_size=1, max_size=8), st.booleans(),
       st.lists(st.sampled_from(["\n", "a,b\n", ",,,,,,,,,,,,,,,,\n", '"x\n', 'q"r,s\n', "\r\n", "  \n"]), max_size=2))
@example([GOOD], False, [])
def test_frame_path_agrees_with_the_csv_module(rows, crlf, extra):
    data = _csv_bytes(rows, crlf=crlf, extra=extra)
    got = parse_frame(PARSER, data)
    if got is None:
        return  # not simple CSV: the caller reads it with the csv module
    frame, rejected, read, lines = got
    assert (frame.sort("ord").rows(), rejected, read, lines) == _by_csv_module(data)


def test_frame_path_takes_clean_files_and_checks_columns_not_records(monkeypatch):
    rows = list(Synth(7).rows(400, dirty=0.3))
    data = _csv_bytes([[r[c] for c in CSV_COLUMNS] for r in rows], crlf=True, extra=[])
    calls = []
    monkeypatch.setattr(PARSER, "parse_many",
                        lambda recs, *a, **k: calls.append(1) or RecordParser.parse_many(PARSER, recs, *a, **k))
    got = parse_frame(PARSER, data)
    assert got is not None
    frame, rejected, read, lines = got
    assert read == lines == 400 and frame.height == 400 and not rejected
    assert len(calls) < 40  # the few rows outside the fast forms; the rest column-wise
    monkeypatch.undo()
    assert frame.sort("ord").rows() == _by_csv_module(data)[0]


@pytest.mark.parametrize("data", [
    b'079190001234,,"L\xc3\xaa\nAn",1990-01-01,M,,,,,,,,,,\n',  # a record over two lines
    b"079190001234,,L\xea,1990-01-01,M,,,,,,,,,,\n",  # invalid UTF-8
    b'079190001234,,Tr"an,1990-01-01,M,,,,,,,,,,\n',  # a stray quote
    b"079190001234,,An\rB,1990-01-01,M,,,,,,,,,,\n",  # a bare CR
    b"\xef\xbb\xbf079190001234,,An,1990-01-01,M,,,,,,,,,,\n",  # a BOM inside the file
    b"079190001234,,A\x00n,1990-01-01,M,,,,,,,,,,\n",
])
def test_frame_path_hands_odd_chunks_to_the_csv_module(data):
    assert parse_frame(PARSER, data) is None
    assert _by_csv_module(data)[2] >= 1  # which still reads (and judges) it (a bare CR ends a record there)


# -- the SQLite load paths ---------------------------------------------------------------------

def _dirty(tmp_path, n=3000):
    path = tmp_path / "dirty.csv"
    write_csv(path, Synth(11).rows(n, dirty=0.2, broken=0.05))
    with open(path, "a", encoding="utf-8", newline="") as fh:  # duplicates: the last row wins
        w = csv.writer(fh)
        w.writerow(["079190001234", "", "Ngô An", "1990-01-01"] + [""] * 11)
        w.writerow(["079190001234", "", "Ngô Bình", "1990-01-01"] + [""] * 11)
    return path


def _contents(url):
    with open_store(url) as s:
        return [(r.key, r.full_name, r.residence, r.insurance_code) for r in s.iter_residents()]


def _import(url, path):
    with open_store(url) as s:
        return import_file(s, path, today=TODAY)


@pytest.fixture
def reference(tmp_path):
    path = _dirty(tmp_path)
    url = str(tmp_path / "ref.sqlite3")
    rep = _import(url, path)  # small: bound from Python in this process
    return path, rep, _contents(url)


@pytest.fixture
def child_runs(monkeypatch, reference):
    """From here on (after the in-process reference import) every load goes through the ADBC
    child process; the list receives each child's result."""
    monkeypatch.setattr(sqlite_load, "ADBC_MIN_ROWS", 10)
    runs: list[dict] = []
    real = adbcload.run_child
    monkeypatch.setattr(adbcload, "run_child", lambda *a: runs.append(real(*a)) or runs[-1])
    return runs


def test_adbc_child_load_equals_the_python_load(tmp_path, child_runs, reference):
    path, ref, want = reference
    runs = child_runs
    url = str(tmp_path / "adbc.sqlite3")
    rep = _import(url, path)
    assert runs and runs[0]["journal"] == "delete"  # nobody else had the file open
    assert (rep.inserted, rep.updated, len(rep.rejected)) == (ref.inserted, ref.updated, len(ref.rejected))
    assert _contents(url) == want and ("079190001234", "Ngô Bình") in [w[:2] for w in want]
    with sqlite3.connect(url) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"residents_cmnd", "residents_name_dob", "residents_dob_name"} <= names
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    again = _import(url, path)
    assert (again.inserted, again.updated) == (0, 0) and _contents(url) == want


def test_adbc_child_load_stays_in_wal_while_another_connection_reads(tmp_path, child_runs, reference):
    path, _, want = reference
    runs = child_runs
    url = str(tmp_path / "busy.sqlite3")
    open_store(url).close()
    reader = sqlite3.connect(url)
    reader.execute("SELECT count(*) FROM residents").fetchall()
    try:
        _import(url, path)
    finally:
        reader.close()
    assert runs[0]["journal"] == "wal" and _contents(url) == want


def test_a_failing_adbc_load_changes_nothing(tmp_path, monkeypatch, reference):
    path, _, want = reference
    url = str(tmp_path / "fail.sqlite3")
    _import(url, path)
    monkeypatch.setattr(sqlite_load, "ADBC_MIN_ROWS", 10)
    with open_store(url) as s:
        with s.backend.begin_load(["CREATE INDEX broken ON no_such_table (x)"]) as job:  # fails after the upsert
            from cardkit.registry.row import rows_frame

            job.stage(rows_frame([(f"C9999999{i:02d}", None, f"9999999{i:02d}", "Ai", "ai", "1990-01-01", "exact",
                                   None, None, None, None, None, None, None, None, None, None, None, "h", STAMP)
                                  for i in range(20)], list(range(1, 21))))
            with pytest.raises(adbcload.LoadError, match="no_such_table"):
                job.merge()
        assert s.get("C999999900") is None and s.get("C999999919") is None
    assert _contents(url) == want


def test_staged_load_equals_the_in_memory_load(db_url, tmp_path, monkeypatch, reference):
    path, ref, want = reference
    for module in (sqlite_load, postgres_load):  # bytes: forces staging on both backends
        monkeypatch.setattr(module, "memory_budget", lambda: 50_000)
    rep = _import(db_url, path)
    assert (rep.inserted, rep.updated, len(rep.rejected)) == (ref.inserted, ref.updated, len(ref.rejected))
    assert _contents(db_url) == want
    assert not list(tmp_path.glob("cardkit-import-*"))  # scratch database removed
    again = _import(db_url, path)
    assert (again.inserted, again.updated) == (0, 0)


def test_in_memory_load_into_a_non_empty_registry(db_url, reference):
    path, ref, want = reference
    with open_store(db_url) as s:
        s.upsert([Synth(3).resident()])  # not empty: merged, not copied straight in
    rep = _import(db_url, path)
    assert rep.inserted == ref.inserted and len(_contents(db_url)) == len(want) + 1


def test_a_key_repeated_in_a_later_batch_still_counts_once(db_url, monkeypatch, reference):
    """PostgreSQL copies the first batches straight in; a key met again switches to merging."""
    path, ref, want = reference
    monkeypatch.setattr(csvload, "SERIAL_BATCH", 500)  # the duplicates land in a later batch
    rep = _import(db_url, path)
    assert (rep.inserted, rep.updated, len(rep.rejected)) == (ref.inserted, ref.updated, len(ref.rejected))
    assert _contents(db_url) == want


def test_an_interrupted_load_into_an_empty_registry_leaves_it_empty(db_url, tmp_path, monkeypatch):
    path = _dirty(tmp_path)
    monkeypatch.setattr(csvload, "SERIAL_BATCH", 500)

    def stop(read, done, total):
        if read > 1000:
            raise KeyboardInterrupt  # the operator pressed Ctrl+C half-way

    with open_store(db_url) as s:
        with pytest.raises(KeyboardInterrupt):
            import_file(s, path, today=TODAY, on_progress=stop)
        assert s.count() == 0
        s.upsert([Synth(3).resident()])  # the registry still works, key and all
        s.upsert([Synth(3).resident()])
        assert s.count() == 1
    assert len(_contents(db_url)) == 1
