# SPDX-License-Identifier: Apache-2.0
"""One Store API over SQLite (default, a file) and PostgreSQL (shared, by DSN).

The URL decides the backend: a file path or ``sqlite:///path`` opens SQLite, ``postgresql://...``
opens PostgreSQL through psycopg 3. Everything above this module (import, match, journal,
discrepancies) is backend-agnostic, and the tests run it against both.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime

from cardkit.home import cardkit_home
from cardkit.registry.backend import Backend, Load, StoreError
from cardkit.registry.load.postgres import PostgresBackend
from cardkit.registry.load.sqlite import SqliteBackend
from cardkit.registry.row import STORED_COLUMNS, Resident, resident_to_row, row_to_resident, rows_frame
from cardkit.registry.schema import CREATE_VERSION_TABLE, LATEST_VERSION, MIGRATIONS, RESIDENT_INDEXES

_SELECT = "SELECT " + ", ".join(STORED_COLUMNS) + " FROM residents"


def default_db_url() -> str:
    """``$CARDKIT_HOME/registry.sqlite3`` (see :mod:`cardkit.home`)."""
    return str(cardkit_home() / "registry.sqlite3")


def open_store(url: str | None = None, *, migrate: bool = True) -> Store:
    url = url or default_db_url()
    if url.startswith(("postgresql://", "postgres://")):
        backend: Backend = PostgresBackend(url)
    elif url.startswith("sqlite://"):
        backend = SqliteBackend(url[len("sqlite://"):] or ":memory:")
    elif "://" in url:
        raise StoreError(
            "unsupported database URL scheme (use a file path, sqlite:///path or postgresql://...)",
            message_vi="Địa chỉ cơ sở dữ liệu không được hỗ trợ.",
        )
    else:
        backend = SqliteBackend(url)
    store = Store(backend)
    if migrate:
        store.migrate()
    return store


def now_utc() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.dialect = backend.dialect

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.backend.close()

    # -- schema ---------------------------------------------------------------------------------
    def schema_version(self) -> int:
        self.backend.execute(CREATE_VERSION_TABLE)
        return int(self.backend.query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0])

    def migrate(self) -> int:
        """Apply every pending migration in one transaction; refuse a store from a newer cardkit."""
        self.backend.execute(CREATE_VERSION_TABLE)
        with self.backend.transaction():
            self.backend.lock_for_migration()
            current = self.schema_version()
            if current > LATEST_VERSION:
                raise StoreError(
                    f"store schema version {current} is newer than this cardkit ({LATEST_VERSION})",
                    message_vi="Cơ sở dữ liệu được tạo bởi phiên bản cardkit mới hơn.",
                )
            for m in MIGRATIONS:
                if m.version > current:
                    for stmt in m.render(self.dialect):
                        self.backend.execute(stmt)
                    self.backend.execute(
                        "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
                        (m.version, m.description, now_utc().isoformat()),
                    )
        self.ensure_indexes()
        return LATEST_VERSION

    def ensure_indexes(self) -> None:
        """Recreate secondary indexes an interrupted bulk load may have left dropped. Not while a
        load runs (its lock is held): that load drops and rebuilds them itself, and building
        them beside it raced it on PostgreSQL's catalogue (a duplicate-key error)."""
        with self.backend.load_lock(wait=False) as free:
            if not free:
                return
            for name, cols in RESIDENT_INDEXES:
                self.backend.execute(f"CREATE INDEX IF NOT EXISTS {name} ON residents ({cols})")

    @contextlib.contextmanager
    def bulk_load(self, on_wait: Callable[[], None] | None = None) -> Iterator[BulkLoad]:
        """Stage rows with ``load.stage(rows)``; at the end of the block they are merged at once.

        All or nothing: an error inside the block discards the staged rows. Into an empty table,
        secondary indexes are dropped and rebuilt after the merge (sorting once is much faster).
        One bulk load at a time per registry, across processes (``backend.load_lock``; a second
        one waits, calling ``on_wait`` first), so the empty-table decision and the counts
        ``load.before`` / ``load.after`` (residents before and after) see no other load's rows.
        """
        with self.backend.load_lock(on_wait):
            with self._bulk_load() as load:
                yield load
            load.after = self.count()

    @contextlib.contextmanager
    def _bulk_load(self) -> Iterator[BulkLoad]:
        before = self.count()
        empty = before == 0
        indexes = [f"CREATE INDEX IF NOT EXISTS {name} ON residents ({cols})" for name, cols in RESIDENT_INDEXES]
        if empty:
            for name, _ in RESIDENT_INDEXES:
                self.backend.execute(f"DROP INDEX IF EXISTS {name}")
        with self.backend.begin_load(indexes if empty else ()) as job:
            load = BulkLoad(job)
            load.before = before
            try:
                yield load
                load.written = job.merge()
            except BaseException:
                job.abort()  # before anything else runs on the connection
                raise
            finally:
                if empty:
                    self.backend.rebuild_indexes(indexes)
                    self.backend.analyze()

    def integrity_ok(self) -> bool:
        return self.backend.integrity_ok()

    # -- residents ------------------------------------------------------------------------------
    def upsert(self, residents: Iterable[Resident], *, now: datetime | None = None) -> int:
        """Insert or update by key; returns rows written (unchanged rows are not written)."""
        stamp = (now or now_utc()).isoformat()
        rows = [resident_to_row(r, stamp) for r in residents]
        return self.backend.bulk_upsert(rows) if rows else 0

    def count(self) -> int:
        return int(self.backend.query("SELECT count(*) FROM residents")[0][0])

    def get(self, id_number: str) -> Resident | None:
        rows = self.backend.query(_SELECT + " WHERE rkey = ?", (id_number,))
        return row_to_resident(rows[0]) if rows else None

    def by_cmnd(self, cmnd: str) -> list[Resident]:
        rows = self.backend.query(_SELECT + " WHERE old_id_number = ? ORDER BY rkey", (cmnd,))
        return [row_to_resident(r) for r in rows]

    def by_dobs(self, dobs: Iterable[date], *, limit: int = 5000) -> list[Resident]:
        keys = sorted({d.isoformat() for d in dobs})
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        rows = self.backend.query(_SELECT + f" WHERE date_of_birth IN ({marks}) LIMIT ?", (*keys, limit))
        return [row_to_resident(r) for r in rows]

    def dob_name_keys(self, dobs: Iterable[date], *, limit: int = 5000) -> list[tuple[str, str]]:
        """(key, name_key) of residents born on any of ``dobs``, read from the covering index."""
        keys = sorted({d.isoformat() for d in dobs})
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        return [
            (k, nk) for k, nk in self.backend.query(
                f"SELECT rkey, name_key FROM residents WHERE date_of_birth IN ({marks}) LIMIT ?", (*keys, limit)
            )
        ]

    def get_many(self, keys: Iterable[str]) -> list[Resident]:
        """Residents with these keys, in key order (missing keys are skipped)."""
        keys = sorted(set(keys))
        out: list[Resident] = []
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ", ".join("?" * len(chunk))
            rows = self.backend.query(_SELECT + f" WHERE rkey IN ({marks}) ORDER BY rkey", chunk)
            out.extend(row_to_resident(r) for r in rows)
        return out

    def by_name_key(self, name_key: str, dob: date | None = None, *, limit: int = 500) -> list[Resident]:
        """Same folded name; with a DOB, only rows whose DOB shares the year or the day and month
        (one wrong digit), so common names stay cheap.

        Two steps: the keys are read from the (name_key, date_of_birth) index alone (it holds the
        key too), then only those rows are loaded. Filtering on loaded rows instead meant one
        table lookup per namesake: ~80 ms for a common name in a 10M registry."""
        if dob is None:
            keys = self.backend.query("SELECT rkey FROM residents WHERE name_key = ? LIMIT ?", (name_key, limit))
        else:
            keys = self.backend.query(
                "SELECT rkey FROM residents WHERE name_key = ? AND (date_of_birth BETWEEN ? AND ? "
                "OR substr(date_of_birth, 5) = ?) LIMIT ?",
                (name_key, f"{dob.year:04d}-01-01", f"{dob.year:04d}-12-31", dob.isoformat()[4:], limit),
            )
        return self.get_many(k for (k,) in keys)

    def iter_residents(self, *, batch: int = 5000) -> Iterator[Resident]:
        """All residents in key order, in pages (keyset pagination: constant memory, both backends)."""
        last = ""
        while True:
            rows = self.backend.query(_SELECT + " WHERE rkey > ? ORDER BY rkey LIMIT ?", (last, batch))
            if not rows:
                return
            yield from (row_to_resident(r) for r in rows)
            last = rows[-1][0]


class BulkLoad:
    """Handle of :meth:`Store.bulk_load`.

    ``stage`` takes a DataFrame of stored rows (:func:`row.frame_schema`: the columns of
    :func:`row.resident_to_row` plus ``ord``, the row's position in the input: for one key, the
    highest ``ord`` wins) or a list of stored-row tuples (positions follow those staged so far).
    """

    def __init__(self, job: Load) -> None:
        self.job = job
        self.written = 0  # rows inserted or changed by the merge, set when the block ends
        self.before = 0  # residents when the load began
        self.after = 0  # residents when it ended (set after the merge)
        self._next_ord = 0

    def stage(self, rows) -> None:
        if isinstance(rows, list):
            first = self._next_ord + 1
            rows = rows_frame(rows, list(range(first, first + len(rows))))
        if rows.height:
            self._next_ord = max(self._next_ord, int(rows["ord"].max()))
            self.job.stage(rows)
