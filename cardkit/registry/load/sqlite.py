# SPDX-License-Identifier: Apache-2.0
"""The SQLite backend of :class:`cardkit.registry.store.Store` and its bulk load.

SQLite runs in WAL mode with explicit ``BEGIN IMMEDIATE`` transactions; every statement of the
store is written once with ``?`` placeholders (:mod:`cardkit.registry.backend`). A file import
hands over its rows as Polars frames (:func:`row.frame_schema`) to a :class:`SqliteLoad`, which
writes the winner of each key (the last row of the file) in key order in one transaction.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from cardkit.home import ensure_parent, private_file
from cardkit.registry.backend import StoreError
from cardkit.registry.load import adbc, scratch
from cardkit.registry.load.adbc import LOAD_CACHE
from cardkit.registry.load.common import COLS, INSERT, RESIDENT_COLUMNS, UPSERT_TAIL, Winners, memory_budget

log = logging.getLogger(__name__)
ADBC_MIN_ROWS = 20000  # fewer rows are bound from Python: no child process for small loads
_STAGE_COLS = ", ".join(f"s.{c}" for c in RESIDENT_COLUMNS)

def _private_database(path: Path) -> None:
    """The registry file (and its -wal/-shm/-journal, which SQLite creates with the database
    file's mode) 0600; a missing folder is created 0700. Typed errors, not tracebacks."""
    path = ensure_parent(path)
    private_file(path)  # a folder in its place: EISDIR, a FileAccessError
    for suffix in ("-wal", "-shm", "-journal"):
        side = Path(str(path) + suffix)
        if side.exists():
            private_file(side)


class SqliteBackend:
    dialect = "sqlite"
    errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def __init__(self, path: str, *, cache_mb: int = 256) -> None:
        self.cache_pages = -cache_mb * 1024  # negative: KiB
        self.path = path
        if path != ":memory:":
            _private_database(Path(path))
        # Rows a killed import left in scratch (personal data): gone at the next open.
        scratch.sweep_stale([scratch.SHM_DIR, self.scratch_dir()])
        self._depth = 0
        self.loading = False  # a bulk load runs: its connection settings, also after reconnect()
        self.conn = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(str(Path(self.path).expanduser()), isolation_level=None, timeout=30)
            for pragma in (
                "journal_mode = WAL",
                # NORMAL in WAL mode: a killed process never corrupts the file or loses a commit;
                # only a power cut can lose the last commits.
                "synchronous = NORMAL",
                "busy_timeout = 30000",
                f"cache_size = {LOAD_CACHE if self.loading else self.cache_pages}",
                "temp_store = MEMORY",
                # After a big import the WAL file is cut back to this size once checkpointed.
                "journal_size_limit = 67108864",
            ):
                conn.execute(f"PRAGMA {pragma}")
            if self.loading:
                conn.execute("PRAGMA threads = 2")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store: {exc}", message_vi="Không mở được tệp cơ sở dữ liệu.") from exc
        return conn

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back (SQLITE_FULL does): a second ROLLBACK would
            # then replace the error that matters with "no transaction is active".
            if self.conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0

    def in_transaction(self) -> bool:
        """Inside a transaction of :meth:`transaction` (a caller's, around a load)."""
        return bool(self._depth)

    def bulk_upsert(self, rows: list[tuple]) -> int:
        before = self.conn.total_changes
        with self.transaction():
            self.conn.executemany(f"{INSERT} {UPSERT_TAIL}", rows)
        return self.conn.total_changes - before

    # -- bulk load -----------------------------------------------------------------------------
    # Rows arrive as Polars frames (row.frame_schema(), with ord: input position; for one
    # key the highest ord wins). Binding 19 values a row through this module costs ~10 µs a row,
    # so large loads are written by ADBC's SQLite driver, which binds Arrow columns in C:
    #
    # * In memory (the rows fit in MEMORY_SHARE of the RAM): batches are kept; at the end the
    #   winner of each key is kept and sorted by key (Polars), and the registry B-tree is written
    #   in key order in one transaction, with the indexes the caller dropped. Small loads are
    #   bound from Python here; large ones by :mod:`load.adbc` in a child process (never two
    #   SQLite libraries on one file in one process), while this connection is closed.
    # * Staged (more rows than that): batches are written as they come to a scratch database of
    #   this import (ADBC, in this process: no other connection ever opens that file; journal
    #   off: it is thrown away on any error), with ord as the rowid. The winners are found from
    #   the keys alone (Polars) and written as the table ``win`` in key order; after ADBC has
    #   closed the scratch file, this connection ATTACHes it and upserts the winners, fetched by
    #   rowid, in key order.
    #
    # Either way the registry changes in one transaction: all or nothing.

    @contextlib.contextmanager
    def load_lock(self, on_wait: Callable[[], None] | None = None, *, wait: bool = True) -> Iterator[bool]:
        """One bulk load at a time per registry file, across processes: an exclusive ``flock``
        on ``<registry>-import.lock``, held from the first count to the last (the ADBC child
        writes through its own connection, so no transaction of ours can span the load).
        ``on_wait`` is called once if another load holds the lock; then this one waits, or with
        ``wait=False`` goes on without it. Yields whether the lock is held."""
        if self.path == ":memory:":
            yield True
            return
        lock = private_file(Path(str(Path(self.path).expanduser()) + "-import.lock"))
        fd = os.open(lock, os.O_RDWR | getattr(os, "O_CLOEXEC", 0))
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait()
                if not wait:
                    yield False
                    return
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield True
        finally:
            os.close(fd)  # releases the lock

    def begin_load(self, index_statements: Sequence[str] = ()) -> SqliteLoad:
        """A bulk load (use it as a context manager). ``index_statements``: indexes the caller
        dropped for this load (empty table); the in-memory path builds them in its own
        transaction, the caller's rebuild finds them."""
        return SqliteLoad(self, index_statements)

    def disconnect(self) -> None:
        """Close the connection for a while (a child process writes the file meanwhile)."""
        self.conn.close()

    def connect(self) -> None:
        """Open the connection again after :meth:`disconnect`."""
        self.conn = self._connect()

    def scratch_dir(self) -> str | None:
        """Scratch files go next to the registry (its disk has room for it), else to the temp dir."""
        return None if self.path == ":memory:" else str(Path(self.path).expanduser().resolve().parent)

    def rebuild_indexes(self, statements: Sequence[str]) -> None:
        """Build indexes after a load into an empty table, in one transaction.

        The load left the new rows in the WAL; copying them into the database file (a checkpoint:
        disk writes and fsync) runs in a second connection meanwhile, so the index sorts (CPU)
        and the checkpoint (I/O) overlap. Automatic checkpoints are off until then."""
        import threading

        names = [re.search(r"INDEX IF NOT EXISTS (\w+)", sql).group(1) for sql in statements]
        have = {r[0] for r in self.query("SELECT name FROM sqlite_master WHERE type = 'index'")}
        if all(n in have for n in names):
            return  # built by the load itself
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")

        def checkpoint() -> None:
            try:
                side = sqlite3.connect(str(Path(self.path).expanduser()), isolation_level=None, timeout=30)
                try:
                    side.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                finally:
                    side.close()
            except sqlite3.Error:
                pass  # only speed depends on it: the checkpoint below does what this one could not

        worker = threading.Thread(target=checkpoint, name="cardkit-checkpoint", daemon=True)
        if self.path != ":memory:":
            worker.start()
        try:
            with self.transaction():
                for sql in statements:
                    self.conn.execute(sql)
        finally:
            if worker.ident is not None:  # started
                worker.join()
            self.conn.execute("PRAGMA wal_autocheckpoint = 1000")
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def analyze(self) -> None:
        # Sampled statistics: a full ANALYZE reads every index (seconds per million rows).
        self.execute("PRAGMA analysis_limit = 1000")
        self.execute("ANALYZE")

    def integrity_ok(self) -> bool:
        return self.query("PRAGMA integrity_check")[0][0] == "ok"

    def lock_for_migration(self) -> None:
        pass  # BEGIN IMMEDIATE already excludes other writers

    def close(self) -> None:
        self.conn.close()


class SqliteLoad:
    """One bulk load into a :class:`SqliteBackend` (see the bulk load section there).

    A context manager: ``stage`` frames, then ``merge``; ``abort`` on error; leaving the block
    always throws the scratch away and restores the connection's settings."""

    def __init__(self, backend: SqliteBackend, index_statements: Sequence[str] = ()) -> None:
        self.backend = backend
        self.index_statements = list(index_statements)
        self.frames: list = []  # kept in memory while they fit in the budget
        self.frames_bytes = 0
        self.budget = memory_budget()
        self.stage_db: tuple | None = None  # (connection, cursor) of the scratch database, once needed
        self.stage_dir: str | None = None
        self.keys: list = []  # (rkey, ord) of the staged rows

    def __enter__(self) -> SqliteLoad:
        conn = self.backend.conn
        self.backend.loading = True
        conn.execute(f"PRAGMA cache_size = {LOAD_CACHE}")  # the merge and index builds touch every page
        conn.execute("PRAGMA threads = 2")  # sorter helper threads for the index builds
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()

    def _open_stage(self) -> None:
        import adbc_driver_sqlite.dbapi as adbc

        self.stage_dir = scratch.make(self.backend.scratch_dir())
        # autocommit: each batch is its own transaction; the file is scratch either way.
        conn = adbc.connect(os.path.join(self.stage_dir, "stage.sqlite3"), autocommit=True)
        cur = conn.cursor()
        self.stage_db = (conn, cur)
        for pragma in ("journal_mode = OFF", "synchronous = OFF"):
            cur.execute(f"PRAGMA {pragma}")
            cur.fetchall()
        cols = ", ".join(f"{c} TEXT" for c in RESIDENT_COLUMNS)
        cur.execute(f"CREATE TABLE stage (ord INTEGER PRIMARY KEY, {cols})")

    def stage(self, frame) -> None:
        size = frame.estimated_size()
        if self.stage_db is None and self.frames_bytes + size <= self.budget:
            self.frames.append(frame)
            self.frames_bytes += size
            return
        if self.stage_db is None:
            self._open_stage()
            for kept in self.frames:
                self._ingest(kept)
            self.frames, self.frames_bytes = [], 0
        self._ingest(frame)

    def _ingest(self, frame) -> None:
        self.stage_db[1].adbc_ingest("stage", frame.select("ord", *RESIDENT_COLUMNS).sort("ord"), mode="append")
        self.keys.append(frame.select("rkey", "ord"))

    def _close_stage(self) -> None:
        if self.stage_db is not None:
            conn, cur = self.stage_db
            self.stage_db = None
            cur.close()
            conn.close()

    def merge(self) -> int:
        """Write the winners of the staged rows into the registry, in one transaction."""
        backend = self.backend
        if backend.conn.in_transaction:
            raise StoreError("a bulk load cannot end inside a transaction",
                             message_vi="Không thể nạp dữ liệu hàng loạt trong một giao dịch đang mở.")
        if self.stage_db is not None:
            return self._merge_staged()
        if not self.frames:
            return 0
        # The last row of the input for a key wins; key order writes the B-tree in order.
        rows, size = Winners(self.frames), self.frames_bytes
        self.frames, self.frames_bytes = [], 0
        if len(rows) < ADBC_MIN_ROWS or backend.path == ":memory:":
            return backend.bulk_upsert(list(rows.all().iter_rows()))
        return self._merge_in_child(rows, size)

    @staticmethod
    def _write_ipc(rows: Winners, path: Path) -> None:
        """The winners as an Arrow IPC file, slice by slice; large_string columns
        (CompatLevel.oldest): ADBC binds them faster than string views."""
        import polars as pl
        import pyarrow as pa

        writer = None
        with pa.OSFile(str(path), "wb") as sink:
            for part in rows.slices():
                table = part.to_arrow(compat_level=pl.CompatLevel.oldest())
                writer = writer or pa.ipc.new_file(sink, table.schema)
                writer.write_table(table)
            if writer is not None:
                writer.close()

    def _merge_in_child(self, rows: Winners, size: int) -> int:
        """The winners written by :mod:`load.adbc` in a child process, while our connection is closed."""
        backend = self.backend
        # The hand-over file: in shared memory when there is room (no disk writes), else on disk.
        shm = scratch.SHM_DIR if os.path.isdir(scratch.SHM_DIR) and shutil.disk_usage(scratch.SHM_DIR).free > 2 * size \
            else None
        with scratch.folder(shm or backend.scratch_dir()) as work:
            ipc = Path(work) / "rows.arrow"
            self._write_ipc(rows, ipc)
            rows.release()  # the parsed rows are not needed while the child writes
            backend.disconnect()  # lets the child switch the file out of WAL when nobody else has it
            try:
                # Into the empty registry (its indexes dropped for this load) the keys, unique by
                # now, need no conflict handling: a plain INSERT is ~20% cheaper. Should another
                # writer have added a row meanwhile, the INSERT fails and the load changes nothing.
                tail = "" if self.index_statements else f" {UPSERT_TAIL}"
                result = adbc.run_child(Path(backend.path).expanduser(), ipc, f"{INSERT}{tail}",
                                        self.index_statements)
                log.debug("registry load child: %s", result)
            finally:
                backend.connect()
        return int(result["written"])

    def _merge_staged(self) -> int:
        import polars as pl

        _conn, cur = self.stage_db
        keys = pl.concat(self.keys)
        self.keys = []
        win = keys.group_by("rkey").agg(pl.col("ord").max()).sort("rkey").select("ord")
        cur.adbc_ingest("win", win, mode="create")
        self._close_stage()
        conn = self.backend.conn
        conn.execute("ATTACH DATABASE ? AS import_stage", (os.path.join(self.stage_dir, "stage.sqlite3"),))
        try:
            before = conn.total_changes
            with self.backend.transaction():
                conn.execute(
                    f"INSERT INTO residents ({COLS}) SELECT {_STAGE_COLS} FROM import_stage.win AS w "
                    f"CROSS JOIN import_stage.stage AS s ON s.ord = w.ord WHERE true ORDER BY w.rowid {UPSERT_TAIL}"
                )
            return conn.total_changes - before
        finally:
            conn.execute("DETACH DATABASE import_stage")

    def abort(self) -> None:
        self._close_stage()  # nothing was written to the registry yet

    def end(self) -> None:
        self._close_stage()
        self.keys, self.frames, self.frames_bytes = [], [], 0
        self.backend.loading = False
        if self.stage_dir:
            shutil.rmtree(self.stage_dir, ignore_errors=True)
            self.stage_dir = None
        if not self.backend.in_transaction():
            self.backend.conn.execute("PRAGMA threads = 0")
            self.backend.conn.execute(f"PRAGMA cache_size = {self.backend.cache_pages}")
