# SPDX-License-Identifier: Apache-2.0
"""Read a card and verify what it says: the whole chip side of a check-in.

Chip Authentication runs as soon as DG14 is read and Active Authentication as soon as DG15 is
(:mod:`cardkit.icao.chip_checks`), so the rest of the files (DG2 above all) are read under the
chip-authenticated keys. Passive authentication runs on what was read, against what EF.SOD
lists. Every check becomes a :class:`~cardkit.icao.verdict.Verdict`; the overall status follows
the one rule of :func:`cardkit.icao.verdict.overall` over the checks the
:class:`~cardkit.icao.policy.VerificationPolicy` requires for this card: VALID only when every
one of them is VALID.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from cardkit.apdu import StatusWord as SW
from cardkit.errors import CardkitError, ParseError, SecureMessagingError
from cardkit.icao.aa import AaEvidence
from cardkit.icao.card_data import CardData
from cardkit.icao.chip_checks import ChipChecks
from cardkit.icao.face_cache import FaceCache, remember_groups
from cardkit.icao.lds.com import parse_com
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.pa.passive import PaResult, passive_authentication
from cardkit.icao.pa.trust import TrustStore
from cardkit.icao.policy import ACCESS_DOWNGRADE, DESK_POLICY, PASSIVE_AUTHENTICATION, VerificationPolicy
from cardkit.icao.policy import CHIP_AUTHENTICATION as CA_CHECK
from cardkit.icao.session import AccessSpec, CardRead, FileEvent, ReadingSession
from cardkit.icao.verdict import Finding, FindingCode, Status, Verdict, invalid, not_checked, overall, valid
from cardkit.transport.base import Connection

if TYPE_CHECKING:
    from cardkit.icao.lds.sod import Sod
    from cardkit.icao.ta import TerminalCredentials
    from cardkit.person import PersonData

logger = logging.getLogger(__name__)

NOT_READ_CA_FAILED = "not read: chip authentication failed"


@dataclass
class ReadResult:
    read: CardRead
    verdicts: list[Verdict] = field(default_factory=list)
    overall: Status = Status.NOT_CHECKED
    pa: PaResult | None = None
    findings: tuple[Finding, ...] = ()
    required: tuple[str, ...] = ()
    policy: VerificationPolicy = DESK_POLICY
    aa_evidence: AaEvidence | None = None  # the AA challenge and the chip's signature, for receipts

    def dg(self, n: int) -> bytes | None:
        return self.read.files.get(DataGroup.from_number(n))

    @cached_property
    def data(self) -> CardData:
        """The data groups parsed once, on first use (holder, face, issuing state)."""
        return CardData(self.read.files)

    def holder(self) -> PersonData | None:
        """The holder as the chip states it (DG13, else DG1), or None. Verified only when
        :attr:`overall` is VALID: callers must say so otherwise."""
        return self.data.holder

    @property
    def face(self) -> bytes | None:
        """The DG2 face image bytes, or None."""
        return self.data.face

    def to_dict(self) -> dict[str, object]:
        r = self.read
        files: dict[str, object] = {dg.label: len(data) for dg, data in r.files.items()}
        files.update({dg.label: why for dg, why in r.errors.items()})
        holder = self.holder()
        return {
            "access": r.access.protocol,
            "access_detail": r.access.to_dict(),
            "files": files,
            "apdus": r.apdus,
            "bytes_sent": r.bytes_sent,
            "bytes_received": r.bytes_received,
            "seconds": round(r.seconds, 3),
            "from_cache": [dg.label for dg in r.from_cache],
            "verdicts": [v.to_dict() for v in self.verdicts],
            "overall": self.overall.value,
            "required": list(self.required),
            "findings": [f.to_dict() for f in self.findings],
            "policy": self.policy.to_dict(),
            "document_signer": self.pa.ds.__dict__ if self.pa and self.pa.ds else None,
            "holder": holder.to_dict() if holder is not None else None,
            "holder_verified": self.overall is Status.VALID,
        }


def read_and_verify(
    connection: Connection,
    access: AccessSpec,
    *,
    trust: TrustStore,
    progress: Callable[[FileEvent], None] | None = None,
    now: datetime | None = None,
    policy: VerificationPolicy = DESK_POLICY,
    terminal: TerminalCredentials | None = None,
    face_cache: FaceCache | None = None,
    rng: Callable[[int], bytes] = secrets.token_bytes,
) -> ReadResult:
    """Open, read and verify. ``terminal``: an EAC terminal chain and key; when given and the chip
    announces Terminal Authentication, TA runs (:mod:`cardkit.icao.ta_checks`) and must pass.
    ``face_cache``: a returning card's DG2, DG14 and DG15 are taken from it when it holds the
    bytes of the hashes EF.SOD lists (:mod:`cardkit.icao.face_cache`); those of a VALID read
    that came from the chip are stored in it. ``rng``: the randomness of the AA challenge."""
    t0 = time.perf_counter()
    session = ReadingSession(connection, face_cache=face_cache)
    session.open(access)
    checks = ChipChecks(session, terminal=terminal, rng=rng)
    try:
        session.read_files(progress, on_file=checks.on_file)
        checks.prove_ca()
    except SecureMessagingError as exc:
        if not checks.ca_pending:
            raise
        # The chip could not continue under the keys CA agreed: it does not hold the DG14 key.
        checks.ca_pending = False
        checks.verdicts.append(invalid(CA_CHECK, f"the chip failed to continue under chip-authentication keys ({exc})"))
        for dg in (DataGroup.COM, *map(DataGroup.from_number, session.listed)):  # what the broken session did not reach
            if dg not in session.files_read:
                session.file_errors.setdefault(dg, NOT_READ_CA_FAILED)
    checks.finish(session.listed, session.file_errors)
    read = session.result(t0)
    result = verify(read, trust, now=now, chip_verdicts=checks.verdicts, policy=policy, sod=session.sod,
                    ca_offered=checks.ca_offered, aa_offered=15 in session.listed or checks.aa_advertised_in_dg14,
                    ta_attempted=checks.ta_attempted, opened=checks.ta_opened)
    result.aa_evidence = checks.aa_evidence
    if face_cache is not None and session.sod is not None and result.overall is Status.VALID:
        remember_groups(face_cache, session.sod, {dg: b for dg, b in read.files.items() if dg not in read.from_cache})
    return result


def verify(read: CardRead, trust: TrustStore, *, now: datetime | None = None, chip_verdicts: Sequence[Verdict] = (),
           policy: VerificationPolicy = DESK_POLICY, ca_offered: bool = False, aa_offered: bool = False,
           ta_attempted: bool = False, opened: frozenset[int] = frozenset(), sod: Sod | None = None) -> ReadResult:
    """Passive authentication of what was read, merged with the chip's own checks and the
    access-control check, judged against what the card's signed data requires. ``opened``: the
    data groups Terminal Authentication opened; a 6982 on them is no longer "protected".
    ``sod``: ``read``'s EF.SOD as the reading session parsed it (not parsed again)."""
    verdicts: list[Verdict] = []
    findings: list[Finding] = []
    pa = None
    sod_bytes = read.files.get(DataGroup.SOD)
    protected = frozenset(n for n, sw in read.refused.items() if sw == SW.SECURITY_STATUS_NOT_SATISFIED) - opened
    if sod_bytes is None:
        why = read.errors.get(DataGroup.SOD, "not read")
        verdicts.append(invalid(PASSIVE_AUTHENTICATION, f"EF.SOD was not returned by the chip: {why}"))
    else:
        dgs = {dg.number: data for dg, data in read.files.items() if dg.number}
        absent = {dg.number: why for dg, why in read.errors.items() if dg.number}
        pa = passive_authentication(sod_bytes, dgs, trust, now=now, policy=policy, protected=protected, absent=absent,
                                    parsed=sod)
        verdicts.extend(pa.verdicts)
        findings.extend(pa.findings)
        findings.extend(com_findings(read.files.get(DataGroup.COM), pa.listed, read.errors.get(DataGroup.COM)))
        findings.extend(Finding(FindingCode.FACE_FROM_CACHE, f"{dg.label} came from this station's face cache, not "
                                f"the chip: its {pa.hash_algorithm} hash is the one EF.SOD lists")
                        for dg in read.from_cache)
    verdicts.extend(chip_verdicts)
    verdicts.append(access_verdict(read, policy))
    required = policy.required(listed=pa.listed if pa else frozenset(), protected=protected,
                               ca_offered=ca_offered, aa_offered=aa_offered, live=True, ta_attempted=ta_attempted)
    if pa is None:
        required = (PASSIVE_AUTHENTICATION, *required)
    return ReadResult(read, verdicts, overall(verdicts, required), pa, tuple(findings), required, policy)


def access_verdict(read: CardRead, policy: VerificationPolicy) -> Verdict:
    """ICAO 9303-11 §4.2 / §9.2.7: a chip whose signed DG14 advertises PACE must be opened with PACE;
    BAC then means someone stripped or spoiled EF.CardAccess (which is not signed)."""
    if read.access.protocol == "PACE":
        return valid(ACCESS_DOWNGRADE, "the session used PACE")
    if not _dg14_advertises_pace(read.files.get(DataGroup.DG14)):
        return valid(ACCESS_DOWNGRADE, "the session used BAC; the chip's signed data advertises no PACE")
    reason = f"the chip's signed DG14 advertises PACE, but the session used BAC ({read.access.reason})"
    if not policy.forbid_access_downgrade:
        return not_checked(ACCESS_DOWNGRADE, f"switched off by configuration: {reason}")
    return invalid(ACCESS_DOWNGRADE, reason)


def _dg14_advertises_pace(dg14: bytes | None) -> bool:
    if dg14 is None:
        return False
    from cardkit.icao.lds.security_infos import parse_security_infos

    try:
        return bool(parse_security_infos(dg14).pace_infos)
    except (ParseError, CardkitError):
        return False  # DG14 unusable: its own verdicts (CA, dg_hash) say so


def com_findings(com: bytes | None, listed: frozenset[int], not_read: str | None = None) -> list[Finding]:
    """EF.COM is advisory: a difference from EF.SOD is reported, never decisive. ``not_read``:
    why EF.COM is missing (it is read after Chip Authentication, which may have failed)."""
    if com is None and not_read == NOT_READ_CA_FAILED:
        return [Finding(FindingCode.COM_SOD_MISMATCH, "EF.COM was not read: chip authentication failed")]
    if com is None:
        return [Finding(FindingCode.COM_SOD_MISMATCH, "EF.COM was not returned by the chip")]
    try:
        in_com = {dg.number for dg in parse_com(com).data_groups if dg.number}
    except ParseError as exc:
        return [Finding(FindingCode.COM_SOD_MISMATCH, f"EF.COM cannot be parsed: {exc}")]
    out = []
    if listed - in_com:
        names = ", ".join(f"DG{n}" for n in sorted(listed - in_com))
        out.append(Finding(FindingCode.COM_SOD_MISMATCH, f"EF.COM leaves out {names}, which EF.SOD lists (read anyway)"))
    if in_com - listed:
        names = ", ".join(f"DG{n}" for n in sorted(in_com - listed))
        out.append(Finding(FindingCode.COM_SOD_MISMATCH, f"EF.COM lists {names}, which EF.SOD does not (not read)"))
    return out
