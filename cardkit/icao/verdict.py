# SPDX-License-Identifier: Apache-2.0
"""Typed verdicts of verification checks (passive, active and chip authentication).

Verdicts are data, not logs: every check yields one :class:`Verdict` with a reason, and the
overall status is derived from them by :func:`overall` (one rule, documented there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class Status(str, Enum):
    VALID = "VALID"
    INVALID = "INVALID"
    UNKNOWN_ISSUER = "UNKNOWN_ISSUER"  # the signature holds, but its issuer is not trusted
    NOT_CHECKED = "NOT_CHECKED"


@dataclass(frozen=True)
class Verdict:
    check: str  # machine name, e.g. "sod_signature", "dg_hash:DG1"
    status: Status
    reason: str  # English, free of personal data

    def to_dict(self) -> dict[str, str]:
        return {"check": self.check, "status": self.status.value, "reason": self.reason}


class FindingCode(str, Enum):
    """Advisory findings: reported to the operator, never a reason for VALID or INVALID."""

    LEGACY_ALGORITHM = "legacy_algorithm"  # SHA-1 accepted before the policy's cut-off
    COM_SOD_MISMATCH = "com_sod_mismatch"  # EF.COM (unsigned) lists other groups than EF.SOD
    CRL_OUT_OF_DATE = "crl_out_of_date"
    FACE_FROM_CACHE = "face_from_cache"  # DG2 came from the station's face cache (its hash is EF.SOD's)


@dataclass(frozen=True)
class Finding:
    code: FindingCode
    reason: str  # English, free of personal data

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code.value, "reason": self.reason}


def valid(check: str, reason: str) -> Verdict:
    return Verdict(check, Status.VALID, reason)


def invalid(check: str, reason: str) -> Verdict:
    return Verdict(check, Status.INVALID, reason)


def not_checked(check: str, reason: str) -> Verdict:
    return Verdict(check, Status.NOT_CHECKED, reason)


def unknown_issuer(check: str, reason: str) -> Verdict:
    return Verdict(check, Status.UNKNOWN_ISSUER, reason)


def overall(verdicts: Iterable[Verdict], required: Iterable[str] = ()) -> Status:
    """The one rule that turns verdicts into an overall status.

    1. any verdict INVALID                                   -> INVALID
    2. else any verdict UNKNOWN_ISSUER                       -> UNKNOWN_ISSUER
    3. else every ``required`` check present and VALID, and at
       least one verdict VALID                               -> VALID
       (checks that are not required may be NOT_CHECKED)
    4. else (nothing checked, or a required check missing)   -> NOT_CHECKED

    ``required`` comes from :meth:`cardkit.icao.policy.VerificationPolicy.required`: the checks
    the card's own signed data makes necessary. NOT_CHECKED never satisfies a required check.

    A ``required`` entry ending in ``*`` is a prefix: at least one check with that prefix
    must be present, and all of them VALID.
    """
    vs = list(verdicts)
    statuses = {v.status for v in vs}
    if Status.INVALID in statuses:
        return Status.INVALID
    if Status.UNKNOWN_ISSUER in statuses:
        return Status.UNKNOWN_ISSUER
    for name in required:
        if name.endswith("*"):
            matching = [v for v in vs if v.check.startswith(name[:-1])]
        else:
            matching = [v for v in vs if v.check == name]
        if not matching or any(v.status is not Status.VALID for v in matching):
            return Status.NOT_CHECKED
    return Status.VALID if Status.VALID in statuses else Status.NOT_CHECKED
