# SPDX-License-Identifier: Apache-2.0
"""Passive authentication (ICAO 9303-11 §5.1, certificate profile and chain: 9303-12 §4-7).

Checks, each one :class:`~cardkit.icao.verdict.Verdict`:
  sod_structure   EF.SOD parses (only reported when it does not)
  sod_content     signed attributes bind the LDSSecurityObject (contentType, messageDigest)
  sod_signature   the SignerInfo signature verifies with the DS certificate's key
  ds_validity     the DS certificate is valid at ``now``
  ds_chain        the DS certificate is signed by a CSCA of the trust store (link certs included)
  ds_revocation   no CRL of that CSCA lists the DS certificate
  issuing_state   the CSCA's (else the DS's) country is the document's issuing state
  dg_hash:DGn     the hash of each data group EF.SOD lists equals the SOD's; a listed group that
                  was not provided is INVALID (the card hid it), except DG3/DG4 refused as
                  EAC-protected: ``dg_protected:DGn`` NOT_CHECKED
  dg_unlisted:DGn a data group read that the SOD does not list (NOT_CHECKED: unauthenticated)
Overall: :func:`cardkit.icao.verdict.overall` with the checks the
:class:`~cardkit.icao.policy.VerificationPolicy` requires for the groups EF.SOD lists.
Algorithms come from the allow-list of :mod:`cardkit.icao.pa.algorithms`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from asn1crypto import crl, x509

from cardkit.errors import AlgorithmNotAllowed, CardkitError
from cardkit.icao.lds.dg1 import parse_dg1
from cardkit.icao.lds.signed_data import ASN1_ERRORS
from cardkit.icao.lds.sod import Sod, parse_sod
from cardkit.icao.pa.algorithms import certificate_signed_on, check_digest, signed_on
from cardkit.icao.pa.countries import to_alpha2
from cardkit.icao.pa.keys import load_public_key, signature_hash, verify_signature
from cardkit.icao.pa.signed import common_name, content_verdict, country, signature_verdict, verify_certificate, within_validity
from cardkit.icao.pa.trust import TrustAnchor, TrustStore
from cardkit.icao.policy import DESK_POLICY, EAC_PROTECTED, VerificationPolicy, dg_hash_check, dg_protected_check
from cardkit.icao.verdict import Finding, FindingCode, Status, Verdict, invalid, not_checked, overall, unknown_issuer, valid

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CertSummary:
    subject: str
    issuer: str
    country: str | None
    serial: str
    not_before: str
    not_after: str
    key: str
    fingerprint: str

    @classmethod
    def of(cls, cert: x509.Certificate) -> CertSummary:
        v = cert["tbs_certificate"]["validity"]
        try:
            key = load_public_key(cert.public_key).describe()
        except CardkitError as exc:
            key = f"unsupported ({exc})"
        return cls(cert.subject.human_friendly, cert.issuer.human_friendly, country(cert.subject),
                   format(cert.serial_number, "x"), v["not_before"].native.isoformat(),
                   v["not_after"].native.isoformat(), key, hashlib.sha256(cert.dump()).hexdigest())


@dataclass(frozen=True)
class PaResult:
    verdicts: tuple[Verdict, ...]
    overall: Status
    ds: CertSummary | None = None
    csca: CertSummary | None = None
    csca_source: str | None = None
    hash_algorithm: str | None = None
    listed: frozenset[int] = frozenset()  # data groups EF.SOD lists (what the chip must hold)
    required: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = ()

    def verdict(self, check: str) -> Verdict | None:
        return next((v for v in self.verdicts if v.check == check), None)

    def to_dict(self) -> dict[str, object]:
        return {"overall": self.overall.value, "verdicts": [v.to_dict() for v in self.verdicts],
                "ds": self.ds.__dict__ if self.ds else None,
                "csca": self.csca.__dict__ if self.csca else None, "csca_source": self.csca_source,
                "hash_algorithm": self.hash_algorithm, "listed": sorted(self.listed),
                "findings": [f.to_dict() for f in self.findings]}


@dataclass
class _Run:
    sod: Sod
    trust: TrustStore
    now: datetime
    policy: VerificationPolicy
    verdicts: list[Verdict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    ds: x509.Certificate | None = None
    anchor: TrustAnchor | None = None

    def allowed(self, digest: str, when: date | None) -> None:
        """Raise AlgorithmNotAllowed unless allowed; note legacy SHA-1 once as a finding."""
        flag = check_digest(digest, self.policy, when)
        if flag and all(f.reason != flag for f in self.findings):
            self.findings.append(Finding(FindingCode.LEGACY_ALGORITHM, flag))


def passive_authentication(sod_bytes: bytes, dg_bytes: Mapping[int, bytes], trust: TrustStore, *,
                           issuing_state: str | None = None, now: datetime | None = None,
                           ds_candidates: tuple[x509.Certificate, ...] = (),
                           policy: VerificationPolicy = DESK_POLICY,
                           protected: Collection[int] = (),
                           absent: Mapping[int, str] | None = None,
                           parsed: Sod | None = None) -> PaResult:
    """Verify EF.SOD and the data groups against it.

    ``issuing_state``: ICAO code ("VNM", "D") or ISO alpha-2; when None it is taken from DG1 if
    given. ``now`` defaults to the current UTC time. ``ds_candidates``: DS certificates to try
    when the SOD carries none. ``protected``: data groups the chip refused as EAC-protected
    (only DG3/DG4 count); ``absent``: why other listed groups were not provided (for the reason).
    ``parsed``: ``parse_sod(sod_bytes)`` when the caller has it already (a reading session
    parses EF.SOD to know what to read): it is not parsed twice.
    """
    now = now or datetime.now(UTC)
    try:
        sod = parsed if parsed is not None else parse_sod(sod_bytes)
    except CardkitError as exc:
        v = invalid("sod_structure", f"EF.SOD cannot be parsed: {exc}")
        return PaResult((v,), Status.INVALID)
    run = _Run(sod, trust, now, policy)
    state = issuing_state if issuing_state is not None else _state_from_dg1(dg_bytes)
    try:
        _check_signer(run, ds_candidates)
        _check_chain(run)
        _check_revocation(run)
        _check_state(run, state, 1 in dg_bytes)
    except ASN1_ERRORS as exc:  # asn1crypto parses lazily: a malformed certificate shows up here
        run.verdicts.append(invalid("sod_structure", f"malformed certificate or CMS element: {exc}"))
    prot = frozenset(protected) & EAC_PROTECTED
    _check_hashes(run, dg_bytes, prot, absent or {})
    verdicts = tuple(run.verdicts)
    listed = frozenset(sod.dg_hashes)
    required = policy.required(listed=listed, protected=prot - set(dg_bytes))
    return PaResult(verdicts, overall(verdicts, required),
                    CertSummary.of(run.ds) if run.ds is not None else None,
                    CertSummary.of(run.anchor.cert) if run.anchor is not None else None,
                    run.anchor.source if run.anchor is not None else None, sod.hash_algorithm,
                    listed, required, tuple(run.findings))


def _check_signer(run: _Run, candidates: tuple[x509.Certificate, ...]) -> None:
    sd = run.sod.signed_data
    run.ds = run.sod.document_signer or next((c for c in candidates if sd.signer.matches(c)), None)
    run.verdicts.append(content_verdict(sd, policy=run.policy, signer=run.ds))
    if run.ds is None:
        if sd.certificates:  # certificates carried, but not the one the SignerInfo names
            run.verdicts.append(invalid("sod_signature", "the SignerInfo names none of the certificates in EF.SOD"))
        else:  # the card decides what EF.SOD carries: a check it prevents is INVALID
            run.verdicts.append(invalid("sod_signature", "the DS certificate is neither in EF.SOD nor given: "
                                                         "the signature cannot be verified"))
        return
    run.verdicts.append(signature_verdict(sd, run.ds, policy=run.policy))
    _note_legacy(run, sd.signer.digest_algorithm, signed_on(sd, run.ds))
    problem = within_validity(run.ds, run.now)
    run.verdicts.append(invalid("ds_validity", f"DS certificate {problem}") if problem else
                        valid("ds_validity", f"DS certificate valid on {run.now:%Y-%m-%d}"))


def _note_legacy(run: _Run, digest: str, when: date | None) -> None:
    try:
        run.allowed(digest, when)
    except AlgorithmNotAllowed:
        pass  # the verdict that depends on it is INVALID already


def _aki(cert: x509.Certificate) -> bytes | None:
    try:
        aki: bytes | None = cert.authority_key_identifier  # asn1crypto ships no types
        return aki
    except ASN1_ERRORS:
        return None


def _check_chain(run: _Run) -> None:
    if run.ds is None:
        run.verdicts.append(invalid("ds_chain", "no DS certificate to chain"))
        return
    try:
        run.allowed(signature_hash(run.ds["signature_algorithm"]), certificate_signed_on(run.ds))
    except AlgorithmNotAllowed as exc:
        run.verdicts.append(invalid("ds_chain", f"DS certificate: {exc}"))
        return
    issuer = run.ds.issuer
    name = f"'{common_name(issuer)}' (C={country(issuer) or '?'})"
    aki = _aki(run.ds)
    candidates = run.trust.csca_for(issuer, aki)
    for anchor in sorted(candidates, key=lambda a: not a.trusted):
        if verify_certificate(run.ds, anchor.cert):
            run.anchor = anchor
            run.verdicts.append(_anchor_verdict(anchor, name, run.now))
            return
    if not candidates:
        run.verdicts.append(unknown_issuer("ds_chain", f"issuer CSCA {name} is not in the trust store"))
    elif aki is not None and not any(a.cert.key_identifier == aki for a in candidates):
        run.verdicts.append(unknown_issuer(
            "ds_chain", f"the trust store holds CSCA {name}, but not the key that signed the DS certificate"))
    else:
        run.verdicts.append(invalid("ds_chain", f"DS certificate signature does not verify with CSCA {name}"))


def _anchor_verdict(anchor: TrustAnchor, name: str, now: datetime) -> Verdict:
    link = " (link certificate)" if anchor.is_link else ""
    if not anchor.trusted:
        return unknown_issuer("ds_chain", f"DS certificate is signed by CSCA {name}{link} found beside the "
                                          f"files ({anchor.source}); that CSCA is NOT in the trust store")
    problem = within_validity(anchor.cert, now)
    if problem:
        return invalid("ds_chain", f"DS certificate is signed by CSCA {name}{link}, which is {problem}")
    return valid("ds_chain", f"DS certificate is signed by trusted CSCA {name}{link} from {anchor.source}")


def _check_revocation(run: _Run) -> None:
    if run.ds is None:
        return
    lists = run.trust.crls_for(run.ds.issuer)
    lists += [(crl.CertificateList.load(der), "EF.SOD") for der in run.sod.signed_data.crls]
    if not lists:
        run.verdicts.append(not_checked("ds_revocation", "no CRL of the issuing CSCA in the trust store"))
        return
    checked, stale = [], []
    for lst, source in lists:
        if run.anchor is None or not _crl_signed_by(lst, run.anchor.cert):
            continue
        checked.append(source)
        for entry in lst["tbs_cert_list"]["revoked_certificates"]:
            if entry["user_certificate"].native == run.ds.serial_number:
                when = entry["revocation_date"].native
                run.verdicts.append(invalid("ds_revocation", f"DS certificate revoked on {when:%Y-%m-%d} "
                                                             f"(CRL {source})"))
                return
        next_update = lst["tbs_cert_list"]["next_update"].native
        if next_update is not None and next_update < run.now:  # RFC 5280 §5.1.2.5
            stale.append(f"{source} (next update {next_update:%Y-%m-%d})")
    if checked and len(stale) == len(checked):
        run.verdicts.append(not_checked("ds_revocation", f"CRL out of date: {', '.join(stale)}"))
        run.findings.append(Finding(FindingCode.CRL_OUT_OF_DATE, f"CRL out of date: {', '.join(stale)}"))
    elif checked:
        run.verdicts.append(valid("ds_revocation", f"DS certificate not listed in CRL {', '.join(checked)}"))
    else:
        run.verdicts.append(not_checked("ds_revocation", "CRLs present, but none verifies with the CSCA"))


def _crl_signed_by(lst: crl.CertificateList, issuer: x509.Certificate) -> bool:
    try:
        key = load_public_key(issuer.public_key)
        return verify_signature(key, lst["signature_algorithm"], lst["signature"].native,
                                lst["tbs_cert_list"].dump())
    except (CardkitError, *ASN1_ERRORS):
        return False


def _state_from_dg1(dg_bytes: Mapping[int, bytes]) -> str | None:
    if 1 not in dg_bytes:
        return None
    try:
        return parse_dg1(dg_bytes[1]).mrz.issuing_state
    except CardkitError:
        return None


def _check_state(run: _Run, issuing_state: str | None, have_dg1: bool) -> None:
    cert = run.anchor.cert if run.anchor is not None else run.ds
    if cert is None:
        run.verdicts.append(not_checked("issuing_state", "no certificate to compare the issuing state with"))
        return
    if issuing_state is None:
        if have_dg1:  # DG1 given but its MRZ does not parse: the card's data
            run.verdicts.append(invalid("issuing_state", "the issuing state cannot be read from DG1"))
        else:
            run.verdicts.append(not_checked("issuing_state", "issuing state unknown: DG1 not provided"))
        return
    wanted = to_alpha2(issuing_state)
    have = country(cert.subject)
    who = "CSCA" if run.anchor is not None else "DS certificate"
    ds_country = country(run.ds.subject) if run.ds is not None else None
    if wanted is None:
        run.verdicts.append(invalid("issuing_state", f"issuing state {issuing_state!r} is not a known code"))
    elif have != wanted:
        run.verdicts.append(invalid("issuing_state", f"{who} country {have} differs from issuing state {wanted}"))
    elif ds_country is not None and ds_country != have:
        run.verdicts.append(invalid("issuing_state", f"DS country {ds_country} differs from CSCA country {have}"))
    else:
        run.verdicts.append(valid("issuing_state", f"{who} country {have} is the issuing state"))


def _check_hashes(run: _Run, dg_bytes: Mapping[int, bytes], protected: frozenset[int],
                  absent: Mapping[int, str]) -> None:
    """Every group EF.SOD lists is checked; a listed group not provided is the card hiding it."""
    algo = run.sod.hash_algorithm
    listed = run.sod.dg_hashes
    if 1 not in listed:
        run.verdicts.append(invalid("dg_hash:DG1", "EF.SOD does not list DG1, which every document has "
                                                   "(ICAO 9303-10 §4.7)"))
    try:
        run.allowed(algo, signed_on(run.sod.signed_data, run.ds))
    except AlgorithmNotAllowed as exc:
        for number in sorted(listed):
            run.verdicts.append(invalid(dg_hash_check(number), f"EF.SOD hash {exc}"))
        return
    for number in sorted(set(listed) | set(dg_bytes)):
        name = dg_hash_check(number).partition(":")[2]
        expected = listed.get(number)
        if expected is None:
            run.verdicts.append(not_checked(f"dg_unlisted:{name}", f"{name} is not listed in EF.SOD: "
                                                                   "its content is not authenticated"))
        elif number not in dg_bytes:
            if number in protected:
                run.verdicts.append(not_checked(dg_protected_check(number), f"{name} is protected by "
                                                "Extended Access Control (6982): not read, not needed here"))
            else:
                why = absent.get(number, "not provided")
                run.verdicts.append(invalid(dg_hash_check(number), f"{name} is listed in EF.SOD but the "
                                                                   f"chip did not return it: {why}"))
        elif hashlib.new(algo, dg_bytes[number]).digest() == expected:
            run.verdicts.append(valid(dg_hash_check(number), f"{algo} hash matches EF.SOD"))
        else:
            run.verdicts.append(invalid(dg_hash_check(number), f"{algo} hash differs from EF.SOD: {name} was "
                                                               "altered or comes from another document"))
