# SPDX-License-Identifier: Apache-2.0
"""What the desk keeps besides the check-ins: one row per BHYT lookup (operator, time, source,
result code: nothing personal) and one verification receipt per check-in (JSON, as the station
built it); and the retention purge of all three tables.

Plain rows in, plain rows out: this package knows nothing of ICAO or of the gateway.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cardkit.errors import InputError
from cardkit.registry.store import Store


def _utc(at: datetime) -> str:
    if at.tzinfo is None:
        raise InputError("time must be timezone-aware", message_vi="Thời điểm thiếu múi giờ.")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class LookupRow:
    at: datetime
    station: str
    operator: str
    source: str
    result_code: str  # "000".."401", or "error:<kind>" when there was no answer
    checkin_id: str | None = None
    seq: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {"seq": self.seq, "at": self.at.isoformat(), "station": self.station, "operator": self.operator,
                "source": self.source, "result_code": self.result_code, "checkin_id": self.checkin_id}


class LookupJournal:
    def __init__(self, store: Store) -> None:
        self.store = store

    def append(self, row: LookupRow) -> int:
        b = self.store.backend
        with b.transaction():
            b.execute("INSERT INTO insurance_lookups (at, station, operator, source, result_code, checkin_id) "
                      "VALUES (?, ?, ?, ?, ?, ?)",
                      (_utc(row.at), row.station, row.operator, row.source, row.result_code, row.checkin_id))
            return int(b.query("SELECT max(seq) FROM insurance_lookups")[0][0])

    def list(self) -> list[LookupRow]:
        rows = self.store.backend.query(
            "SELECT seq, at, station, operator, source, result_code, checkin_id FROM insurance_lookups ORDER BY seq")
        return [LookupRow(datetime.fromisoformat(at), st, op, src, code, cid, int(seq))
                for seq, at, st, op, src, code, cid in rows]


class ReceiptStore:
    def __init__(self, store: Store) -> None:
        self.store = store

    def put(self, checkin_id: str, at: datetime, receipt: dict) -> None:
        b = self.store.backend
        text = json.dumps(receipt, ensure_ascii=False, sort_keys=True)
        with b.transaction():
            if not b.query("SELECT 1 FROM receipts WHERE checkin_id = ?", (checkin_id,)):
                b.execute("INSERT INTO receipts (checkin_id, at, receipt) VALUES (?, ?, ?)",
                          (checkin_id, _utc(at), text))

    def get(self, checkin_id: str) -> dict | None:
        rows = self.store.backend.query("SELECT receipt FROM receipts WHERE checkin_id = ?", (checkin_id,))
        return json.loads(rows[0][0]) if rows else None

    def count(self) -> int:
        return int(self.store.backend.query("SELECT count(*) FROM receipts")[0][0])


@dataclass(frozen=True)
class Purged:
    checkins: int
    lookups: int
    receipts: int

    @property
    def total(self) -> int:
        return self.checkins + self.lookups + self.receipts

    def to_dict(self) -> dict[str, int]:
        return {"checkins": self.checkins, "lookups": self.lookups, "receipts": self.receipts}


def purge(store: Store, *, older_than: timedelta, now: datetime) -> Purged:
    """Delete journal entries, lookups and receipts strictly older than ``now - older_than``."""
    if older_than <= timedelta(0):
        raise InputError("the retention period must be positive", message_vi="Thời hạn lưu phải lớn hơn 0.")
    cutoff = _utc(now - older_than)
    b = store.backend
    counts = []
    with b.transaction():
        for table in ("checkins", "insurance_lookups", "receipts"):
            counts.append(int(b.query(f"SELECT count(*) FROM {table} WHERE at < ?", (cutoff,))[0][0]))
            b.execute(f"DELETE FROM {table} WHERE at < ?", (cutoff,))
    return Purged(*counts)
