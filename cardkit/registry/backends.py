# SPDX-License-Identifier: Apache-2.0
"""The two database backends behind :class:`cardkit.registry.store.Store`.

Both speak the same small interface (query, execute, transaction, bulk upsert), so every SQL
statement of the store is written once with ``?`` placeholders. They differ only where speed or
safety demands: SQLite runs in WAL mode with explicit ``BEGIN IMMEDIATE`` transactions. A file
import hands over its rows as Arrow frames: SQLite writes them in key order with ADBC (see the
bulk load section), PostgreSQL ``COPY``s them into a temporary table and merges them with one
``INSERT ... ON CONFLICT``; both with the same "last row wins" rule.
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
from functools import lru_cache
from pathlib import Path

from cardkit.errors import CardkitError
from cardkit.home import ensure_parent, private_file
from cardkit.registry import scratch
from cardkit.registry.adbcload import LOAD_CACHE
from cardkit.registry.row import STORED_COLUMNS

RESIDENT_COLUMNS = STORED_COLUMNS  # the stored row's columns, as the SQL below names them
_COLS = ", ".join(RESIDENT_COLUMNS)
_UPDATE_SET = ", ".join(f"{c} = excluded.{c}" for c in RESIDENT_COLUMNS[1:])
# Rows whose content did not change keep their updated_at: re-importing a file changes nothing.
UPSERT_TAIL = f"ON CONFLICT (rkey) DO UPDATE SET {_UPDATE_SET} WHERE residents.content_hash <> excluded.content_hash"
_MARKS = ", ".join("?" * len(RESIDENT_COLUMNS))
_STAGE_COLS = ", ".join(f"s.{c}" for c in RESIDENT_COLUMNS)


class StoreError(CardkitError):
    message_vi = "Lỗi cơ sở dữ liệu đăng ký cư dân."


class StoreFullError(StoreError):
    """The database's disk (or its size limit) is full: the write was rolled back."""

    message_vi = "Ổ đĩa chứa cơ sở dữ liệu đã đầy: dữ liệu chưa được lưu."


SQLITE_FULL = 13  # sqlite3.SQLITE_FULL, the primary result code
PG_DISK_FULL = "53100"  # SQLSTATE disk_full (PostgreSQL Appendix A)


def store_failure(exc: Exception, doing: str, doing_vi: str) -> StoreError:
    """The typed error for a database error ``exc`` raised while ``doing``.

    A full disk is :class:`StoreFullError`; otherwise SQLite's message (it names tables and
    constraints, never values) or, for PostgreSQL, only the error class (its details may quote
    values)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if (code is not None and code & 0xFF == SQLITE_FULL) or getattr(exc, "sqlstate", None) == PG_DISK_FULL:
        return StoreFullError(f"{doing}: the database disk is full",
                              message_vi=f"{doing_vi}: ổ đĩa chứa cơ sở dữ liệu đã đầy.")
    detail = str(exc) if isinstance(exc, sqlite3.Error) else type(exc).__name__
    return StoreError(f"{doing}: {detail}", message_vi=f"{doing_vi}: lỗi cơ sở dữ liệu.")


log = logging.getLogger(__name__)
MEMORY_SHARE = 0.25  # a bulk load keeps its rows in memory up to this share of the RAM
ADBC_MIN_ROWS = 20000  # fewer rows are bound from Python: no child process for small loads


def memory_budget() -> int:
    """Bytes of parsed rows a SQLite bulk load may keep in memory before staging them on disk."""
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
            self.conn.executemany(f"INSERT INTO residents ({_COLS}) VALUES ({_MARKS}) {UPSERT_TAIL}", rows)
        return self.conn.total_changes - before

    # -- bulk load -----------------------------------------------------------------------------
    # Rows arrive as Polars frames (row.frame_schema(), with ord: input position; for one
    # key the highest ord wins). Binding 19 values a row through this module costs ~10 µs a row,
    # so large loads are written by ADBC's SQLite driver, which binds Arrow columns in C:
    #
    # * In memory (the rows fit in MEMORY_SHARE of the RAM): batches are kept; at the end the
    #   winner of each key is kept and sorted by key (Polars), and the registry B-tree is written
    #   in key order in one transaction, with the indexes the caller dropped. Small loads are
    #   bound from Python here; large ones by :mod:`adbcload` in a child process (never two
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
        rows = winners(self.frames)
        self.frames, self.frames_bytes = [], 0
        if rows.height < ADBC_MIN_ROWS or backend.path == ":memory:":
            return backend.bulk_upsert(list(rows.iter_rows()))
        return self._merge_in_child(rows)

    def _merge_in_child(self, rows) -> int:
        """The winners written by :mod:`adbcload` in a child process, while our connection is closed."""
        import polars as pl

        from cardkit.registry import adbcload

        backend = self.backend
        # The hand-over file: in shared memory when there is room (no disk writes), else on disk.
        size = rows.estimated_size()
        shm = scratch.SHM_DIR if os.path.isdir(scratch.SHM_DIR) and shutil.disk_usage(scratch.SHM_DIR).free > 2 * size \
            else None
        with scratch.folder(shm or backend.scratch_dir()) as work:
            ipc = Path(work) / "rows.arrow"
            # large_string columns (CompatLevel.oldest): ADBC binds them faster than string views.
            rows.write_ipc(ipc, compat_level=pl.CompatLevel.oldest())
            del rows
            backend.disconnect()  # lets the child switch the file out of WAL when nobody else has it
            try:
                # Into the empty registry (its indexes dropped for this load) the keys, unique by
                # now, need no conflict handling: a plain INSERT is ~20% cheaper. Should another
                # writer have added a row meanwhile, the INSERT fails and the load changes nothing.
                tail = "" if self.index_statements else f" {UPSERT_TAIL}"
                result = adbcload.run_child(Path(backend.path).expanduser(), ipc,
                                            f"INSERT INTO residents ({_COLS}) VALUES ({_MARKS}){tail}",
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
                    f"INSERT INTO residents ({_COLS}) SELECT {_STAGE_COLS} FROM import_stage.win AS w "
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


@lru_cache(maxsize=256)
def _pg_sql(sql: str) -> str:
    return re.sub(r"\?", "%s", sql)


class PostgresBackend:
    dialect = "postgres"

    def __init__(self, dsn: str) -> None:
        try:
            import psycopg
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise StoreError(
                "PostgreSQL support needs psycopg: pip install 'cardkit[pg]'",
                message_vi="Thiếu thư viện psycopg để kết nối PostgreSQL.",
            ) from exc
        try:
            self.conn = psycopg.connect(dsn, autocommit=True)
            self.errors = (psycopg.Error,)
        except psycopg.Error as exc:
            # The DSN may hold a password: say what failed, not the DSN.
            raise StoreError(
                f"cannot connect to PostgreSQL: {type(exc).__name__}",
                message_vi="Không kết nối được tới máy chủ PostgreSQL.",
            ) from exc

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        with self.conn.cursor() as cur:
            cur.execute(_pg_sql(sql), params)
            return cur.fetchall() if cur.description else []

    def execute(self, sql: str, params: Sequence[object] = ()) -> int:
        with self.conn.cursor() as cur:
            cur.execute(_pg_sql(sql), params)
            return cur.rowcount

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    def bulk_upsert(self, rows: list[tuple]) -> int:
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS residents_load "
                "(LIKE residents INCLUDING DEFAULTS, ord BIGINT) ON COMMIT DELETE ROWS"
            )
            with cur.copy(f"COPY residents_load ({_COLS}, ord) FROM STDIN") as copy:
                for i, row in enumerate(rows):
                    copy.write_row((*row, i))
            # The last occurrence of a key in the batch wins, as it would row by row.
            cur.execute(
                f"INSERT INTO residents ({_COLS}) SELECT DISTINCT ON (rkey) {_COLS} FROM residents_load "
                f"ORDER BY rkey, ord DESC {UPSERT_TAIL}"
            )
            return cur.rowcount

    # -- bulk load ------------------------------------------------------------------------------
    # Into an empty registry: one transaction for the whole load; the primary key is dropped and
    # every batch goes down one COPY into the bare table while the file is still being parsed
    # (the server inserts on the other core); the key is added back at the end (one sort). A key
    # seen twice ends the direct COPY: the key is added back, and the remaining batches go to a
    # temporary table with their ord, merged at the end with DISTINCT ON + ON CONFLICT (the last
    # row of a key wins). All of it commits or rolls back together (DDL is transactional here).
    # Into a non-empty registry, as on SQLite: rows that fit in memory are kept, the winner of each
    # key sorted by key (Polars), COPYed into a temporary table and merged with one INSERT ... ON
    # CONFLICT; more rows stream into the temporary table with their ord.

    @contextlib.contextmanager
    def load_lock(self, on_wait: Callable[[], None] | None = None, *, wait: bool = True) -> Iterator[bool]:
        """One bulk load at a time per registry (database and schema), across processes and
        hosts: a session-level advisory lock. ``on_wait``, ``wait``: as for SQLite."""
        key = "SELECT 7254002, hashtext(current_schema())"
        if not self.query(f"SELECT pg_try_advisory_lock(k, s) FROM ({key}) AS l(k, s)")[0][0]:
            if on_wait is not None:
                on_wait()
            if not wait:
                yield False
                return
            self.query(f"SELECT pg_advisory_lock(k, s) FROM ({key}) AS l(k, s)")
        try:
            yield True
        finally:
            if not self.conn.closed and self.conn.info.transaction_status == 0:
                self.query(f"SELECT pg_advisory_unlock(k, s) FROM ({key}) AS l(k, s)")
            # else: the connection is unusable or mid-transaction; closing it releases the lock

    def begin_load(self, index_statements: Sequence[str] = ()) -> PostgresLoad:
        """A bulk load (use it as a context manager); ``index_statements``: as for SQLite."""
        return PostgresLoad(self, index_statements)

    def rebuild_indexes(self, statements: Sequence[str]) -> None:
        with self.conn.transaction():
            for sql in statements:
                self.execute(sql)

    def analyze(self) -> None:
        self.execute("ANALYZE residents")

    def integrity_ok(self) -> bool:
        # PostgreSQL recovers from its own WAL; a readable catalogue and tables is the check here.
        return self.query("SELECT count(*) FROM schema_migrations")[0][0] >= 1

    def lock_for_migration(self) -> None:
        self.execute("SELECT pg_advisory_xact_lock(7254001)")

    def close(self) -> None:
        self.conn.close()


class _Aborted(StoreError):
    pass


def _unwind(stack: contextlib.ExitStack, error: BaseException) -> None:
    """Close ``stack`` as if ``error`` had been raised in its block: a COPY fails, a transaction
    rolls back."""
    with contextlib.suppress(type(error)), stack:
        raise error


class PostgresLoad:
    """One bulk load into a :class:`PostgresBackend` (see the bulk load section there).

    A context manager: ``stage`` frames, then ``merge``; ``abort`` on error; leaving the block
    always ends what is still open."""

    def __init__(self, backend: PostgresBackend, index_statements: Sequence[str] = ()) -> None:
        self.backend = backend
        self.empty = bool(index_statements)  # the caller dropped the indexes of an empty table
        self.frames: list = []
        self.frames_bytes = 0
        self.budget = memory_budget()
        self.streaming = False  # rows go to the temporary table residents_stage
        self.seen: set[str] = set()  # keys sent down the direct COPY
        self.tx: contextlib.ExitStack | None = None  # the load's own transaction (empty registry)
        self.direct: contextlib.ExitStack | None = None  # the direct COPY into residents
        self.direct_copy = None
        self.pk: str | None = None  # the primary key dropped for the direct COPY

    def __enter__(self) -> PostgresLoad:
        b = self.backend
        b.execute("SET maintenance_work_mem = '512MB'")  # index rebuild after a load into an empty table
        if self.empty and b.conn.info.transaction_status == 0:
            self.tx = contextlib.ExitStack()
            self.tx.enter_context(b.conn.transaction())
            self.pk = b.query(
                "SELECT conname FROM pg_constraint WHERE conrelid = 'residents'::regclass AND contype = 'p'")[0][0]
            b.execute(f"ALTER TABLE residents DROP CONSTRAINT {self.pk}")
            self.direct = contextlib.ExitStack()
            cur = self.direct.enter_context(b.conn.cursor())
            self.direct_copy = self.direct.enter_context(cur.copy(f"COPY residents ({_COLS}) FROM STDIN (FORMAT csv)"))
        return self

    def __exit__(self, *exc: object) -> None:
        self.end()

    def _end_direct(self) -> None:
        """Finish the direct COPY and put the primary key back."""
        if self.direct is not None:
            direct, self.direct = self.direct, None
            direct.close()
            self.backend.execute(f"ALTER TABLE residents ADD CONSTRAINT {self.pk} PRIMARY KEY (rkey)")

    def stage(self, frame) -> None:
        if self.direct is not None:
            keys = frame["rkey"].to_list()
            fresh = set(keys)
            if len(fresh) == len(keys) and self.seen.isdisjoint(fresh):
                self.seen |= fresh
                self.direct_copy.write(_csv(frame.select(RESIDENT_COLUMNS)))
                return
            self.seen = set()
            self._end_direct()  # a key again: from here on, rows are merged at the end
            self._start_streaming()
        size = frame.estimated_size()
        if not self.streaming and self.frames_bytes + size <= self.budget:
            self.frames.append(frame)
            self.frames_bytes += size
            return
        if not self.streaming:
            self._start_streaming()
        self._copy_stage(frame)

    def _start_streaming(self) -> None:
        self.streaming = True
        self.backend.execute("DROP TABLE IF EXISTS pg_temp.residents_stage")
        self.backend.execute("CREATE TEMP TABLE residents_stage (LIKE residents, ord BIGINT NOT NULL)")
        for kept in self.frames:
            self._copy_stage(kept)
        self.frames, self.frames_bytes = [], 0

    def _copy_stage(self, frame) -> None:
        conn = self.backend.conn
        with conn.transaction(), conn.cursor() as cur:
            _copy(cur, "pg_temp.residents_stage", f"{_COLS}, ord", frame.select(*RESIDENT_COLUMNS, "ord"))

    def _merge_streamed(self) -> int:
        conn = self.backend.conn
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '256MB'")
            # The last row of the file for a key wins, as on SQLite.
            cur.execute(
                f"INSERT INTO residents ({_COLS}) SELECT DISTINCT ON (rkey) {_COLS} FROM pg_temp.residents_stage "
                f"ORDER BY rkey, ord DESC {UPSERT_TAIL}"
            )
            return cur.rowcount

    def merge(self) -> int:
        if self.tx is not None:  # the load into an empty registry: finish it and commit
            self._end_direct()
            if self.streaming:
                self._merge_streamed()
            count = int(self.backend.query("SELECT count(*) FROM residents")[0][0])
            tx, self.tx = self.tx, None
            tx.close()
            return count  # all of them new: the registry was empty
        if self.streaming:
            return self._merge_streamed()
        if not self.frames:
            return 0
        rows = winners(self.frames)
        self.frames, self.frames_bytes = [], 0
        conn = self.backend.conn
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE residents_sorted (LIKE residents) ON COMMIT DROP")
            _copy(cur, "pg_temp.residents_sorted", _COLS, rows)
            cur.execute(f"INSERT INTO residents ({_COLS}) SELECT {_COLS} FROM pg_temp.residents_sorted "
                        f"WHERE true {UPSERT_TAIL}")
            return cur.rowcount

    def abort(self) -> None:
        """The load failed: end the direct COPY and roll its transaction back."""
        if self.tx is not None:
            aborted = _Aborted("bulk load aborted", message_vi="Việc nhập dữ liệu đã bị hủy.")
            try:
                if self.direct is not None:
                    direct, self.direct = self.direct, None
                    _unwind(direct, aborted)
            finally:
                tx, self.tx = self.tx, None
                _unwind(tx, aborted)

    def end(self) -> None:
        self.frames, self.frames_bytes, self.seen = [], 0, set()
        self.abort()  # still open only if the load did not finish
        b = self.backend
        if b.conn.info.transaction_status == 0:  # idle: not inside a caller's transaction
            b.execute("DROP TABLE IF EXISTS pg_temp.residents_stage")
            b.execute("RESET maintenance_work_mem")


def _csv(frame) -> bytes:
    # An empty unquoted CSV field is NULL in COPY's CSV format; stored rows have no "" values.
    return frame.write_csv(include_header=False).encode("utf-8")


def _copy(cur, table: str, cols: str, frame) -> None:
    data = memoryview(_csv(frame))
    with cur.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as copy:
        for i in range(0, len(data), 1 << 24):
            copy.write(data[i:i + (1 << 24)])
