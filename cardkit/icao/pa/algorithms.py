# SPDX-License-Identifier: Apache-2.0
"""The algorithm allow-list of passive authentication (ICAO 9303-12 §4.4 / App. A, BSI TR-03110-3).

Digest and signature algorithm identifiers sit outside every signature (SignerInfo, SignedData,
LDSSecurityObject), so whoever forges a card chooses them. Anything outside this list is
refused, which makes a downgrade (md5, an unknown OID, a flipped OID byte) INVALID rather than
"unsupported": hashes SHA-224/256/384/512, and SHA-1 only for documents signed before the
policy's cut-off (reported); signatures RSA PKCS#1 v1.5, RSASSA-PSS (consistent parameters,
checked in :mod:`cardkit.icao.pa.keys`) and ECDSA (X9.62 or BSI plain) on named or explicit curves.
"""

from __future__ import annotations

from datetime import date, datetime

from asn1crypto import x509

from cardkit.errors import AlgorithmNotAllowed
from cardkit.icao.lds.signed_data import ASN1_ERRORS, SignedData
from cardkit.icao.policy import VerificationPolicy

DIGESTS = ("sha224", "sha256", "sha384", "sha512")
LEGACY_DIGEST = "sha1"


def check_digest(name: str, policy: VerificationPolicy, signed_on: date | None) -> str | None:
    """Raise :class:`AlgorithmNotAllowed` unless ``name`` is allowed for a document signed on
    ``signed_on``; return a flag text when it is accepted only as legacy SHA-1."""
    if name in DIGESTS:
        return None
    if name == LEGACY_DIGEST:
        cutoff = policy.sha1_cutoff
        if cutoff is None:
            raise AlgorithmNotAllowed("algorithm not allowed: SHA-1 (the policy accepts no SHA-1)")
        if signed_on is None or signed_on >= cutoff:
            when = f"signed {signed_on:%Y-%m-%d}" if signed_on else "signing date unknown"
            raise AlgorithmNotAllowed(f"algorithm not allowed: SHA-1 ({when}, not before the "
                                      f"{cutoff:%Y-%m-%d} cut-off)")
        return f"SHA-1 accepted: signed {signed_on:%Y-%m-%d}, before the {cutoff:%Y-%m-%d} cut-off"
    raise AlgorithmNotAllowed(f"algorithm not allowed: digest {name}")


def signed_on(sd: SignedData, signer: x509.Certificate | None) -> date | None:
    """When the document was signed: the signed signingTime, else the DS certificate's notBefore."""
    if sd.signer.signing_time is not None:
        return _date(sd.signer.signing_time)
    if signer is None:
        return None
    try:
        return _date(signer["tbs_certificate"]["validity"]["not_before"].native)
    except ASN1_ERRORS:
        return None


def certificate_signed_on(cert: x509.Certificate) -> date | None:
    try:
        return _date(cert["tbs_certificate"]["validity"]["not_before"].native)
    except ASN1_ERRORS:
        return None


def _date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value
