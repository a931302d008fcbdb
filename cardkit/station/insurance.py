# SPDX-License-Identifier: Apache-2.0
"""The BHYT lookup at the desk, right after the chip is verified: the query from the verified
identity, the gateway's name / date of birth / sex compared with the chip (each difference a
discrepancy), and one journal row per lookup (operator, time, source, result code).

The lookup never blocks the check-in: no answer (offline, slow) is a :class:`BhytLookup` in state
``FAILED`` ("Chưa tra cứu được BHYT") that the operator may retry.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from cardkit.discrepancy import Discrepancy, Severity
from cardkit.errors import CardkitError
from cardkit.icao.verdict import Status
from cardkit.insurance.codes import Outcome
from cardkit.insurance.source import InsuranceLookupError, InsuranceQuery, InsuranceSource, InsuranceStatus
from cardkit.person import PersonData, Sex
from cardkit.registry.evidence import LookupJournal, LookupRow
from cardkit.registry.store import Store
from cardkit.station.config import StationConfig

NOT_LOOKED_UP_VI = "Chưa tra cứu được BHYT"
NOT_LOOKED_UP_EN = "BHYT not looked up yet"


class LookupState(str, Enum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"  # no answer: retry
    SKIPPED = "skipped"  # the chip was not verified: nothing to look up with


@dataclass(frozen=True)
class BhytLookup:
    state: LookupState
    checkin_id: str
    source: str
    status: InsuranceStatus | None = None
    outcome: Outcome | None = None
    discrepancies: tuple[Discrepancy, ...] = ()
    message_vi: str = ""
    message_en: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"state": self.state.value, "source": self.source, "outcome": self.outcome.value if self.outcome else None,
                "status": self.status.to_dict() if self.status else None,
                "discrepancies": [d.to_dict() for d in self.discrepancies]}


def query_for(p: PersonData, config: StationConfig) -> InsuranceQuery:
    """maThe = the 12-digit ID number (accepted by the gateway in practice), name and DOB from the chip."""
    dob = p.date_of_birth.strftime("%d/%m/%Y") if p.date_of_birth else ""
    return InsuranceQuery(p.id_number or "", p.full_name or "", dob, config.operator, config.operator_id)


def _fold(text: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def _d(kind: str, field: str, chip: str | None, bhyt: str | None, vi: str, en: str) -> Discrepancy:
    return Discrepancy(kind, field, Severity.WARNING, "chip", chip, "bhyt", bhyt, vi, en)


def compare_with_chip(chip: PersonData, s: InsuranceStatus) -> list[Discrepancy]:
    """Each field the gateway states differently from the verified chip (case and spacing aside)."""
    out = []
    if s.full_name is not None and _fold(s.full_name) != _fold(chip.full_name):
        out.append(_d("bhyt_name_mismatch", "full_name", chip.full_name, s.full_name,
                      "Họ tên trên BHYT khác với chip", "the BHYT name differs from the chip"))
    if s.dob is not None and chip.date_of_birth is not None:
        dmy = chip.date_of_birth.strftime("%d/%m/%Y")
        same = s.dob == dmy if len(s.dob) == 10 else s.dob == dmy[-4:]
        if not same:
            out.append(_d("bhyt_dob_mismatch", "date_of_birth", dmy, s.dob,
                          "Ngày sinh trên BHYT khác với chip", "the BHYT date of birth differs from the chip"))
    sex = Sex.parse(s.sex)
    if s.sex is not None and chip.sex is not None and sex is not chip.sex:
        out.append(_d("bhyt_sex_mismatch", "sex", chip.sex.vi, s.sex,
                      "Giới tính trên BHYT khác với chip", "the BHYT sex differs from the chip"))
    return out


class InsuranceDesk:
    """One lookup per verified check-in against ``source``, journaled through ``open_store``."""

    def __init__(self, source: InsuranceSource, config: StationConfig, open_store: Callable[[], Store] | None,
                 clock: Callable[[], datetime]) -> None:
        self.source, self.config, self.open_store, self.clock = source, config, open_store, clock

    def lookup(self, checkin_id: str, overall: Status, chip: PersonData | None, today: date | None = None) -> BhytLookup:
        name = getattr(self.source, "name", "gateway")
        if overall is not Status.VALID or chip is None:
            return BhytLookup(LookupState.SKIPPED, checkin_id, name, message_vi="Chưa tra cứu BHYT: thẻ chưa xác thực",
                              message_en="BHYT not looked up: the chip is not verified")
        try:
            status = self.source.check(query_for(chip, self.config))
        except CardkitError as exc:
            kind = type(exc).__name__ if isinstance(exc, InsuranceLookupError) else "InputError"
            self._journal(checkin_id, name, f"error:{kind}")
            return BhytLookup(LookupState.FAILED, checkin_id, name, message_vi=f"{NOT_LOOKED_UP_VI}: {exc.message_vi}",
                              message_en=f"{NOT_LOOKED_UP_EN}: {exc}")
        self._journal(checkin_id, status.source, status.code.value)
        outcome = status.outcome(today or self.clock().date())
        return BhytLookup(LookupState.DONE, checkin_id, status.source, status, outcome,
                          tuple(compare_with_chip(chip, status)))

    def _journal(self, checkin_id: str, source: str, code: str) -> None:
        if self.open_store is None:
            return
        store = self.open_store()
        try:
            LookupJournal(store).append(LookupRow(self.clock(), self.config.station, self.config.operator, source, code,
                                                  checkin_id))
        finally:
            store.close()


def source_for(config: StationConfig, open_store: Callable[[], Store] | None = None) -> InsuranceSource | None:
    """The configured source: ``gateway`` -> a client from the 0600 account file; ``registry`` ->
    None for the station (the registry's answer is already in the check-in), see ``cardkit bhyt``."""
    if config.insurance != "gateway":
        return None
    from cardkit.insurance.settings import load_account

    return load_account(config.insurance_account).client(timeout=float(config.insurance_timeout))


def registry_source(config: StationConfig, clock: Callable[[], datetime] | None = None):
    from cardkit.insurance.registry import RegistryInsuranceSource
    from cardkit.registry.store import open_store

    return RegistryInsuranceSource(functools.partial(open_store, config.registry_url), clock)
