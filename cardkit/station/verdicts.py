# SPDX-License-Identifier: Apache-2.0
"""The four badges a receptionist reads: chip authentic, chip not cloned, QR agrees, registry match.

Each badge is derived by one rule from typed results (verdicts, discrepancies, match method),
and carries its reason in Vietnamese and English for the "explain on focus" panel:

- chip authentic  = passive authentication overall (VALID only with a trusted CSCA;
  UNKNOWN_ISSUER -> "signature valid, issuer not in the trust store", never shown as valid)
- chip not cloned = Active / Chip Authentication verdicts (any INVALID fails; a VALID one passes)
- QR agrees       = chip-vs-QR discrepancies (BLOCKING fails, WARNING warns; no QR -> n/a)
- registry match  = exact ID/CMND match without blocking differences passes; candidates only or
  warnings warn; not found fails; no registry -> n/a
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from cardkit.discrepancy import Discrepancy, Severity
from cardkit.icao.verdict import Status, Verdict
from cardkit.station.outcome import MatchOutcome

PA_PREFIXES = ("sod_", "ds_", "dg_hash:", "issuing_state")
CLONE_PREFIXES = ("active_authentication", "chip_authentication")


class BadgeState(str, Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    NA = "na"  # not checked / not applicable


@dataclass(frozen=True)
class Badge:
    key: str  # "chip_authentic", "chip_not_cloned", "qr_agrees", "registry_match"
    state: BadgeState
    reason_vi: str
    reason_en: str

    def reason(self, lang: str) -> str:
        return self.reason_vi if lang == "vi" else self.reason_en

    def to_dict(self) -> dict[str, str]:
        return {"key": self.key, "state": self.state.value, "reason_vi": self.reason_vi, "reason_en": self.reason_en}


@dataclass(frozen=True)
class VerdictSummary:
    chip_authentic: Badge
    chip_not_cloned: Badge
    qr_agrees: Badge
    registry_match: Badge

    @property
    def badges(self) -> tuple[Badge, ...]:
        return (self.chip_authentic, self.chip_not_cloned, self.qr_agrees, self.registry_match)

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {b.key: b.to_dict() for b in self.badges}


def _first_bad(verdicts: list[Verdict], status: Status) -> str:
    bad = [v for v in verdicts if v.status is status]
    return f"{bad[0].check}: {bad[0].reason}" if bad else ""


def chip_authentic(pa_overall: Status, verdicts: Iterable[Verdict]) -> Badge:
    pa = [v for v in verdicts if v.check.startswith(PA_PREFIXES)]
    k = "chip_authentic"
    if pa_overall is Status.VALID:
        return Badge(k, BadgeState.PASS, "Chữ ký số hợp lệ, cơ quan cấp nằm trong danh sách tin cậy.",
                     "Signature valid and chained to a trusted CSCA.")
    if pa_overall is Status.INVALID:
        return Badge(k, BadgeState.FAIL, "KHÔNG phải thẻ thật: dữ liệu trên chip không khớp chữ ký số.",
                     f"NOT genuine: {_first_bad(pa, Status.INVALID) or 'passive authentication failed'}.")
    if pa_overall is Status.UNKNOWN_ISSUER:
        return Badge(k, BadgeState.WARN, "Chữ ký hợp lệ nhưng cơ quan cấp không có trong kho tin cậy.",
                     "Signature valid, but the issuer is not in the trust store.")
    return Badge(k, BadgeState.NA, "Chưa kiểm tra được chữ ký số của thẻ.",
                 f"Not checked: {_first_bad(pa, Status.NOT_CHECKED) or 'no passive authentication'}.")


def chip_not_cloned(verdicts: Iterable[Verdict]) -> Badge:
    chip = [v for v in verdicts if v.check.startswith(CLONE_PREFIXES)]
    k = "chip_not_cloned"
    if any(v.status is Status.INVALID for v in chip):
        return Badge(k, BadgeState.FAIL, "Chip có thể là bản sao: xác thực chip thất bại.",
                     f"Possibly cloned: {_first_bad(chip, Status.INVALID)}.")
    if any(v.status is Status.VALID for v in chip):
        names = ", ".join(sorted({v.check for v in chip if v.status is Status.VALID}))
        return Badge(k, BadgeState.PASS, "Chip chứng minh được khóa bí mật (không phải bản sao).",
                     f"The chip proved its private key ({names}).")
    return Badge(k, BadgeState.NA, "Chưa kiểm tra chống sao chép (AA/CA).",
                 "Not checked: no Active or Chip Authentication result.")


def _worst(ds: Iterable[Discrepancy]) -> Severity | None:
    sev = {d.severity for d in ds}
    for s in (Severity.BLOCKING, Severity.WARNING, Severity.INFO):
        if s in sev:
            return s
    return None


def qr_agrees(qr_present: bool, qr_discrepancies: list[Discrepancy]) -> Badge:
    k = "qr_agrees"
    if not qr_present:
        return Badge(k, BadgeState.NA, "Không quét mã QR.", "No QR code scanned.")
    worst = _worst(qr_discrepancies)
    if worst is Severity.BLOCKING:
        return Badge(k, BadgeState.FAIL, "Mã QR KHÔNG khớp dữ liệu chip.", "The QR code does NOT agree with the chip.")
    if worst is Severity.WARNING:
        return Badge(k, BadgeState.WARN, "Mã QR khác chip ở một số trường.", "The QR code differs from the chip in some fields.")
    return Badge(k, BadgeState.PASS, "Mã QR khớp dữ liệu chip.", "The QR code agrees with the chip.")


def registry_match(outcome: MatchOutcome, registry_discrepancies: list[Discrepancy]) -> Badge:
    k = "registry_match"
    worst = _worst(d for d in registry_discrepancies if d.source_b == "registry")
    if outcome is MatchOutcome.NO_REGISTRY:
        return Badge(k, BadgeState.NA, "Chưa cấu hình cơ sở dữ liệu.", "No registry configured.")
    if outcome is MatchOutcome.NOT_FOUND:
        return Badge(k, BadgeState.FAIL, "Không tìm thấy hồ sơ: cần đăng ký mới.", "No registry record: register the person.")
    if outcome is MatchOutcome.CANDIDATES:
        return Badge(k, BadgeState.WARN, "Không có hồ sơ trùng số định danh: xác nhận một hồ sơ gần đúng.",
                     "No exact record: confirm one of the candidates.")
    if worst is Severity.BLOCKING:
        return Badge(k, BadgeState.FAIL, "Hồ sơ khác thẻ ở thông tin quan trọng: cần kiểm tra.",
                     "The record differs from the card in key data: check it.")
    if worst is Severity.WARNING:
        return Badge(k, BadgeState.WARN, "Tìm thấy hồ sơ, nhưng dữ liệu chưa đúng: cần sửa.",
                     "Record found, but its data is wrong: correct it.")
    return Badge(k, BadgeState.PASS, "Tìm thấy hồ sơ khớp thẻ.", "Registry record found and agrees.")
