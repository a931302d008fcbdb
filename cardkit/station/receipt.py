# SPDX-License-Identifier: Apache-2.0
"""A verification receipt per check-in: proof that the card was verified by chip, with little
personal data, that ``cardkit verify --receipt FILE`` re-checks offline later.

It holds EF.SOD (the issuer-signed hashes), the hash of every data group read, the Active /
Chip Authentication evidence (DG15 and DG14: public keys, no personal data; the AA challenge
the desk sent and the chip's signature of it, re-verifiable offline; the verdicts), every
verdict and the overall status with the policy that turned them into it, the station, the
operator and the time. No name, address or face unless the operator asks (``personal=True``:
then the merged identity, without the face).

Re-checking (:func:`check_receipt`), as of the receipt's time: passive authentication of EF.SOD
against the trust store (signature, DS validity, chain to a trusted CSCA, revocation) and of DG14
/ DG15 against it; each data-group hash of the receipt equal to the one EF.SOD signs, and every
data group the receipt names listed in EF.SOD (one EF.SOD lists but the desk could not read,
such as the access-protected DG3, is reported, as passive authentication at the desk did); the
recorded overall status no better than the re-checked one; the AA signature re-verified against
DG15. What the receipt cannot prove: that the challenge was fresh (the desk chose it), Chip
Authentication after the fact (its proof is the session itself), and the station, operator and
time are the station's word (no station signing key yet).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from datetime import datetime

from cardkit.errors import CardkitError, InputError
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.sod import parse_sod
from cardkit.icao.pa.passive import passive_authentication
from cardkit.icao.pa.trust import TrustStore
from cardkit.icao.policy import EAC_PROTECTED, PA_CHECKS, dg_hash_check
from cardkit.icao.verdict import Status, Verdict, invalid, not_checked, overall, valid

FORMAT = "cardkit-receipt/1"
EVIDENCE_DGS = (14, 15)  # public keys only: kept whole so their hashes re-check
RULE = ("cardkit.icao.verdict.overall: any INVALID -> INVALID; any UNKNOWN_ISSUER -> UNKNOWN_ISSUER; "
        "every required check VALID -> VALID; else NOT_CHECKED")
CHIP_CHECKS = ("active_authentication", "chip_authentication")
RANK = {Status.VALID: 3, Status.UNKNOWN_ISSUER: 2, Status.NOT_CHECKED: 1, Status.INVALID: 0}


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object, what: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except (ValueError, TypeError):
        raise InputError(f"receipt: {what} is not base64", message_vi="Biên nhận hỏng: dữ liệu không hợp lệ.") from None


def build_receipt(checkin, result, *, personal: bool = False) -> dict:
    """The receipt of a check-in (:class:`~cardkit.station.checkin.CheckIn`) from its read result."""
    files: Mapping[DataGroup, bytes] = result.read.files
    sod = files.get(DataGroup.SOD)
    algo = result.pa.hash_algorithm if result.pa is not None and result.pa.hash_algorithm else "sha256"
    if algo not in hashlib.algorithms_available:  # PA said NOT_CHECKED already; the receipt keeps sha256
        algo = "sha256"
    dgs = {dg.label: data for dg, data in files.items() if dg.number}
    out = {
        "format": FORMAT, "checkin_id": checkin.checkin_id, "at": checkin.at.isoformat(),
        "station": checkin.station, "operator": checkin.operator, "access_method": checkin.access_method,
        "ef_sod": _b64(sod) if sod else None, "hash_algorithm": algo,
        "dg_hashes": {name: hashlib.new(algo, data).hexdigest() for name, data in sorted(dgs.items())},
        "evidence": {dg.label: _b64(files[dg]) for dg in map(DataGroup.from_number, EVIDENCE_DGS) if dg in files},
        "aa": ({"challenge": _b64(result.aa_evidence.challenge), "signature": _b64(result.aa_evidence.signature)}
               if getattr(result, "aa_evidence", None) is not None else None),
        "verdicts": [v.to_dict() for v in result.verdicts], "overall": result.overall.value,
        "policy": {**result.policy.to_dict(), "required": list(result.required), "rule": RULE},
        "ds": result.pa.ds.__dict__ if result.pa is not None and result.pa.ds else None,
        "issuing_state": result.data.issuing_state,
        "identity": checkin.identity.to_dict() if personal else None,
    }
    return out


def _dg_number(name: str) -> int:
    if not name.startswith("DG") or not name[2:].isdigit():
        raise InputError(f"receipt: {name!r} is not a data group", message_vi="Biên nhận hỏng: tên nhóm dữ liệu sai.")
    return int(name[2:])


def check_receipt(receipt: dict, trust: TrustStore) -> tuple[Status, list[Verdict]]:
    """Re-check a receipt offline. Returns the overall status and every verdict with its reason."""
    if not isinstance(receipt, dict) or receipt.get("format") != FORMAT:
        raise InputError(f"not a {FORMAT} receipt", message_vi="Tệp không phải biên nhận xác thực của cardkit.")
    if not receipt.get("ef_sod"):
        v = invalid("receipt_sod", "the receipt holds no EF.SOD: nothing proves the chip was verified")
        return Status.INVALID, [v]
    try:
        at = datetime.fromisoformat(str(receipt["at"]))
        sod_bytes = _unb64(receipt["ef_sod"], "EF.SOD")
        evidence = {_dg_number(k): _unb64(v, k) for k, v in dict(receipt.get("evidence") or {}).items()}
        hashes = {_dg_number(k): str(v).lower() for k, v in dict(receipt.get("dg_hashes") or {}).items()}
        recorded = Status(receipt.get("overall"))
        chip = _chip_verdicts(receipt, evidence)
        if at.tzinfo is None:
            raise ValueError("the receipt time has no time zone")
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise InputError(f"receipt is malformed: {type(exc).__name__}: {exc}",
                         message_vi="Biên nhận hỏng: thiếu hoặc sai trường.") from None
    state = receipt.get("issuing_state")
    pa = passive_authentication(sod_bytes, evidence, trust, now=at, issuing_state=str(state) if state else None)
    # The receipt keeps hashes, not the data groups: PA's own hash verdicts stand only for the
    # evidence it holds (DG14/DG15); the others are the receipt's hash checks below.
    verdicts = [v for v in pa.verdicts if not (v.check.startswith("dg_hash:") and
                                               v.check not in {dg_hash_check(n) for n in evidence})]
    verdicts += _hash_verdicts(sod_bytes, hashes, evidence)
    verdicts += chip
    verdicts += _aa_verdicts(receipt, evidence)
    listed = pa.listed
    required = [*PA_CHECKS, *(f"receipt_dg_hash:DG{n}" for n in sorted(listed)
                              if not (n in EAC_PROTECTED and n not in hashes))]
    if not listed:
        required.append("receipt_dg_hash:*")
    status = overall(verdicts, required)
    if RANK[recorded] > RANK[status]:
        verdicts.append(invalid("receipt_overall", f"the receipt records {recorded.value} but re-checks as "
                                                   f"{status.value}"))
        status = Status.INVALID
    return status, verdicts


def _hash_verdicts(sod_bytes: bytes, hashes: dict[int, str], evidence: dict[int, bytes]) -> list[Verdict]:
    try:
        sod = parse_sod(sod_bytes)
    except CardkitError:
        return []  # passive_authentication already said INVALID (sod_structure)
    if sod.hash_algorithm not in hashlib.algorithms_available:
        return [invalid("receipt_dg_hash:*", f"EF.SOD names an unsupported hash algorithm {sod.hash_algorithm}")]
    out = []
    for n, expected in sorted(sod.dg_hashes.items()):
        got = hashes.get(n)
        name = f"receipt_dg_hash:DG{n}"
        if got is None and n in EAC_PROTECTED:
            out.append(not_checked(f"receipt_dg_unread:DG{n}", f"DG{n} is listed in EF.SOD and protected by "
                                                               "Extended Access Control: not read at the desk"))
        elif got is None:
            out.append(invalid(name, f"DG{n} is listed in EF.SOD but was not read at the desk"))
        elif got == expected.hex():
            out.append(valid(name, "the receipt's hash equals the one EF.SOD signs"))
        else:
            out.append(invalid(name, "the receipt's hash differs from the one EF.SOD signs"))
    for n in sorted(set(hashes) - set(sod.dg_hashes)):
        out.append(invalid(f"receipt_dg_hash:DG{n}", f"DG{n} is not listed in EF.SOD"))
    for n, data in sorted(evidence.items()):
        if n in hashes and hashlib.new(sod.hash_algorithm, data).hexdigest() != hashes[n]:
            out.append(invalid(f"receipt_evidence:DG{n}", f"the DG{n} evidence does not hash to the receipt's hash"))
    return out


def _aa_verdicts(receipt: dict, evidence: dict[int, bytes]) -> list[Verdict]:
    """The chip's AA signature of the desk's challenge, re-verified against DG15 (whose hash
    EF.SOD signs): the proof that the card at the desk held the genuine chip's private key."""
    from cardkit.icao.aa import verify_response
    from cardkit.icao.lds.security_infos import parse_security_infos

    aa = receipt.get("aa")
    if not aa:
        return []
    if 15 not in evidence:
        return [invalid("receipt_aa_signature", "the receipt holds an AA signature but no DG15")]
    aa_info = None
    if 14 in evidence:
        try:
            infos = parse_security_infos(evidence[14])
            aa_info = infos.aa_infos[0] if infos.aa_infos else None
        except CardkitError:
            pass  # DG14's own verdicts say so
    challenge, signature = _unb64(aa.get("challenge"), "AA challenge"), _unb64(aa.get("signature"), "AA signature")
    v = verify_response(evidence[15], challenge, signature, aa_info=aa_info)
    return [Verdict("receipt_aa_signature", v.status, v.reason)]


def _chip_verdicts(receipt: dict, evidence: dict[int, bytes]) -> list[Verdict]:
    """AA / CA as recorded; a VALID one needs its public key (DG15 / DG14) in the evidence."""
    out = []
    need = {"active_authentication": 15, "chip_authentication": 14}
    for v in list(receipt.get("verdicts") or []):
        if isinstance(v, dict) and v.get("check") in CHIP_CHECKS:
            status = Status(v.get("status"))
            if status is Status.VALID and need[v["check"]] not in evidence:
                out.append(invalid(f"receipt_{v['check']}", f"recorded VALID without DG{need[v['check']]} evidence"))
            else:
                out.append(Verdict(f"recorded_{v['check']}", status, str(v.get("reason", ""))))
    return out
