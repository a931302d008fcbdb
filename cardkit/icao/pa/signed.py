# SPDX-License-Identifier: Apache-2.0
"""Verification of a CMS SignedData signature and of one certificate by another.

RFC 5652 §5.4 / §5.6 (signed attributes, message digest), ICAO 9303-11 §5.1.1 steps 1-2.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from asn1crypto import x509

from cardkit.errors import AlgorithmNotAllowed, CardkitError, VerificationError
from cardkit.icao.lds.signed_data import ASN1_ERRORS, SignedData, check_certificate_encoding
from cardkit.icao.pa.algorithms import check_digest, signed_on
from cardkit.icao.pa.keys import load_public_key, signature_hash, verify_signature
from cardkit.icao.policy import DESK_POLICY, VerificationPolicy
from cardkit.icao.verdict import Verdict, invalid, valid

PSS_OID = "1.2.840.113549.1.1.10"


def content_verdict(sd: SignedData, check: str = "sod_content", *, policy: VerificationPolicy = DESK_POLICY,
                    signer: x509.Certificate | None = None) -> Verdict:
    """The signed attributes bind the eContent: contentType and messageDigest (RFC 5652 §11.1-11.2).

    The digest algorithm is unsigned: one outside the allow-list is INVALID, never "unsupported".
    """
    si = sd.signer
    if si.digest_algorithm not in sd.digest_algorithms:  # RFC 5652 §5.1
        return invalid(check, f"digest algorithm {si.digest_algorithm} is not in SignedData.digestAlgorithms")
    try:
        check_digest(si.digest_algorithm, policy, signed_on(sd, signer))
    except AlgorithmNotAllowed as exc:
        return invalid(check, str(exc))
    if si.signed_attrs is None:
        return valid(check, "no signed attributes: the signature covers the content directly")
    if si.content_type != sd.content_type:
        return invalid(check, f"signed contentType {si.content_type} differs from eContentType {sd.content_type}")
    digest = hashlib.new(si.digest_algorithm, sd.content).digest()
    if si.message_digest != digest:
        return invalid(check, "messageDigest in the signed attributes does not match the content")
    return valid(check, f"messageDigest ({si.digest_algorithm}) matches the content")


def signature_verdict(sd: SignedData, signer: x509.Certificate, check: str = "sod_signature", *,
                      policy: VerificationPolicy = DESK_POLICY) -> Verdict:
    """The SignerInfo signature verifies with ``signer``'s key. Everything that prevents the check
    (an algorithm not allowed, a key that cannot be loaded) comes from the card: INVALID."""
    si = sd.signer
    data = si.signed_attrs if si.signed_attrs is not None else sd.content
    try:
        algo = si.signature_algorithm["algorithm"].dotted
        h = signature_hash(si.signature_algorithm, si.digest_algorithm)
        if algo == PSS_OID and h != si.digest_algorithm:  # RFC 4056 §3
            raise AlgorithmNotAllowed(f"algorithm not allowed: RSASSA-PSS with {h} but digest algorithm "
                                      f"{si.digest_algorithm}")
        check_digest(h, policy, signed_on(sd, signer))
        key = load_public_key(signer.public_key)
        ok = verify_signature(key, si.signature_algorithm, si.signature, data,
                              digest_algorithm=si.digest_algorithm)
    except AlgorithmNotAllowed as exc:
        return invalid(check, str(exc))
    except VerificationError as exc:
        return invalid(check, f"the signature cannot be verified: {exc}")
    except ASN1_ERRORS as exc:
        return invalid(check, f"malformed signature algorithm or key: {exc}")
    name = si.signature_algorithm["algorithm"].native
    if ok:
        return valid(check, f"{name} signature verifies with the {key.describe()} key of the signer")
    return invalid(check, f"{name} signature does not verify with the signer's key")


def verify_certificate(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s key verifies ``cert``'s signature (X.509 §7.2)."""
    try:
        check_certificate_encoding(cert)
        key = load_public_key(issuer.public_key)
        return verify_signature(key, cert["signature_algorithm"], cert["signature_value"].native,
                                cert["tbs_certificate"].dump())
    except (CardkitError, *ASN1_ERRORS):
        return False


def within_validity(cert: x509.Certificate, now: datetime) -> str | None:
    """None when ``now`` lies within the certificate's validity, else a reason."""
    v = cert["tbs_certificate"]["validity"]
    nb, na = v["not_before"].native, v["not_after"].native
    if now < nb:
        return f"not valid before {nb:%Y-%m-%d}"
    if now > na:
        return f"expired on {na:%Y-%m-%d}"
    return None


def common_name(name: x509.Name) -> str:
    try:
        n = name.native
        return str(n.get("common_name") or name.human_friendly)
    except ASN1_ERRORS:
        return "?"


def country(name: x509.Name) -> str | None:
    try:
        c = name.native.get("country_name")
        return str(c).upper() if c else None
    except ASN1_ERRORS:
        return None
