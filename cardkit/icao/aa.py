# SPDX-License-Identifier: Apache-2.0
"""Active Authentication, terminal side (ICAO 9303-11 §6.1): is this chip the one that was issued?

The terminal sends INTERNAL AUTHENTICATE with a fresh 8-byte challenge M2 (= RND.IFD); the chip
signs it with the private key matching DG15, which passive authentication covers. A copied chip
without that key fails. Signature schemes:

* RSA: ISO/IEC 9796-2 digital signature scheme 1 with (partial) message recovery. The chip
  returns s; F = s^e mod n (or n - that, 9796-2 §B.6), F = header || M1 || H(M1 || M2) ||
  trailer. Trailer ``BC``: SHA-1 implicit; ``xx CC``: hash identifier per ISO/IEC 10118-3.
* ECDSA: plain ``r || s`` (BSI TR-03111 §5.2.1) over M2, with the hash named by the
  ActiveAuthenticationInfo in DG14 (9303-11 §9.2.6); some chips answer DER, accepted too.

A function of a ``send`` callable (works in or out of secure messaging), returning one Verdict.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from asn1crypto import algos
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import ParseError, VerificationError
from cardkit.icao.lds.dg15 import parse_dg15
from cardkit.icao.pa.keys import PublicKey, load_public_key, verify_signature
from cardkit.icao.verdict import Verdict, invalid, valid

Send = Callable[[CommandApdu], ResponseApdu]
CHECK = "active_authentication"
CHALLENGE_LENGTH = 8

# ISO/IEC 9796-2 §B.5 trailer ``xx CC``: hash function identifiers of ISO/IEC 10118-3.
TRAILER_HASHES = {0x31: "ripemd160", 0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384",
                  0x38: "sha224"}
_SW_NOT_SUPPORTED = {0x6D00, 0x6E00}
# ActiveAuthenticationInfo.signatureAlgorithm -> hash (TR-03111 §5.2.1 plain, X9.62 DER)
_AA_HASHES = {
    "0.4.0.127.0.7.1.1.4.1.1": "sha1", "0.4.0.127.0.7.1.1.4.1.2": "sha224",
    "0.4.0.127.0.7.1.1.4.1.3": "sha256", "0.4.0.127.0.7.1.1.4.1.4": "sha384",
    "0.4.0.127.0.7.1.1.4.1.5": "sha512", "1.2.840.10045.4.1": "sha1",
    "1.2.840.10045.4.3.1": "sha224", "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384", "1.2.840.10045.4.3.4": "sha512",
}


def internal_authenticate(challenge: bytes) -> CommandApdu:
    """``00 88 00 00 08 <RND.IFD> 00`` (9303-11 §6.1; ISO/IEC 7816-4 §7.5.2)."""
    return CommandApdu(0x00, 0x88, 0x00, 0x00, challenge, le=256)


@dataclass(frozen=True)
class Recovery:
    """What ISO/IEC 9796-2 scheme 1 recovers from F."""

    m1: bytes  # the recovered part of the message
    digest: bytes  # H(M1 || M2) as carried in F
    hash_name: str
    partial: bool  # True: header 6x (M2 not recoverable); False: 4x (total recovery)


def recover_9796_2(f: bytes) -> Recovery:
    """Split the message representative F (ISO/IEC 9796-2 §B.4, §B.5). Raises VerificationError."""
    h = f.hex().upper()
    if len(h) < 8 or h[0] not in "46":
        raise VerificationError("message representative does not start with header 4 or 6")
    i = 1
    while i < len(h) and h[i] == "B":  # padding nibbles, then the border nibble A
        i += 1
    if i >= len(h) or h[i] != "A" or i % 2 == 0:
        raise VerificationError("bad ISO/IEC 9796-2 padding")
    start = (i + 1) // 2
    if f[-1] == 0xBC:
        name, end = "sha1", len(f) - 1
    elif f[-1] == 0xCC and f[-2] in TRAILER_HASHES:
        name, end = TRAILER_HASHES[f[-2]], len(f) - 2
    else:
        raise VerificationError(f"unknown ISO/IEC 9796-2 trailer {f[-2:].hex().upper()}")
    size = hashlib.new(name).digest_size
    if end - size < start:
        raise VerificationError("message representative too short for its hash")
    return Recovery(f[start:end - size], f[end - size:end], name, h[0] == "6")


def verify_9796_2(f: bytes, m2: bytes) -> Recovery:
    """Check the recovered hash against M1 || M2; returns the recovery or raises VerificationError."""
    rec = recover_9796_2(f)
    message = rec.m1 + m2 if rec.partial else rec.m1
    if not rec.partial and not rec.m1.endswith(m2):
        raise VerificationError("total recovery, but the recovered message is not the challenge")
    if not hmac.compare_digest(hashlib.new(rec.hash_name, message).digest(), rec.digest):
        raise VerificationError("recovered hash does not match M1 || challenge")
    return rec


def rsa_representative(key: rsa.RSAPublicKey, signature: bytes) -> bytes:
    """F from the signature: s^e mod n, or n minus it when that ends in nibble C (9796-2 §B.6)."""
    nums = key.public_numbers()
    k = (nums.n.bit_length() + 7) // 8
    s = int.from_bytes(signature, "big")
    if len(signature) > k or s >= nums.n:
        raise VerificationError("signature longer than the modulus")
    m = pow(s, nums.e, nums.n)
    if m & 0xF != 0xC:
        m = nums.n - m
    return m.to_bytes(k, "big")


def _aa_hash(aa_info: object | None) -> str | None:
    if aa_info is None:
        return None
    alg = getattr(aa_info, "signature_algorithm", aa_info)
    return _AA_HASHES.get(getattr(alg, "value", str(alg)))


def _ecdsa_forms(signature: bytes) -> list[bytes]:
    """The DER ``Ecdsa-Sig-Value`` forms an AA answer may stand for: plain ``r || s`` (BSI
    TR-03111 §5.2.1, what ICAO 9303-11 §6.1 chips send) and, when it parses as one, DER itself.
    A plain answer whose r begins with byte 30 is still plain: both are tried, and only a
    signature that verifies under the DG15 key counts."""
    forms = []
    if signature and len(signature) % 2 == 0:
        half = len(signature) // 2
        forms.append(encode_dss_signature(int.from_bytes(signature[:half], "big"),
                                          int.from_bytes(signature[half:], "big")))
    if signature[:1] == b"\x30":
        forms.append(signature)
    return forms


def _verify_ecdsa(key: PublicKey, signature: bytes, m2: bytes, hash_name: str | None) -> tuple[bool, str]:
    candidates = [hash_name] if hash_name else ["sha256", "sha1", "sha224", "sha384", "sha512"]
    for der in _ecdsa_forms(signature):
        for h in candidates:
            if verify_signature(key, algos.SignedDigestAlgorithm({"algorithm": f"{h}_ecdsa"}), der, m2):
                guessed = "" if hash_name else " (hash guessed: no ActiveAuthenticationInfo)"
                return True, f"ECDSA-{h.upper()} signature of the challenge verifies with the DG15 key{guessed}"
    return False, "ECDSA signature of the challenge does not verify with the DG15 key"


def verify_response(dg15: bytes, challenge: bytes, signature: bytes, *, aa_info: object | None = None) -> Verdict:
    """Verify a chip's INTERNAL AUTHENTICATE answer against DG15 (pure; no I/O)."""
    try:
        key = load_public_key(parse_dg15(dg15).spki)
    except (ParseError, VerificationError) as exc:
        return invalid(CHECK, f"DG15 key cannot be used: {exc}")  # DG15 is the card's: fail closed
    if key.kind == "ec":
        ok, reason = _verify_ecdsa(key, signature, challenge, _aa_hash(aa_info))
        return valid(CHECK, reason) if ok else invalid(CHECK, reason)
    if not isinstance(key.key, rsa.RSAPublicKey):
        return invalid(CHECK, f"DG15 key is neither EC nor RSA ({key.kind})")
    try:
        rec = verify_9796_2(rsa_representative(key.key, signature), challenge)
    except VerificationError as exc:
        return invalid(CHECK, f"RSA signature does not verify with the DG15 key: {exc}")
    return valid(CHECK, f"RSA {key.bits} ISO/IEC 9796-2 signature ({rec.hash_name.upper()}) of the challenge verifies")


@dataclass(frozen=True)
class AaEvidence:
    """What AA exchanged: the challenge sent and the chip's answer. With DG15 (signed) it lets
    anyone re-verify the chip's signature later (:func:`verify_response`), offline."""

    challenge: bytes
    signature: bytes


def authenticate(send: Send, dg15: bytes, *, aa_info: object | None = None, challenge: bytes | None = None,
                 rng: Callable[[int], bytes] = secrets.token_bytes) -> tuple[Verdict, AaEvidence | None]:
    """Run AA: challenge the chip, verify its signature; the verdict and, when the chip
    answered, the evidence. ``aa_info``: the ActiveAuthenticationInfo from DG14 (needed for
    ECDSA to know the hash; guessed without it)."""
    m2 = challenge if challenge is not None else rng(CHALLENGE_LENGTH)
    if len(m2) != CHALLENGE_LENGTH:
        raise ValueError("the AA challenge is 8 bytes (9303-11 §6.1)")
    resp = send(internal_authenticate(m2))
    if resp.sw in _SW_NOT_SUPPORTED:
        # Only called when DG15 (signed) advertises AA: a chip that refuses it is not the one signed.
        return invalid(CHECK, f"possible clone: the chip refuses INTERNAL AUTHENTICATE ({resp.sw:04X}) "
                              "although its signed data offers Active Authentication"), None
    if not resp.ok or not resp.data:
        return invalid(CHECK, f"INTERNAL AUTHENTICATE failed ({resp.sw:04X})"), None
    return verify_response(dg15, m2, resp.data, aa_info=aa_info), AaEvidence(m2, resp.data)


def active_authentication(send: Send, dg15: bytes, *, aa_info: object | None = None,
                          challenge: bytes | None = None,
                          rng: Callable[[int], bytes] = secrets.token_bytes) -> Verdict:
    """Run AA and return its verdict (:func:`authenticate` also gives the evidence)."""
    return authenticate(send, dg15, aa_info=aa_info, challenge=challenge, rng=rng)[0]
