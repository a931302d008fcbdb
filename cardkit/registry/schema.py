# SPDX-License-Identifier: Apache-2.0
"""Versioned schema of the registry and check-in journal, migrated forward only.

Each migration is applied once, in order, inside one transaction, and recorded in
``schema_migrations``. There are no down-migrations: a store written by a newer cardkit is refused
rather than guessed at. The same DDL serves SQLite and PostgreSQL; the few differences (identity
column) are filled in per dialect. Dates and times are ISO-8601 TEXT in both, so the code that
reads and writes them is the same and lexical order is chronological order.
"""

from __future__ import annotations

from dataclasses import dataclass

# Secondary indexes of residents (blocking keys for matching). Kept in one list so a bulk load
# into an empty table can drop them and rebuild them by sorting, which is several times faster.
# residents_dob_name (migration 3) replaces residents_dob: the DOB blocking lookup reads
# (rkey, name_key) from the index alone (SQLite: WITHOUT ROWID, the key is in every index entry),
# so only the few name-similar candidates are loaded in full.
RESIDENT_INDEXES: tuple[tuple[str, str], ...] = (
    ("residents_cmnd", "old_id_number"),
    ("residents_name_dob", "name_key, date_of_birth"),
    ("residents_dob_name", "date_of_birth, name_key, rkey"),
)
# As created by migration 1 (migrations never change once released).
_V1_INDEXES: tuple[tuple[str, str], ...] = (
    ("residents_cmnd", "old_id_number"),
    ("residents_dob", "date_of_birth"),
    ("residents_name_dob", "name_key, date_of_birth"),
)

_SERIAL = {
    "sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT",
    "postgres": "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
}
# SQLite: the row lives in the primary-key B-tree (one structure less to write per insert).
_RESIDENTS_SUFFIX = {"sqlite": " WITHOUT ROWID", "postgres": ""}


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]

    def render(self, dialect: str) -> list[str]:
        return [
            s.replace("{serial_pk}", _SERIAL[dialect]).replace("{residents_suffix}", _RESIDENTS_SUFFIX[dialect])
            for s in self.statements
        ]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "residents with blocking keys for matching",
        (
            """CREATE TABLE residents (
                rkey TEXT PRIMARY KEY,
                id_number TEXT,
                old_id_number TEXT,
                full_name TEXT NOT NULL,
                name_key TEXT NOT NULL,
                date_of_birth TEXT,
                sex TEXT,
                place_of_origin TEXT,
                residence TEXT,
                ethnicity TEXT,
                religion TEXT,
                card_issue_date TEXT,
                card_expiry_date TEXT,
                insurance_code TEXT,
                insurance_valid_from TEXT,
                insurance_valid_to TEXT,
                insurance_facility TEXT,
                content_hash TEXT NOT NULL,
                updated_at TEXT NOT NULL
            ){residents_suffix}""",
            *(f"CREATE INDEX IF NOT EXISTS {name} ON residents ({cols})" for name, cols in _V1_INDEXES),
        ),
    ),
    Migration(
        2,
        "check-in journal",
        (
            """CREATE TABLE checkins (
                seq {serial_pk},
                checkin_id TEXT NOT NULL UNIQUE,
                at TEXT NOT NULL,
                station TEXT NOT NULL,
                operator TEXT NOT NULL,
                access_method TEXT NOT NULL,
                id_number TEXT,
                old_id_number TEXT,
                match_outcome TEXT NOT NULL,
                matched_key TEXT,
                match_score DOUBLE PRECISION,
                overall_verdict TEXT,
                verdicts TEXT NOT NULL,
                discrepancies TEXT NOT NULL,
                extra TEXT NOT NULL
            )""",
            "CREATE INDEX checkins_at ON checkins (at)",
            "CREATE INDEX checkins_id_number ON checkins (id_number)",
        ),
    ),
    Migration(
        3,
        "covering index for the date-of-birth blocking lookup",
        (
            "CREATE INDEX IF NOT EXISTS residents_dob_name ON residents (date_of_birth, name_key, rkey)",
            "DROP INDEX IF EXISTS residents_dob",
        ),
    ),
    Migration(
        4,
        "precision of the date of birth (exact, or the year alone)",
        # A constant default: no table rewrite on either backend; every existing row was exact.
        ("ALTER TABLE residents ADD COLUMN dob_precision TEXT NOT NULL DEFAULT 'exact'",),
    ),
    Migration(
        5,
        "BHYT lookups (who, when, which code) and verification receipts, both purged by retention",
        (
            """CREATE TABLE insurance_lookups (
                seq {serial_pk},
                at TEXT NOT NULL,
                station TEXT NOT NULL,
                operator TEXT NOT NULL,
                source TEXT NOT NULL,
                result_code TEXT NOT NULL,
                checkin_id TEXT
            )""",
            "CREATE INDEX insurance_lookups_at ON insurance_lookups (at)",
            """CREATE TABLE receipts (
                checkin_id TEXT PRIMARY KEY,
                at TEXT NOT NULL,
                receipt TEXT NOT NULL
            )""",
            "CREATE INDEX receipts_at ON receipts (at)",
        ),
    ),
)

LATEST_VERSION = MIGRATIONS[-1].version

CREATE_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
)"""
