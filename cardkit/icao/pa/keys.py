# SPDX-License-Identifier: Apache-2.0
"""Public keys from SubjectPublicKeyInfo, and signature verification for PA.

Many CSCA and DS certificates (the Vietnamese CSCA among them, docs/CCCD.md "Trust") carry EC
keys with EXPLICIT domain parameters (RFC 3279 §2.3.5 SpecifiedECDomain), which `cryptography`
cannot load. Known parameter sets are mapped to the named curve by comparing p, a, b, G, n
(BSI TR-03111 §4.1.2); any other prime curve is verified with python-ecdsa.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeAlias

import ecdsa
import ecdsa.curves
import ecdsa.ellipticcurve
import ecdsa.util
from asn1crypto import algos, core, keys
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from cardkit.errors import AlgorithmNotAllowed, VerificationError
from cardkit.icao.lds.signed_data import ASN1_ERRORS

HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
    "sha384": hashes.SHA384, "sha512": hashes.SHA512,
}

# python-ecdsa curve name -> cryptography curve (where OpenSSL has it, verification is fast).
_CRYPTOGRAPHY_CURVES: dict[str, Callable[[], ec.EllipticCurve]] = {
    "NIST192p": ec.SECP192R1, "NIST224p": ec.SECP224R1, "NIST256p": ec.SECP256R1,
    "NIST384p": ec.SECP384R1, "NIST521p": ec.SECP521R1, "SECP256k1": ec.SECP256K1,
    "BRAINPOOLP256r1": ec.BrainpoolP256R1, "BRAINPOOLP384r1": ec.BrainpoolP384R1,
    "BRAINPOOLP512r1": ec.BrainpoolP512R1,
}
_PRIME_CURVES = [c for c in ecdsa.curves.curves if isinstance(c.curve, ecdsa.ellipticcurve.CurveFp)]

# Signature algorithm OIDs -> (scheme, hash or None = take the SignerInfo digest algorithm).
_SIG_OIDS = {
    "1.2.840.113549.1.1.1": ("pkcs1", None),  # rsaEncryption used as a signature algorithm
    "1.2.840.113549.1.1.5": ("pkcs1", "sha1"), "1.2.840.113549.1.1.14": ("pkcs1", "sha224"),
    "1.2.840.113549.1.1.11": ("pkcs1", "sha256"), "1.2.840.113549.1.1.12": ("pkcs1", "sha384"),
    "1.2.840.113549.1.1.13": ("pkcs1", "sha512"), "1.2.840.113549.1.1.10": ("pss", None),
    "1.2.840.10045.2.1": ("ecdsa", None), "1.2.840.10045.4.1": ("ecdsa", "sha1"),
    "1.2.840.10045.4.3.1": ("ecdsa", "sha224"), "1.2.840.10045.4.3.2": ("ecdsa", "sha256"),
    "1.2.840.10045.4.3.3": ("ecdsa", "sha384"), "1.2.840.10045.4.3.4": ("ecdsa", "sha512"),
    # BSI TR-03111 §5.2.1 ecdsa-plain-signatures: r || s
    "0.4.0.127.0.7.1.1.4.1.1": ("ecdsa-plain", "sha1"), "0.4.0.127.0.7.1.1.4.1.2": ("ecdsa-plain", "sha224"),
    "0.4.0.127.0.7.1.1.4.1.3": ("ecdsa-plain", "sha256"), "0.4.0.127.0.7.1.1.4.1.4": ("ecdsa-plain", "sha384"),
    "0.4.0.127.0.7.1.1.4.1.5": ("ecdsa-plain", "sha512"),
}


# ecdsa.VerifyingKey (curves cryptography lacks, explicit parameters) is untyped: Any to mypy.
KeyObject: TypeAlias = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ecdsa.VerifyingKey


@dataclass(frozen=True)
class PublicKey:
    kind: str  # "rsa" or "ec"
    bits: int
    curve: str | None  # python-ecdsa / SEC name, e.g. "BRAINPOOLP512r1"; None for RSA or unnamed
    explicit: bool  # EC domain parameters were given explicitly
    key: KeyObject  # cryptography public key, or an ecdsa.VerifyingKey

    def describe(self) -> str:
        if self.kind == "rsa":
            return f"RSA {self.bits}"
        name = self.curve or f"unnamed {self.bits}-bit curve"
        return f"EC {name}" + (" (explicit parameters)" if self.explicit else "")


def _int(octets: bytes) -> int:
    return int.from_bytes(octets, "big")


def _match_curve(p: int, a: int, b: int, base: bytes, n: int) -> ecdsa.curves.Curve | None:
    for c in _PRIME_CURVES:
        cf = c.curve
        if (cf.p(), cf.a() % cf.p(), cf.b() % cf.p(), c.order) != (p, a % p, b % p, n):
            continue
        g = c.generator
        size = (p.bit_length() + 7) // 8
        gx, gy = g.x().to_bytes(size, "big"), g.y().to_bytes(size, "big")
        if base in (b"\x04" + gx + gy, bytes([2 + (g.y() & 1)]) + gx):
            return c
    return None


def _curve_from_oid(dotted: str) -> ecdsa.curves.Curve | None:
    wanted = tuple(int(x) for x in dotted.split("."))
    return next((c for c in _PRIME_CURVES if c.oid == wanted), None)


def _ec_key(curve: ecdsa.curves.Curve, point: bytes, explicit: bool) -> PublicKey:
    cls = _CRYPTOGRAPHY_CURVES.get(curve.name)
    if cls is not None:
        key: KeyObject = ec.EllipticCurvePublicKey.from_encoded_point(cls(), point)
    else:
        key = ecdsa.VerifyingKey.from_string(point, curve=curve)
    return PublicKey("ec", curve.curve.p().bit_length(), curve.name, explicit, key)


def _explicit_ec(params: keys.SpecifiedECDomain, point: bytes) -> PublicKey:
    if params["field_id"]["field_type"].native != "prime_field":
        raise VerificationError("only prime-field EC parameters are supported")
    p = params["field_id"]["parameters"].native
    a = _int(params["curve"]["a"].native)
    b = _int(params["curve"]["b"].native)
    base = params["base"].native
    n = params["order"].native
    known = _match_curve(p, a, b, base, n)
    if known is not None:
        return _ec_key(known, point, True)
    # An unnamed curve: build it for python-ecdsa (slow, but correct).
    cf = ecdsa.ellipticcurve.CurveFp(p, a, b, params["cofactor"].native or 1)
    gen = ecdsa.ellipticcurve.PointJacobi.from_bytes(cf, base, order=n, generator=True)
    vk = ecdsa.VerifyingKey.from_string(point, curve=ecdsa.curves.Curve("explicit", cf, gen, (0,)))
    return PublicKey("ec", p.bit_length(), None, True, vk)


@lru_cache(maxsize=256)
def _load_cached(spki_der: bytes) -> PublicKey:
    spki = keys.PublicKeyInfo.load(spki_der)
    algo = spki["algorithm"]["algorithm"].native
    if algo in ("rsa", "rsassa_pss"):
        pub = spki["public_key"].parsed
        n, e = pub["modulus"].native, pub["public_exponent"].native
        return PublicKey("rsa", n.bit_length(), None, False, rsa.RSAPublicNumbers(e, n).public_key())
    if algo != "ec":
        raise VerificationError(f"unsupported public key algorithm {algo}")
    params = spki["algorithm"]["parameters"]
    point = spki["public_key"].native
    if params.name == "specified":
        return _explicit_ec(params.chosen, point)
    if params.name == "named":
        curve = _curve_from_oid(params.chosen.dotted)
        if curve is not None:
            return _ec_key(curve, point, False)
    raise VerificationError("EC key on a curve that is neither named nor explicit")


def load_public_key(spki: keys.PublicKeyInfo | bytes) -> PublicKey:
    """Load a SubjectPublicKeyInfo (asn1crypto object or DER)."""
    der = spki if isinstance(spki, bytes) else spki.dump()
    try:
        return _load_cached(der)
    except VerificationError:
        raise
    except (*ASN1_ERRORS, UnsupportedAlgorithm, ecdsa.errors.MalformedPointError, AssertionError) as exc:
        raise VerificationError(f"cannot load public key: {exc}") from None


def signature_hash(algorithm: algos.SignedDigestAlgorithm, digest_algorithm: str | None = None) -> str:
    """The hash an algorithm identifier implies ("sha256"), falling back to ``digest_algorithm``."""
    scheme, h = _scheme(algorithm, digest_algorithm)
    return h


def _null(params: core.Asn1Value) -> bool:
    return params.dump() in (b"", b"\x05\x00")


def _scheme(algorithm: algos.SignedDigestAlgorithm, digest_algorithm: str | None) -> tuple[str, str]:
    """(scheme, hash) of an allowed signature algorithm; :class:`AlgorithmNotAllowed` otherwise
    (the identifier is outside the signature: an unknown one is a forger's choice)."""
    oid = algorithm["algorithm"].dotted
    if oid not in _SIG_OIDS:
        raise AlgorithmNotAllowed(f"algorithm not allowed: signature algorithm {oid}")
    scheme, h = _SIG_OIDS[oid]
    if scheme == "pss":
        h = _pss_hash(algorithm["parameters"])
    elif not _null(algorithm["parameters"]):  # RFC 4055 §5 / RFC 5758 §3.2: NULL or absent
        raise AlgorithmNotAllowed(f"algorithm not allowed: signature algorithm {oid} with unexpected parameters")
    h = h or digest_algorithm
    if h not in HASHES:
        raise AlgorithmNotAllowed(f"algorithm not allowed: hash {h}")
    return scheme, h


def _pss_hash(params: algos.RSASSAPSSParams) -> str:
    """RFC 4055 §3.1 / RFC 8017 A.2.3: MGF1 with the same hash, trailer field 1, NULL parameters."""
    h: str = params["hash_algorithm"]["algorithm"].native  # asn1crypto ships no types
    mgf = params["mask_gen_algorithm"]
    if mgf["algorithm"].native != "mgf1":
        raise AlgorithmNotAllowed(f"algorithm not allowed: RSASSA-PSS mask generation {mgf['algorithm'].dotted}")
    if mgf["parameters"]["algorithm"].native != h:
        raise AlgorithmNotAllowed("algorithm not allowed: RSASSA-PSS with an MGF1 hash other than its hash")
    if not (_null(params["hash_algorithm"]["parameters"]) and _null(mgf["parameters"]["parameters"])):
        raise AlgorithmNotAllowed("algorithm not allowed: RSASSA-PSS hash with parameters other than NULL")
    if params["trailer_field"].native not in ("trailer_field_bc", 1):
        raise AlgorithmNotAllowed("algorithm not allowed: RSASSA-PSS trailer field other than 1")
    if not 0 <= params["salt_length"].native <= 512:
        raise AlgorithmNotAllowed("algorithm not allowed: RSASSA-PSS salt length out of range")
    return h


def verify_signature(key: PublicKey, algorithm: algos.SignedDigestAlgorithm, signature: bytes,
                     data: bytes, *, digest_algorithm: str | None = None) -> bool:
    """True when ``signature`` over ``data`` verifies. Raises VerificationError if it cannot be checked."""
    try:
        scheme, h = _scheme(algorithm, digest_algorithm)
        if (scheme in ("pkcs1", "pss")) != (key.kind == "rsa"):
            raise VerificationError(f"{scheme} signature with an {key.kind.upper()} key")
        if scheme == "ecdsa-plain":
            half = len(signature) // 2
            signature = encode_dss_signature(_int(signature[:half]), _int(signature[half:]))
        return _verify(key, scheme, h, algorithm, signature, data)
    except InvalidSignature:
        return False
    except (*ASN1_ERRORS, ecdsa.BadSignatureError, ecdsa.der.UnexpectedDER):
        return False


def _verify(key: PublicKey, scheme: str, h: str, algorithm: algos.SignedDigestAlgorithm,
            signature: bytes, data: bytes) -> bool:
    k = key.key
    if isinstance(k, ecdsa.VerifyingKey):
        return bool(k.verify(signature, data, hashfunc=getattr(hashlib, h), sigdecode=ecdsa.util.sigdecode_der))
    if scheme == "pkcs1" and isinstance(k, rsa.RSAPublicKey):
        k.verify(signature, data, padding.PKCS1v15(), HASHES[h]())
    elif scheme == "pss" and isinstance(k, rsa.RSAPublicKey):
        params = algorithm["parameters"]
        mgf_hash = params["mask_gen_algorithm"]["parameters"]["algorithm"].native
        pad = padding.PSS(padding.MGF1(HASHES[mgf_hash]()), params["salt_length"].native)
        k.verify(signature, data, pad, HASHES[h]())
    elif scheme not in ("pkcs1", "pss") and isinstance(k, ec.EllipticCurvePublicKey):
        k.verify(signature, data, ec.ECDSA(HASHES[h]()))
    else:  # verify_signature matched scheme and kind already: a key of neither type is refused
        raise VerificationError(f"{scheme} signature with an unusable {key.kind.upper()} key")
    return True
