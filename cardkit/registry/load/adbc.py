# SPDX-License-Identifier: Apache-2.0
"""Write a large sorted batch of stored rows into the SQLite registry with ADBC, in a child process.

Binding 19 values a row through Python's ``sqlite3`` costs ~10 µs a row; ADBC's SQLite driver
binds Arrow columns in C (~4 µs a row, most of it SQLite's own work). The driver carries its own
copy of the SQLite library, and two copies of SQLite in one process must never open the same
database file: closing a file in one releases the other's POSIX locks (sqlite.org/howtocorrupt
2.2.1). So the write runs in a separate process (``python -m cardkit.registry.load.adbc``): the
parent writes the rows as an Arrow IPC file, the child upserts them (and builds the indexes the
caller dropped) in one transaction and prints ``{"written": N, "journal": ...}``.

If no other connection has the registry open, the child switches it to rollback-journal mode for
the load (switching out of WAL needs that): the new pages are then written once, not to the WAL
and again by a checkpoint; synchronous=FULL fsyncs journal and file at commit, and a killed load
leaves a hot journal that the next opener rolls back. WAL mode is restored at the end (and every
cardkit connection sets it anyway). Otherwise the load runs in WAL mode as any other write.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from cardkit.errors import CardkitError

LOAD_CACHE = -1048576  # PRAGMA cache_size while a bulk load runs (negative: KiB): 1 GiB


class LoadError(CardkitError):
    message_vi = "Ghi dữ liệu nhập vào cơ sở dữ liệu thất bại."


def run_child(db: Path, rows_ipc: Path, upsert_sql: str, index_statements: Sequence[str]) -> dict:
    """Run the load in a child process; returns its result or raises :class:`LoadError`."""
    request = {"db": str(db), "rows": str(rows_ipc), "upsert": upsert_sql, "indexes": list(index_statements)}
    proc = subprocess.run(  # noqa: S603 - our own module, with this interpreter
        [sys.executable, "-m", "cardkit.registry.load.adbc"], input=json.dumps(request),
        capture_output=True, text=True, check=False,
    )
    try:
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    if proc.returncode != 0 or "error" in result:
        raise LoadError(f"import write failed: {result.get('error', proc.returncode)}")
    return result


def load(db: str, rows_ipc: str, upsert_sql: str, index_statements: Sequence[str]) -> dict:
    import adbc_driver_sqlite.dbapi as adbc
    import pyarrow as pa

    with pa.memory_map(rows_ipc) as source:
        table = pa.ipc.open_file(source).read_all()
    conn = adbc.connect(db, autocommit=True)
    try:
        cur = conn.cursor()
        try:
            def pragma(sql: str) -> object:
                cur.execute(f"PRAGMA {sql}")
                got = cur.fetchall()
                return got[0][0] if got else None

            try:
                journal = str(pragma("journal_mode = DELETE")).lower()
            except adbc.Error:  # another connection holds the file: stay in WAL mode
                journal = "wal"
            pragma("busy_timeout = 30000")
            pragma("synchronous = FULL" if journal == "delete" else "synchronous = NORMAL")
            pragma(f"cache_size = {LOAD_CACHE}")
            pragma("threads = 2")  # sorter helper threads for the index builds
            seconds: dict[str, float] = {}
            t = time.perf_counter()
            cur.execute("BEGIN IMMEDIATE")
            try:
                cur.execute("SELECT total_changes()")
                before = cur.fetchall()[0][0]
                cur.executemany(upsert_sql, table)
                cur.execute("SELECT total_changes()")
                written = cur.fetchall()[0][0] - before
                seconds["rows"] = time.perf_counter() - t
                for sql in index_statements:
                    cur.execute(sql)
                seconds["indexes"] = time.perf_counter() - t - seconds["rows"]
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            t = time.perf_counter()
            cur.execute("COMMIT")
            seconds["commit"] = time.perf_counter() - t
            if journal == "delete":
                pragma("journal_mode = WAL")
            return {"written": written, "journal": journal, "seconds": {k: round(v, 2) for k, v in seconds.items()}}
        finally:
            cur.close()
    finally:
        conn.close()


def main() -> int:
    try:
        request = json.loads(sys.stdin.read())
        result = load(request["db"], request["rows"], request["upsert"], request["indexes"])
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:500]}))
        return 2
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
