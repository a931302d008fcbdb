# SPDX-License-Identifier: Apache-2.0
"""The check-in pipeline: a verified card read (+ the QR scanned with it) -> one :class:`CheckIn`.

Pure-ish: :meth:`CheckInPipeline.evaluate` only reads the registry; :meth:`CheckInPipeline.record`
appends to the journal. Usable without any UI (the TUI, the CLI and integrators share it).

Registry access: pass a :class:`~cardkit.registry.store.Store` when every call comes from one
thread, or a zero-argument opener (e.g. ``functools.partial(open_store, url)``) when calls come
from worker threads (SQLite connections belong to the thread that opened them): the pipeline then
opens and closes a store per call.

Journal rows hold the ID number, the verdicts, the discrepancies and, in ``extra["identity"]``,
the merged identity (for the history screen and the exports); never the face image.
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from cardkit.discrepancy import Discrepancy, Severity
from cardkit.errors import InputError
from cardkit.icao.card_data import face_of_dg2  # noqa: F401 - re-exported (older callers)
from cardkit.icao.reading import ReadResult, read_and_verify
from cardkit.icao.session import AccessSpec, FileEvent
from cardkit.icao.verdict import Status, Verdict
from cardkit.person import PersonData
from cardkit.qr.crosscheck import crosscheck
from cardkit.registry.discrepancies import compare, id_structure, validity
from cardkit.registry.journal import CheckInRecord, Journal
from cardkit.registry.match import Candidate, match
from cardkit.registry.row import Resident
from cardkit.registry.store import Store
from cardkit.station import verdicts as badges
from cardkit.station.addresses import address_view
from cardkit.station.config import StationConfig
from cardkit.station.identity import merge_identity
from cardkit.station.outcome import MatchOutcome
from cardkit.station.reasons import not_verified_reason
from cardkit.transport.base import Connection

RegistrySource = Store | Callable[[], Store] | None
EXACT = {"id_number": MatchOutcome.EXACT_ID, "old_id_number": MatchOutcome.EXACT_CMND}


@dataclass(frozen=True)
class Insurance:
    """Health insurance (BHYT) as the registry holds it, judged on the check-in day."""

    status: str  # "valid", "expired", "not_yet_valid", "none" (no insurance on record), "unknown" (no record)
    code: str | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    facility: str | None = None

    @classmethod
    def of(cls, r: Resident | None, today: date) -> Insurance:
        if r is None:
            return cls("unknown")
        if not r.insurance_code:
            return cls("none")
        status = "valid"
        if r.insurance_valid_to and r.insurance_valid_to < today:
            status = "expired"
        elif r.insurance_valid_from and r.insurance_valid_from > today:
            status = "not_yet_valid"
        return cls(status, r.insurance_code, r.insurance_valid_from, r.insurance_valid_to, r.insurance_facility)

    def to_dict(self) -> dict[str, str | None]:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"status": self.status, "code": self.code, "valid_from": iso(self.valid_from),
                "valid_to": iso(self.valid_to), "facility": self.facility}


@dataclass(frozen=True)
class Override:
    """An operator's decision to proceed with a card that is not verified (journaled: who, why, when)."""

    by: str
    reason: str
    at: datetime
    overrides: str  # checkin_id of the blocked check-in

    def to_dict(self) -> dict[str, str]:
        return {"by": self.by, "reason": self.reason, "at": self.at.isoformat(), "overrides": self.overrides}


@dataclass(frozen=True)
class CheckIn:
    checkin_id: str
    at: datetime
    station: str
    operator: str
    mode: str
    access_method: str
    identity: PersonData
    chip: PersonData | None
    qr: PersonData | None
    overall: Status
    verdicts: tuple[Verdict, ...]
    summary: badges.VerdictSummary
    discrepancies: tuple[Discrepancy, ...]
    candidates: tuple[Candidate, ...]
    match_outcome: MatchOutcome
    matched: Candidate | None = None
    insurance: Insurance | None = None
    face: bytes | None = field(default=None, repr=False)
    seq: int | None = None
    override: Override | None = None
    receipt: dict | None = field(default=None, repr=False)  # cardkit.station.receipt (no personal data)

    @property
    def blocked(self) -> bool:
        """Not verified and not overridden: the desk must not proceed."""
        return self.overall is not Status.VALID and self.override is None

    @property
    def genuine(self) -> bool:
        """Shown as VALID only when the one overall rule says VALID (PA against a trusted CSCA)."""
        return self.overall is Status.VALID

    def to_dict(self) -> dict[str, object]:
        m = self.matched
        return {
            "checkin_id": self.checkin_id, "seq": self.seq, "at": self.at.isoformat(),
            "station": self.station, "operator": self.operator, "mode": self.mode,
            "access_method": self.access_method, "identity": self.identity.to_dict(),
            "addresses": address_view(self.identity),
            "overall_verdict": self.overall.value, "badges": self.summary.to_dict(),
            "verdicts": [v.to_dict() for v in self.verdicts],
            "discrepancies": [d.to_dict() for d in self.discrepancies],
            "match": {"outcome": self.match_outcome.value, "record": m.to_dict() if m else None,
                      "candidates": [c.to_dict() for c in self.candidates]},
            "insurance": self.insurance.to_dict() if self.insurance else None,
            "qr_scanned": self.qr is not None,
            "holder_verified": self.genuine, "override": self.override.to_dict() if self.override else None,
        }

    def to_record(self) -> CheckInRecord:
        m = self.matched
        extra = {"identity": self.identity.to_dict(), "mode": self.mode, "badges": self.summary.to_dict(),
                 "insurance": self.insurance.to_dict() if self.insurance else None, "qr_scanned": self.qr is not None,
                 "override": self.override.to_dict() if self.override else None}
        return CheckInRecord(
            at=self.at, station=self.station, operator=self.operator, access_method=self.access_method,
            match_outcome=self.match_outcome.value, id_number=self.identity.id_number,
            old_id_number=self.identity.old_id_number, matched_key=m.resident.key if m else None,
            match_score=round(m.score, 1) if m else None, overall_verdict=self.overall.value,
            verdicts=[v.to_dict() for v in self.verdicts], discrepancies=[d.to_dict() for d in self.discrepancies],
            extra=extra, checkin_id=self.checkin_id,
        )


def access_method(result: ReadResult, qr: bool) -> str:
    a = result.read.access
    method = f"PACE-{a.password}" if a.protocol == "PACE" and a.password else a.protocol
    return method + ("+QR" if qr else "")


def face_of(result: ReadResult) -> bytes | None:
    return result.face


def _qr_person(qr: object) -> PersonData | None:
    if qr is None or isinstance(qr, PersonData):
        return qr
    return qr.to_person()  # a QrPayload


def _d(kind: str, sev: Severity, value: str, vi: str, en: str) -> Discrepancy:
    return Discrepancy(kind, "chip", sev, "chip", value, "verification", None, vi, en)


def chip_findings(result: ReadResult, summary: badges.VerdictSummary) -> list[Discrepancy]:
    """A card that is not VALID is a blocking finding, with the plain reason why (fail closed:
    UNKNOWN_ISSUER and NOT_CHECKED block too); proceeding needs :meth:`CheckInPipeline.override`."""
    out = []
    if result.overall is not Status.VALID:
        vi, en = not_verified_reason(result.overall, result.verdicts, result.required)
        kind = "chip_not_genuine" if result.overall is Status.INVALID else "chip_not_verified"
        out.append(_d(kind, Severity.BLOCKING, result.overall.value, vi, en))
    if summary.chip_not_cloned.state is badges.BadgeState.FAIL:
        out.append(_d("chip_cloned", Severity.BLOCKING, "active_authentication",
                      "Chip có thể là bản sao", "the chip may be a clone"))
    return out


def _dedupe(items: list[Discrepancy]) -> tuple[Discrepancy, ...]:
    seen, out = set(), []
    for d in items:
        if (d.kind, d.field, d.source_a, d.source_b) not in seen:
            seen.add((d.kind, d.field, d.source_a, d.source_b))
            out.append(d)
    order = {Severity.BLOCKING: 0, Severity.WARNING: 1, Severity.INFO: 2}
    return tuple(sorted(out, key=lambda d: order[d.severity]))


class CheckInPipeline:
    def __init__(self, config: StationConfig, registry: RegistrySource = None, trust=None, *,
                 clock: Callable[[], datetime] | None = None, new_id: Callable[[], str] | None = None) -> None:
        self.config = config
        self.registry = registry
        self.trust = trust
        self.clock = clock or (lambda: datetime.now().astimezone())
        self.new_id = new_id or (lambda: str(uuid.uuid4()))

    def reconfigure(self, config: StationConfig) -> None:
        """New settings take effect from the next call: a changed registry URL opens that registry
        (a store per call), a changed trust path reloads the trust store on the next read."""
        old, self.config = self.config, config
        if config.registry_url != old.registry_url:
            from cardkit.registry.store import open_store

            self.registry = functools.partial(open_store, config.registry_url)
        if config.trust_path != old.trust_path:
            self.trust = None

    @contextlib.contextmanager
    def store(self) -> Iterator[Store | None]:
        if self.registry is None or isinstance(self.registry, Store):
            yield self.registry
            return
        s = self.registry()
        try:
            yield s
        finally:
            s.close()

    # -- the card ---------------------------------------------------------------------------
    def read(self, connection: Connection, access: AccessSpec,
             progress: Callable[[FileEvent], None] | None = None) -> ReadResult:
        trust = self.trust
        if trust is None:
            from cardkit.trustdir import load_trust_store

            trust = self.trust = load_trust_store(self.config.trust_path)
        return read_and_verify(connection, access, trust=trust, progress=progress, now=self.clock(),
                               face_cache=self.face_cache())

    def face_cache(self):  # -> FileFaceCache | None
        """The station's face cache when ``face_cache = "on"`` (station.toml), on the pipeline's clock."""
        if not self.config.face_cache_on:
            return None
        from cardkit.facecache import DAY, CacheLimits, FileFaceCache

        limits = CacheLimits(max_age=float(self.config.face_cache_days) * DAY)
        return FileFaceCache(limits=limits, clock=lambda: self.clock().timestamp())

    # -- the check-in -----------------------------------------------------------------------
    def evaluate(self, result: ReadResult, qr: object = None) -> CheckIn:
        chip = result.holder()
        qr_p = _qr_person(qr)
        identity = merge_identity(chip, qr_p)
        verdicts = tuple(result.verdicts)
        pa_overall = result.pa.overall if result.pa is not None else Status.NOT_CHECKED
        qr_ds = list(crosscheck(qr_p, chip)) if (qr_p is not None and chip is not None) else []
        at = self.clock()
        with self.store() as store:
            candidates = tuple(self._match(store, identity)) if store is not None else ()
        outcome, matched = _outcome(self.registry is not None, candidates)
        reg_ds = self._registry_findings(identity, outcome, matched, at.date())
        summary = badges.VerdictSummary(
            badges.chip_authentic(pa_overall, verdicts), badges.chip_not_cloned(verdicts),
            badges.qr_agrees(qr_p is not None, qr_ds), badges.registry_match(outcome, reg_ds))
        insurance = Insurance.of(matched.resident if matched else None, at.date())
        checkin = CheckIn(
            checkin_id=self.new_id(), at=at, station=self.config.station, operator=self.config.operator,
            mode=self.config.mode, access_method=access_method(result, qr_p is not None), identity=identity,
            chip=chip, qr=qr_p, overall=result.overall, verdicts=verdicts, summary=summary,
            discrepancies=_dedupe(chip_findings(result, summary) + qr_ds + reg_ds),
            candidates=candidates, match_outcome=outcome, matched=matched, insurance=insurance,
            face=face_of(result),
        )
        from cardkit.station.receipt import build_receipt

        return replace(checkin, receipt=build_receipt(checkin, result))

    def record(self, checkin: CheckIn, *, extra: dict | None = None) -> CheckIn:
        """Append to the journal (committed when this returns); the check-in with its sequence number.
        ``extra``: more context for the journal row (e.g. the desk agent's calling origin)."""
        with self.store() as store:
            if store is None:
                return checkin
            rec = checkin.to_record()
            if extra:
                rec = replace(rec, extra={**rec.extra, **extra})
            seq = Journal(store).append(rec)
            if checkin.receipt is not None:
                from cardkit.registry.evidence import ReceiptStore

                ReceiptStore(store).put(checkin.checkin_id, checkin.at, checkin.receipt)
        return replace(checkin, seq=seq)

    def process(self, result: ReadResult, qr: object = None) -> CheckIn:
        return self.record(self.evaluate(result, qr))

    def confirm(self, checkin: CheckIn, candidate: Candidate) -> CheckIn:
        """The operator confirmed a candidate record: re-judge against it and journal the decision."""
        today = checkin.at.date()
        reg_ds = self._registry_findings(checkin.identity, MatchOutcome.CANDIDATE_CONFIRMED, candidate, today)
        keep = [d for d in checkin.discrepancies if d.source_b in ("qr", "verification")]
        summary = replace(checkin.summary, registry_match=badges.registry_match(MatchOutcome.CANDIDATE_CONFIRMED, reg_ds))
        new_id, at = self.new_id(), self.clock()
        receipt = {**checkin.receipt, "checkin_id": new_id, "at": at.isoformat()} if checkin.receipt else None
        confirmed = replace(
            checkin, checkin_id=new_id, at=at, match_outcome=MatchOutcome.CANDIDATE_CONFIRMED,
            matched=candidate, summary=summary, discrepancies=_dedupe(keep + reg_ds),
            insurance=Insurance.of(candidate.resident, today), seq=None, receipt=receipt)
        return self.record(confirmed)

    def override(self, checkin: CheckIn, reason: str) -> CheckIn:
        """The operator proceeds with a card that is not verified: journal who and why."""
        if not checkin.blocked:
            raise InputError("this check-in is not blocked: nothing to override",
                             message_vi="Lượt tiếp nhận này không bị chặn: không cần ghi nhận ngoại lệ.")
        if not self.config.operator.strip():
            raise InputError("an override needs the operator's name (F2 setup)",
                             message_vi="Cần nhập tên nhân viên (F2) trước khi ghi nhận ngoại lệ.")
        if len(reason.strip()) < 5:
            raise InputError("an override needs a reason (at least 5 characters)",
                             message_vi="Cần ghi lý do (ít nhất 5 ký tự) để tiếp tục với thẻ chưa xác thực.")
        at = self.clock()
        ov = Override(self.config.operator.strip(), reason.strip(), at, checkin.checkin_id)
        return self.record(replace(checkin, checkin_id=self.new_id(), at=at, override=ov, seq=None))

    def history(self, *, since: datetime | None = None, query: str | None = None) -> list[CheckInRecord]:
        with self.store() as store:
            return [] if store is None else Journal(store).list(since=since, query=query or None)

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _match(store: Store, p: PersonData) -> list[Candidate]:
        return match(store, id_number=p.id_number, cmnd=p.old_id_number, name=p.full_name,
                     dob=p.date_of_birth, sex=p.sex, limit=5)

    def _registry_findings(self, p: PersonData, outcome: MatchOutcome, matched: Candidate | None,
                           today: date) -> list[Discrepancy]:
        if outcome.matched and matched is not None:
            return compare(p, matched.resident, source="chip", today=today)
        if outcome is MatchOutcome.NOT_FOUND:
            return compare(p, None, source="chip", today=today)
        out = id_structure(p.id_number, p.date_of_birth, p.sex, "chip") + validity("chip", p.expiry_date, None, today)
        if outcome is MatchOutcome.CANDIDATES:
            out.append(Discrepancy("record_unconfirmed", "record", Severity.WARNING, "chip", p.id_number,
                                   "registry", None, "Không có hồ sơ trùng số định danh: cần xác nhận hồ sơ",
                                   "no exact record: confirm a candidate"))
        return out


def _outcome(has_registry: bool, candidates: tuple[Candidate, ...]) -> tuple[MatchOutcome, Candidate | None]:
    if not has_registry:
        return MatchOutcome.NO_REGISTRY, None
    if not candidates:
        return MatchOutcome.NOT_FOUND, None
    first = candidates[0]
    if first.method in EXACT and (first.method == "id_number" or len(candidates) == 1):
        return EXACT[first.method], first
    return MatchOutcome.CANDIDATES, None
