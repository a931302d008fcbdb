# SPDX-License-Identifier: Apache-2.0
"""The check-in journal: one row per completed check-in, appended in one transaction.

The station fills a :class:`CheckInRecord` (plain, JSON-able fields, so it needs nothing from
this package but the class) and calls :meth:`Journal.append`. When ``append`` returns, the
check-in is committed: a crash (even ``kill -9``) afterwards cannot lose it, and a crash during
it loses at most that check-in, never the store (SQLite WAL / PostgreSQL transactions).
The ID number is stored, the face image never is.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cardkit.errors import InputError
from cardkit.registry.backend import store_failure
from cardkit.registry.store import Store

_COLUMNS = (
    "checkin_id", "at", "station", "operator", "access_method", "id_number", "old_id_number",
    "match_outcome", "matched_key", "match_score", "overall_verdict", "verdicts", "discrepancies", "extra",
)


@dataclass(frozen=True)
class CheckInRecord:
    """What the station knows at the end of a check-in.

    ``verdicts`` e.g. ``[{"check": "passive_auth", "result": "VALID", "reason": ""}]``;
    ``discrepancies`` as :meth:`cardkit.discrepancy.Discrepancy.to_dict` gives them;
    ``match_outcome`` e.g. ``"exact_id"``, ``"exact_cmnd"``, ``"candidate_confirmed"``, ``"new_record"``,
    ``"not_found"``. ``at`` must be timezone-aware (stored in UTC).
    """

    at: datetime
    station: str
    operator: str
    access_method: str  # "PACE-CAN", "PACE-MRZ", "BAC", "QR-only", ...
    match_outcome: str
    id_number: str | None = None
    old_id_number: str | None = None
    matched_key: str | None = None
    match_score: float | None = None
    overall_verdict: str | None = None
    verdicts: Sequence[dict] = ()
    discrepancies: Sequence[dict] = ()
    extra: dict = field(default_factory=dict)
    checkin_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    seq: int | None = None  # assigned by the journal

    def to_dict(self) -> dict[str, object]:
        return {
            "seq": self.seq, "checkin_id": self.checkin_id, "at": self.at.isoformat(),
            "station": self.station, "operator": self.operator, "access_method": self.access_method,
            "id_number": self.id_number, "old_id_number": self.old_id_number,
            "match_outcome": self.match_outcome, "matched_key": self.matched_key,
            "match_score": self.match_score, "overall_verdict": self.overall_verdict,
            "verdicts": list(self.verdicts), "discrepancies": list(self.discrepancies), "extra": self.extra,
        }


def _utc(at: datetime) -> str:
    if at.tzinfo is None:
        raise InputError("check-in time must be timezone-aware", message_vi="Thời điểm check-in thiếu múi giờ.")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def _json(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise InputError(f"check-in field is not JSON-able: {exc}", message_vi="Dữ liệu check-in không hợp lệ.") from exc


class Journal:
    def __init__(self, store: Store) -> None:
        self.store = store

    def append(self, rec: CheckInRecord) -> int:
        """Commit one check-in; returns its sequence number. Idempotent on ``checkin_id``.

        A database failure (a full disk: :class:`~cardkit.registry.backend.StoreFullError`) is a
        typed :class:`~cardkit.registry.backend.StoreError`; the check-in is then not stored
        (rolled back) and the journal is unchanged, so the caller may retry it."""
        if "face" in rec.extra or "image" in rec.extra:
            raise InputError("the journal never stores face images", message_vi="Nhật ký không lưu ảnh khuôn mặt.")
        values = (
            rec.checkin_id, _utc(rec.at), rec.station, rec.operator, rec.access_method, rec.id_number,
            rec.old_id_number, rec.match_outcome, rec.matched_key, rec.match_score, rec.overall_verdict,
            _json(list(rec.verdicts)), _json(list(rec.discrepancies)), _json(rec.extra),
        )
        b = self.store.backend
        try:
            with b.transaction():
                existing = b.query("SELECT seq FROM checkins WHERE checkin_id = ?", (rec.checkin_id,))
                if existing:
                    return int(existing[0][0])
                b.execute(
                    f"INSERT INTO checkins ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", values
                )
                return int(b.query("SELECT seq FROM checkins WHERE checkin_id = ?", (rec.checkin_id,))[0][0])
        except b.errors as exc:
            raise store_failure(exc, "the check-in was not saved", "Chưa lưu được lượt check-in") from exc

    def list(
        self, *, since: datetime | None = None, query: str | None = None, limit: int | None = None
    ) -> list[CheckInRecord]:
        """Oldest first. ``query`` matches the ID number, old CMND, station, operator or outcome."""
        where, params = [], []
        if since is not None:
            where.append("at >= ?")
            params.append(_utc(since))
        if query:
            where.append("(id_number = ? OR old_id_number = ? OR station = ? OR operator = ? OR match_outcome = ?)")
            params.extend([query.strip()] * 5)
        sql = f"SELECT seq, {', '.join(_COLUMNS)} FROM checkins"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq"
        if limit:
            sql += " LIMIT ?"
            params.append(limit)
        return [_record(row) for row in self.store.backend.query(sql, params)]

    def get(self, checkin_id: str) -> CheckInRecord | None:
        rows = self.store.backend.query(f"SELECT seq, {', '.join(_COLUMNS)} FROM checkins WHERE checkin_id = ?",
                                        (checkin_id,))
        return _record(rows[0]) if rows else None

    def count(self) -> int:
        return int(self.store.backend.query("SELECT count(*) FROM checkins")[0][0])


def _record(row: tuple) -> CheckInRecord:
    seq, cid, at, station, op, method, idn, old, outcome, mkey, mscore, overall, verd, disc, extra = row
    return CheckInRecord(
        at=datetime.fromisoformat(at), station=station, operator=op, access_method=method,
        match_outcome=outcome, id_number=idn, old_id_number=old, matched_key=mkey, match_score=mscore,
        overall_verdict=overall, verdicts=json.loads(verd), discrepancies=json.loads(disc),
        extra=json.loads(extra), checkin_id=cid, seq=int(seq),
    )
