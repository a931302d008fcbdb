# SPDX-License-Identifier: Apache-2.0
"""Crashes found by the fail-closed audit (issue 12), each reproduced first: a CSV field over the
csv module's limit, concurrent imports, unwritable paths, a full disk under the journal, import
scratch left in /dev/shm. Each is now a typed error or a rejected line, and nothing is lost."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cardkit.cli import main
from cardkit.registry.backend import StoreFullError
from cardkit.registry.importer import import_file
from cardkit.registry.journal import CheckInRecord, Journal
from cardkit.registry.load import adbc as adbcload
from cardkit.registry.load import scratch
from cardkit.registry.load import sqlite as sqlite_load
from cardkit.registry.load.csvrecords import CsvRecordError, records
from cardkit.registry.store import open_store

HEADER = ("id_number", "full_name", "date_of_birth")


def _ids(n: int, start: int = 0) -> list[str]:
    return [f"001090{i:06d}" for i in range(start, start + n)]


def _write(path: Path, rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def _people(ids) -> list[tuple[str, str, str]]:
    return [(i, "Nguyễn Văn An", "1990-01-01") for i in ids]


def _record(i: int) -> CheckInRecord:
    return CheckInRecord(at=datetime(2025, 6, 30, 8, tzinfo=UTC), station="desk-1", operator="lan",
                         access_method="PACE-CAN", match_outcome="exact_id", id_number=f"001090{i:06d}",
                         extra={"pad": "x" * 2000})


# -- 1. a field over 128 KiB ------------------------------------------------------------------

@pytest.mark.parametrize("workers", [0, 2])
def test_a_field_over_128_kib_is_one_rejected_line_and_the_rest_is_stored(store, tmp_path, workers):
    # Before: _csv.Error "field larger than field limit (131072)" aborted the whole import.
    rows = _people(_ids(2))
    rows.insert(1, ("001090999999", "x" * (140 << 10), "1990-01-01"))  # line 3
    path = _write(tmp_path / "long.csv", rows)
    rep = import_file(store, path, workers=workers)
    assert [(r.line, r.reason, r.reason_vi) for r in rep.rejected] == [
        (3, "full_name: text too long", "full_name: nội dung quá dài")]
    assert (rep.read, rep.inserted, rep.updated, rep.unchanged) == (3, 2, 0, 0)
    assert sorted(r.id_number for r in store.iter_residents()) == _ids(2)


def test_a_long_field_in_a_column_not_imported_does_not_reject_the_row(store, tmp_path):
    path = tmp_path / "extra.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow((*HEADER, "notes"))
        w.writerow(("001090000001", "Nguyễn Văn An", "1990-01-01", "n" * (200 << 10)))
    rep = import_file(store, path, workers=0)
    assert (rep.inserted, rep.rejected) == (1, [])


def test_a_record_the_csv_module_still_refuses_is_one_rejection_and_reading_goes_on(monkeypatch):
    # Beyond FIELD_LIMIT (64 MiB: an unclosed quote, in practice) the csv module raises; shown
    # here with a small limit so the test stays cheap.
    old = csv.field_size_limit(1000)
    monkeypatch.setattr("cardkit.registry.load.csvrecords.FIELD_LIMIT", 1000)
    try:
        got = list(records(csv.reader(["a,b\n", "c," + "d" * 2000 + "\n", "e,f\n"])))
    finally:
        csv.field_size_limit(old)
    assert [g[0] for g in got] == [1, 2, 3] and got[0][1] == ["a", "b"] and got[2][1] == ["e", "f"]
    assert isinstance(got[1][1], CsvRecordError)
    assert str(got[1][1]) == "record cannot be read as CSV: field larger than field limit (1000)"


# -- 6. concurrent imports -------------------------------------------------------------------

def _import_process(path: Path, url: str) -> subprocess.Popen:
    # ADBC_MIN_ROWS lowered: the SQLite child-process path with a few thousand rows (the old
    # code failed with these 5,000 rows in 5 runs of 5).
    cli = ("import sys; from cardkit.registry.load import sqlite; sqlite.ADBC_MIN_ROWS = 100; "
           "from cardkit.cli import main; sys.exit(main(sys.argv[1:]))")
    return subprocess.Popen([sys.executable, "-c", cli, "registry", "import", str(path), "--db", url,
                             "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _both(procs) -> list[tuple[int, str, str]]:
    return [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]


def _counts(summary: str) -> str:
    return summary.split(": ", 1)[1].split(" (")[0]


WAIT_LINE = ("another import into this registry is running: waiting for it to end | "
             "Đang có một lượt nhập khác vào cơ sở dữ liệu này: chờ lượt đó kết thúc")


def test_two_concurrent_imports_into_an_empty_registry_both_succeed(db_url, tmp_path):
    # Before: both saw an empty registry and INSERTed without conflict handling: one failed
    # with "import write failed: InternalError: ... UNIQUE constraint failed: residents.rkey".
    path = _write(tmp_path / "a.csv", _people(_ids(5000)))
    open_store(db_url).close()  # migrated, still empty
    results = _both([_import_process(path, db_url), _import_process(path, db_url)])
    assert [r[0] for r in results] == [0, 0], results
    assert sorted(_counts(r[1]) for r in results) == [
        "0 inserted, 0 updated, 5000 unchanged, 0 rejected", "5000 inserted, 0 updated, 0 unchanged, 0 rejected"]
    assert all(r[2] in ("", WAIT_LINE + "\n") for r in results)
    with open_store(db_url) as s:
        assert s.count() == 5000 and s.integrity_ok()


def test_two_concurrent_imports_into_a_filled_registry_count_only_their_own_rows(db_url, tmp_path):
    # Before: each counted the other's rows as its own inserts (seen: "34515 inserted, 0 updated,
    # -9515 unchanged" for 25,000 rows).
    seed = _write(tmp_path / "seed.csv", _people(_ids(10, 90000)))
    a = _write(tmp_path / "a.csv", _people(_ids(5000)))
    b = _write(tmp_path / "b.csv", _people(_ids(5000, 30000)))
    with open_store(db_url) as s:
        import_file(s, seed)
    results = _both([_import_process(a, db_url), _import_process(b, db_url)])
    assert [r[0] for r in results] == [0, 0], results
    assert [_counts(r[1]) for r in results] == ["5000 inserted, 0 updated, 0 unchanged, 0 rejected"] * 2
    with open_store(db_url) as s:
        assert s.count() == 10010


# -- 4. unwritable paths ---------------------------------------------------------------------

def test_import_into_an_unwritable_path_is_one_line_exit_2(tmp_path, capsys):
    src = _write(tmp_path / "a.csv", _people(_ids(1)))
    (tmp_path / "afile").write_text("not a folder")
    db = tmp_path / "afile" / "r.db"
    assert main(["registry", "import", str(src), "--db", str(db)]) == 2
    assert capsys.readouterr().err == (
        f"cardkit: error: cannot write {db}: a part of the path is not a folder | "
        f"Không ghi được {db}: một phần của đường dẫn không phải thư mục.\n")
    folder = tmp_path / "adir"
    folder.mkdir()
    assert main(["registry", "import", str(src), "--db", str(folder)]) == 2
    assert capsys.readouterr().err == (
        f"cardkit: error: cannot write {folder}: is a folder, not a file | "
        f"Không ghi được {folder}: là một thư mục, không phải tệp.\n")


@pytest.mark.parametrize("argv", [["registry", "synth", "--count", "3", "--out"],
                                  ["registry", "discrepancies", "--out"]])
def test_out_into_a_missing_folder_is_one_line_exit_2(tmp_path, capsys, argv):
    out = tmp_path / "missing" / "x.csv"
    db = ["--db", str(tmp_path / "r.db")] if argv[1] == "discrepancies" else []
    assert main([*argv, str(out), *db]) == 2
    assert capsys.readouterr().err == (
        f"cardkit: error: cannot write {out}: its folder does not exist | "
        f"Không ghi được {out}: thư mục chứa nó không tồn tại.\n")
    assert not out.parent.exists()


# -- 5. a full disk under the journal --------------------------------------------------------

def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 65536)
    except OSError as exc:
        assert exc.errno == 28  # ENOSPC: the disk is really full now
    finally:
        os.close(fd)
    return filler


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MiB tmpfs (mounting needs root, which the test machine has)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], check=True)
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_journal_append_on_a_full_disk_is_a_typed_error_and_loses_nothing(small_disk):
    # Before: a raw sqlite3.OperationalError "database or disk is full".
    with open_store(str(small_disk / "registry.sqlite3")) as store:
        journal = Journal(store)
        seqs = [journal.append(_record(i)) for i in range(3)]
        filler = _fill(small_disk)
        with pytest.raises(StoreFullError) as err:
            for i in range(3, 2000):  # the WAL grows until a page cannot be written
                journal.append(_record(i))
        assert str(err.value) == "the check-in was not saved: the database disk is full"
        assert err.value.message_vi == "Chưa lưu được lượt check-in: ổ đĩa chứa cơ sở dữ liệu đã đầy."
        failed = i
        saved = [r.id_number for r in journal.list()]
        assert saved == [f"001090{n:06d}" for n in range(failed)]  # every acknowledged one, not the failed one
        filler.unlink()
        assert journal.append(_record(failed)) == seqs[-1] + failed - 2  # the retry is stored
        assert journal.count() == failed + 1 and store.integrity_ok()


def test_journal_append_over_the_database_size_limit_is_a_typed_error(tmp_path):
    # Same SQLITE_FULL, reached through SQLite's own size limit (runs without root).
    with open_store(str(tmp_path / "r.sqlite3")) as store:
        journal = Journal(store)
        journal.append(_record(0))
        pages = store.backend.query("PRAGMA page_count")[0][0]
        store.backend.query(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(StoreFullError):
            for i in range(1, 100):
                journal.append(_record(i))
        assert [r.id_number for r in journal.list()] == [f"001090{n:06d}" for n in range(i)]


# -- 9. import scratch under /dev/shm --------------------------------------------------------

def _mine() -> list[str]:
    return sorted(n for n in os.listdir(scratch.SHM_DIR) if n.startswith(f"{scratch.PREFIX}{os.getpid()}-"))


def test_shm_scratch_is_removed_when_the_import_is_interrupted(tmp_path, monkeypatch):
    url = str(tmp_path / "r.sqlite3")
    path = _write(tmp_path / "a.csv", _people(_ids(30)))
    monkeypatch.setattr(sqlite_load, "ADBC_MIN_ROWS", 10)  # the child path, with its /dev/shm hand-over
    seen = []

    def interrupted(db, ipc, *args):
        seen.append((Path(ipc).exists(), _mine()))
        raise KeyboardInterrupt  # what Ctrl+C raises in the main thread while the child runs

    monkeypatch.setattr(adbcload, "run_child", interrupted)
    with open_store(url) as store, pytest.raises(KeyboardInterrupt):
        import_file(store, path, workers=0)
    assert seen and seen[0][0] and len(seen[0][1]) == 1  # it was there while the child ran
    assert _mine() == []
    with open_store(url) as store:
        assert store.count() == 0  # and the interrupted load changed nothing


def test_scratch_of_dead_processes_is_swept_when_the_registry_is_next_opened(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True)
    pid = int(dead.stdout)
    url = str(tmp_path / "r.sqlite3")
    stale = [Path(scratch.SHM_DIR) / f"{scratch.PREFIX}{pid}-test", tmp_path / f"{scratch.PREFIX}{pid}-stage"]
    live = tmp_path / f"{scratch.PREFIX}1-init"  # pid 1 is alive: never touched
    for d in (*stale, live):
        d.mkdir()
        (d / "rows.arrow").write_bytes(b"personal data")
    try:
        with open_store(url) as store:
            rep = import_file(store, _write(tmp_path / "a.csv", _people(_ids(2))), workers=0)
        assert rep.inserted == 2
        assert [d.exists() for d in stale] == [False, False] and live.exists()
    finally:
        for d in stale:
            shutil.rmtree(d, ignore_errors=True)


# -- 9. registry, journal and WAL files 0600 in a 0700 home ----------------------------------

def test_registry_files_are_0600_and_the_home_0700_whatever_the_umask(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    monkeypatch.setenv("CARDKIT_HOME", str(home))
    old = os.umask(0)
    try:
        with open_store() as store:
            Journal(store).append(_record(0))
            modes = {p.name: p.stat().st_mode & 0o777 for p in home.iterdir()}
    finally:
        os.umask(old)
    assert home.stat().st_mode & 0o777 == 0o700
    assert modes == {"registry.sqlite3": 0o600, "registry.sqlite3-wal": 0o600, "registry.sqlite3-shm": 0o600,
                     "registry.sqlite3-import.lock": 0o600}


def test_an_existing_looser_registry_is_tightened(tmp_path):
    url = tmp_path / "r.sqlite3"
    open_store(str(url)).close()
    os.chmod(url, 0o644)
    open_store(str(url)).close()
    assert url.stat().st_mode & 0o777 == 0o600


_SLOW_CHILD = """
import sys, time
from cardkit.registry.load import adbc as adbcload, sqlite
sqlite.ADBC_MIN_ROWS = 10
def slow(db, ipc, *args):
    print(ipc, flush=True)
    time.sleep(60)
adbcload.run_child = slow
from cardkit.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("sig, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_shm_scratch_is_removed_when_the_import_process_is_signalled(tmp_path, sig, status):
    path = _write(tmp_path / "a.csv", _people(_ids(30)))
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_CHILD, "registry", "import", str(path), "--db",
                             str(tmp_path / "r.sqlite3"), "--no-progress", "--workers", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ipc = Path(proc.stdout.readline().strip())  # the hand-over file exists: the "child" runs
        assert ipc.exists() and ipc.parent.name.startswith(f"{scratch.PREFIX}{proc.pid}-")
        proc.send_signal(sig)
        assert proc.wait(timeout=30) == status
    finally:
        proc.kill()
        proc.wait()
    assert not ipc.parent.exists() and proc.stderr.read() == ""
