# SPDX-License-Identifier: Apache-2.0
"""What :class:`cardkit.registry.store.Store` needs of a database: the :class:`Backend` protocol.

Every SQL statement of the store is written once with ``?`` placeholders; a backend runs it in its
dialect and owns everything that differs between databases (transactions, the bulk load, the
statistics after a load, the migration lock). Implemented for SQLite by
:mod:`cardkit.registry.load.sqlite` and for PostgreSQL by :mod:`cardkit.registry.load.postgres`;
both raise the typed errors defined here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

from cardkit.errors import CardkitError


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


class Load(Protocol):
    """One bulk load, a context manager: leaving it always cleans up (scratch, settings)."""

    def __enter__(self) -> Load: ...

    def __exit__(self, *exc: object) -> None: ...

    def stage(self, frame) -> None:
        """Take a frame of stored rows (:func:`row.frame_schema`; for one key the highest ord wins)."""

    def merge(self) -> int:
        """Write the staged rows into the registry at once; the rows inserted or changed."""

    def abort(self) -> None:
        """The load failed: nothing of it reaches the registry."""


class Backend(Protocol):
    dialect: str  # the migrations' SQL flavour (schema.Migration.render)
    errors: tuple[type[Exception], ...]  # the driver's error classes

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple]: ...

    def execute(self, sql: str, params: Sequence[object] = ()) -> int: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def bulk_upsert(self, rows: list[tuple]) -> int:
        """Insert or update stored rows (the last of a key wins); the rows written."""

    def load_lock(self, on_wait: Callable[[], None] | None = None, *,
                  wait: bool = True) -> AbstractContextManager[bool]:
        """One bulk load at a time per registry; yields whether the lock is held."""

    def begin_load(self, index_statements: Sequence[str] = ()) -> Load:
        """A bulk load; ``index_statements``: the indexes the caller dropped (an empty table)."""

    def rebuild_indexes(self, statements: Sequence[str]) -> None: ...

    def analyze(self) -> None:
        """Refresh the planner's statistics of the registry (after a load into an empty table)."""

    def integrity_ok(self) -> bool: ...

    def lock_for_migration(self) -> None: ...

    def close(self) -> None: ...
