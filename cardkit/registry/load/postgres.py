# SPDX-License-Identifier: Apache-2.0
"""The PostgreSQL backend of :class:`cardkit.registry.store.Store` (psycopg 3) and its bulk load.

Statements come with ``?`` placeholders (:mod:`cardkit.registry.backend`) and are run as psycopg's
``%s``. A file import ``COPY``s its rows (Polars frames, :func:`row.frame_schema`) into the
registry: see :class:`PostgresLoad`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

from cardkit.registry.backend import StoreError
from cardkit.registry.load.common import COLS, RESIDENT_COLUMNS, UPSERT_TAIL, Winners, memory_budget


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
            with cur.copy(f"COPY residents_load ({COLS}, ord) FROM STDIN") as copy:
                for i, row in enumerate(rows):
                    copy.write_row((*row, i))
            # The last occurrence of a key in the batch wins, as it would row by row.
            cur.execute(
                f"INSERT INTO residents ({COLS}) SELECT DISTINCT ON (rkey) {COLS} FROM residents_load "
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
            self.direct_copy = self.direct.enter_context(cur.copy(f"COPY residents ({COLS}) FROM STDIN (FORMAT csv)"))
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
            _copy(cur, "pg_temp.residents_stage", f"{COLS}, ord", frame.select(*RESIDENT_COLUMNS, "ord"))

    def _merge_streamed(self) -> int:
        conn = self.backend.conn
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '256MB'")
            # The last row of the file for a key wins, as on SQLite.
            cur.execute(
                f"INSERT INTO residents ({COLS}) SELECT DISTINCT ON (rkey) {COLS} FROM pg_temp.residents_stage "
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
        rows = Winners(self.frames)
        self.frames, self.frames_bytes = [], 0
        conn = self.backend.conn
        with conn.transaction(), conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE residents_sorted (LIKE residents) ON COMMIT DROP")
            for part in rows.slices():
                _copy(cur, "pg_temp.residents_sorted", COLS, part)
            cur.execute(f"INSERT INTO residents ({COLS}) SELECT {COLS} FROM pg_temp.residents_sorted "
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
