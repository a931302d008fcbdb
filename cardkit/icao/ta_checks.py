# SPDX-License-Identifier: Apache-2.0
"""EAC Terminal Authentication inside a read: the ``terminal_authentication`` check.

Runs only when the desk configured a terminal chain and key (:class:`TerminalCredentials`);
without them nothing changes and DG3/DG4 stay "protected". The version is the one the chip
announces in its TerminalAuthenticationInfo (DG14, signed; else EF.CardAccess):

- version 2 (EAC 2, TR-03110-2 §3.3): after PACE and before Chip Authentication, ID_PICC =
  Comp() of the chip's PACE ephemeral key, MSE:Set AT announcing Comp(PK_PCD) of the ephemeral
  key the following Chip Authentication (v2) then uses;
- version 1 (EAC 1, TR-03110-1 §B.3, ICAO 9303-11 §7.1): right after Chip Authentication,
  ID_PICC = Comp() of the PACE ephemeral key after PACE, the MRZ document number with its check
  digit after BAC.

Every refusal is INVALID (fail closed, never "protected") with a typed :class:`TaFailure` and a
reason naming the step, the status word and, diagnosed from the chain the terminal holds, why.
Once TA passed, the data groups the chain's effective authorization covers (DG3 bit 0, DG4
bit 1, TR-03110-3 §C.4.1) are required like any other data group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from cardkit.apdu import StatusWord as SW
from cardkit.icao.cvc import READ_DG3, READ_DG4, CertRole, CvCertificate
from cardkit.icao.lds.security_infos import SecurityInfos, TerminalAuthenticationInfo
from cardkit.icao.policy import TERMINAL_AUTHENTICATION as TA_CHECK
from cardkit.icao.ta import STEP_CERT, STEP_DST, STEP_EXTERNAL, TaError, TaVersion, TerminalCredentials
from cardkit.icao.verdict import Verdict, invalid, not_checked, valid


class TaFailure(str, Enum):
    """Why Terminal Authentication failed (the type of an INVALID ``terminal_authentication``)."""

    UNTRUSTED_CHAIN = "untrusted_chain"  # not rooted in the chip's CVCA
    CERTIFICATE_EXPIRED = "certificate_expired"  # expired by the chip's current date
    CERTIFICATE_REJECTED = "certificate_rejected"  # another refusal of PSO:Verify Certificate
    KEY_MISMATCH = "key_mismatch"  # the terminal key is not the terminal certificate's
    SIGNATURE_REJECTED = "signature_rejected"  # EXTERNAL AUTHENTICATE refused another way
    REFUSED = "refused"  # MSE:Set AT / GET CHALLENGE refused, or the protocol cut short
    UNSUPPORTED = "unsupported"  # a TA version or a set-up cardkit cannot run


@dataclass(frozen=True)
class TaOutcome:
    verdict: Verdict
    failure: TaFailure | None = None
    opened: frozenset[int] = frozenset()  # DG numbers the chip now opens (DG3, DG4)


def announced_version(dg14: SecurityInfos | None, card_access: SecurityInfos | None) -> int | None:
    """The TA version of the signed DG14's TerminalAuthenticationInfo, else EF.CardAccess's."""
    for infos in (dg14, card_access):
        tas = infos.of_type(TerminalAuthenticationInfo) if infos is not None else ()
        if tas:
            return max(t.version for t in tas)
    return None


def version_of(announced: int) -> TaVersion | None:
    return TaVersion(announced) if announced in (1, 2) else None


def opened_by(creds: TerminalCredentials) -> frozenset[int]:
    bits = creds.authorization
    return frozenset(n for n, bit in ((3, READ_DG3), (4, READ_DG4)) if bits & bit)


def success(creds: TerminalCredentials, version: TaVersion) -> TaOutcome:
    opened = opened_by(creds)
    names = ", ".join(f"DG{n}" for n in sorted(opened)) or "no data group"
    reason = f"the chip accepted terminal {creds.terminal.chr} (TA v{int(version)}); its authorization opens {names}"
    return TaOutcome(valid(TA_CHECK, reason), opened=opened)


def fail(failure: TaFailure, reason: str) -> TaOutcome:
    return TaOutcome(invalid(TA_CHECK, reason), failure)


def not_offered() -> TaOutcome:
    return TaOutcome(not_checked(TA_CHECK, "the chip's security infos announce no Terminal Authentication"))


def unsupported_version(announced: int) -> TaOutcome:
    return fail(TaFailure.UNSUPPORTED, f"the chip announces Terminal Authentication version {announced}, which "
                                       "cardkit does not run (TR-03110 versions 1 and 2)")


def _chip_date_floor(chain: tuple[CvCertificate, ...], before: CvCertificate) -> date | None:
    """The chip's date is at least the latest effective date of the CVCA / domestic DV
    certificates it has seen (TR-03110-3 §2.5): those of the chain up to ``before``."""
    seen = [c.effective for c in chain[: chain.index(before)] if c.cert_role in (CertRole.CVCA, CertRole.DV_DOMESTIC)]
    return max(seen, default=None)


def _certificate_refused(exc: TaError, creds: TerminalCredentials) -> TaOutcome:
    cert = next(c for c in creds.chain if c.chr == exc.certificate)
    what = f"the chip rejected {cert.chr} ({exc.step} {exc.sw or 0:04X})"
    if exc.step == STEP_DST:
        why = f"it does not know {cert.car}, the issuer of {cert.chr}: the chain is not rooted in the chip's CVCA"
        return fail(TaFailure.UNTRUSTED_CHAIN, f"{what}: {why}")
    floor = _chip_date_floor(creds.chain, cert)
    if floor is not None and cert.expiration < floor:
        why = f"it expired on {cert.expiration.isoformat()}, before the chip's current date ({floor.isoformat()} or later)"
        return fail(TaFailure.CERTIFICATE_EXPIRED, f"{what}: {why}")
    if cert is creds.to_send[0]:
        why = f"it is not signed by the chip's trust point {cert.car}: the chain is not rooted in the chip's CVCA"
        return fail(TaFailure.UNTRUSTED_CHAIN, f"{what}: {why}")
    return fail(TaFailure.CERTIFICATE_REJECTED, f"{what}: its signature or validity is not accepted")


def refused(exc: TaError, creds: TerminalCredentials) -> TaOutcome:
    """The INVALID outcome for a refusal by the chip, diagnosed from the chain we hold."""
    if exc.certificate is not None and exc.step in (STEP_DST, STEP_CERT):
        return _certificate_refused(exc, creds)
    sw = f"{exc.sw:04X}" if exc.sw is not None else "no status"
    if exc.step == STEP_EXTERNAL and exc.sw == SW.WARNING_VERIFICATION_FAILED:
        what = f"the chip rejected the terminal's signature ({STEP_EXTERNAL} {sw})"
        if not creds.key.matches(creds.terminal.public_key):
            return fail(TaFailure.KEY_MISMATCH, f"{what}: the terminal key is not the key of certificate "
                                                f"{creds.terminal.chr}")
        return fail(TaFailure.SIGNATURE_REJECTED, what)
    meaning = _MEANING.get(exc.sw or 0, "")
    return fail(TaFailure.REFUSED, f"the chip refused {exc.step or 'Terminal Authentication'} ({sw}){meaning}")


_MEANING: dict[int, str] = {SW.SECURITY_STATUS_NOT_SATISFIED: ": security status not satisfied",
                            SW.CONDITIONS_NOT_SATISFIED: ": conditions of use not satisfied",
                            SW.WARNING_VERIFICATION_FAILED: ": verification failed"}
