# SPDX-License-Identifier: Apache-2.0
"""The two database backends behind :class:`cardkit.registry.store.Store`.

Both speak the same small interface (query, execute, transaction, bulk upsert), so every SQL
statement of the store is written once with ``?`` placeholders. They differ only where speed or
safety demands: SQLite runs in WAL mode with explicit ``BEGIN IMMEDIATE`` transactions. A file
import stages rows in a temporary table (SQLite: executemany; PostgreSQL: ``COPY``) and merges
them with one ``INSERT ... ON CONFLICT`` in key order, with the same "last row wins" rule.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from cardkit.errors import CardkitError

RESIDENT_COLUMNS: tuple[str, ...] = (
    "rkey", "id_number", "old_id_number", "full_name", "name_key", "date_of_birth", "sex",
    "place_of_origin", "residence", "ethnicity", "religion", "card_issue_date", "card_expiry_date",
    "insurance_code", "insurance_valid_from", "insurance_valid_to", "insurance_facility",
    "content_hash", "updated_at",
)
_COLS = ", ".join(RESIDENT_COLUMNS)
_UPDATE_SET = ", ".join(f"{c} = excluded.{c}" for c in RESIDENT_COLUMNS[1:])
# Rows whose content did not change keep their updated_at: re-importing a file changes nothing.
UPSERT_TAIL = f"ON CONFLICT (rkey) DO UPDATE SET {_UPDATE_SET} WHERE residents.content_hash <> excluded.content_hash"
_MARKS = ", ".join("?" * len(RESIDENT_COLUMNS))


class StoreError(CardkitError):
    message_vi = "Lỗi cơ sở dữ liệu đăng ký cư dân."


class SqliteBackend:
    dialect = "sqlite"

    def __init__(self, path: str, *, cache_mb: int = 256) -> None:
        self.cache_pages = -cache_mb * 1024  # negative: KiB
        if path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(str(Path(path).expanduser()), isolation_level=None, timeout=30)
            for pragma in (
                "journal_mode = WAL",
                # NORMAL in WAL mode: a killed process never corrupts the file or loses a commit;
                # only a power cut can lose the last commits.
                "synchronous = NORMAL",
                "busy_timeout = 30000",
                f"cache_size = {self.cache_pages}",
                "temp_store = MEMORY",
            ):
                self.conn.execute(f"PRAGMA {pragma}")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store: {exc}", message_vi="Không mở được tệp cơ sở dữ liệu.") from exc
        self._depth = 0

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
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._depth = 0

    def bulk_upsert(self, rows: list[tuple]) -> int:
        before = self.conn.total_changes
        with self.transaction():
            self.conn.executemany(
                f"INSERT INTO residents ({_COLS}) VALUES ({', '.join('?' * len(RESIDENT_COLUMNS))}) {UPSERT_TAIL}",
                rows,
            )
        return self.conn.total_changes - before

    # -- bulk load: stage every row in a temporary table, then one merge in key order ------------
    # Random-order upserts straight into the residents B-tree dirty a page per row, and each
    # commit copies those pages to the WAL again: at 1M rows that was ~40 µs a row. The staging
    # table is only appended to (in the temp database: no WAL, the registry is not locked while
    # the file is read); the merge sorts once (GROUP BY rkey: the last row of the file for a key
    # wins, as bare columns come from the max(rowid) row) and, as groups come out in key order,
    # walks the B-tree in order (no ORDER BY: a second sort; the order only matters for speed).
    # Durability is unchanged: synchronous and journal_mode stay as they are, because the same
    # file holds the check-in journal; the merge is one ordinary WAL transaction.

    def begin_load(self) -> None:
        self.conn.execute("PRAGMA temp_store = FILE")  # a 10M-row staging table is not RAM's job
        self.conn.execute("PRAGMA threads = 2")  # sorter helper threads for the merge and indexes
        self.conn.execute("DROP TABLE IF EXISTS temp.residents_stage")
        self.conn.execute(f"CREATE TEMP TABLE residents_stage AS SELECT {_COLS} FROM residents WHERE 0")

    def stage(self, rows: list[tuple]) -> None:
        self.conn.execute("BEGIN")  # deferred: writes only the temp database
        try:
            self.conn.executemany(f"INSERT INTO temp.residents_stage VALUES ({_MARKS})", rows)
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def merge_load(self) -> int:
        before = self.conn.total_changes
        with self.transaction():
            self.conn.execute(
                f"INSERT INTO residents ({_COLS}) SELECT {_COLS} FROM "
                f"(SELECT {_COLS}, max(rowid) FROM temp.residents_stage GROUP BY rkey) "
                f"WHERE true {UPSERT_TAIL}"
            )
        return self.conn.total_changes - before

    def end_load(self) -> None:
        if self._depth:
            return
        self.conn.execute("DROP TABLE IF EXISTS temp.residents_stage")
        self.conn.execute("PRAGMA temp_store = MEMORY")
        self.conn.execute("PRAGMA threads = 0")

    def integrity_ok(self) -> bool:
        return self.query("PRAGMA integrity_check")[0][0] == "ok"

    def lock_for_migration(self) -> None:
        pass  # BEGIN IMMEDIATE already excludes other writers

    def close(self) -> None:
        self.conn.close()


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

    # -- bulk load: COPY into a temporary table, then one INSERT ... ON CONFLICT in key order ------
    def begin_load(self) -> None:
        self.execute("DROP TABLE IF EXISTS pg_temp.residents_stage")
        self.execute("CREATE TEMP TABLE residents_stage (LIKE residents, ord BIGINT GENERATED ALWAYS AS IDENTITY)")
        self.execute("SET maintenance_work_mem = '512MB'")  # index rebuild after a load into an empty table

    def stage(self, rows: list[tuple]) -> None:
        with self.conn.transaction(), self.conn.cursor() as cur:
            with cur.copy(f"COPY pg_temp.residents_stage ({_COLS}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    write(row)

    def merge_load(self) -> int:
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute("SET LOCAL work_mem = '256MB'")
            # The last row of the file for a key wins, as on SQLite.
            cur.execute(
                f"INSERT INTO residents ({_COLS}) SELECT DISTINCT ON (rkey) {_COLS} FROM pg_temp.residents_stage "
                f"ORDER BY rkey, ord DESC {UPSERT_TAIL}"
            )
            return cur.rowcount

    def end_load(self) -> None:
        if self.conn.info.transaction_status == 0:  # idle: not inside a caller's transaction
            self.execute("DROP TABLE IF EXISTS pg_temp.residents_stage")
            self.execute("RESET maintenance_work_mem")

    def integrity_ok(self) -> bool:
        # PostgreSQL recovers from its own WAL; a readable catalogue and tables is the check here.
        return self.query("SELECT count(*) FROM schema_migrations")[0][0] >= 1

    def lock_for_migration(self) -> None:
        self.execute("SELECT pg_advisory_xact_lock(7254001)")

    def close(self) -> None:
        self.conn.close()
