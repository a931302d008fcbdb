# SPDX-License-Identifier: Apache-2.0
"""Terminal Authentication signatures (BSI TR-03110-3 §A.6.4): check with a CV public key, make
with the terminal's private key.

ECDSA signatures are plain ``r || s`` (TR-03111 §5.2.1), over curves that may only be given
explicitly (the CVCA's domain parameters): python-ecdsa takes such curves. RSA (PKCS#1 v1.5 and
PSS with the hash's length as salt, §A.6.4.1) goes through ``cryptography``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import ecdsa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from ecdsa.util import sigdecode_string, sigencode_string

from cardkit.errors import AccessError, InputError
from cardkit.icao.cvc import CvPublicKey, TaAlgorithm
from cardkit.icao.domain import EcDomain

_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256, "sha384": hashes.SHA384,
    "sha512": hashes.SHA512}


def _curve(domain: EcDomain) -> ecdsa.curves.Curve:
    for known in ecdsa.curves.curves:
        if known.curve == domain.curve and known.generator == domain.generator:
            return known
    return ecdsa.curves.Curve("explicit", domain.curve, domain.generator, (1, 3, 6, 1, 4, 1, 0))


def _rsa_padding(algorithm: TaAlgorithm) -> padding.AsymmetricPadding:
    h = _HASHES[algorithm.hash_name]()
    return padding.PSS(padding.MGF1(h), h.digest_size) if algorithm.is_pss else padding.PKCS1v15()


def verify_signature(key: CvPublicKey, data: bytes, signature: bytes) -> bool:
    """True when ``signature`` over ``data`` verifies under ``key``; False on any mismatch."""
    alg = key.algorithm
    if alg.is_ecdsa:
        if key.domain is None:
            raise AccessError("CV public key without domain parameters (no CVCA above it)")
        try:
            point = key.domain.decode_public(key.point)
            vk = ecdsa.VerifyingKey.from_public_point(point, curve=_curve(key.domain), hashfunc=lambda: None)
            return bool(vk.verify_digest(signature, _truncated(alg.digest(data), key.domain), sigdecode=sigdecode_string))
        except (AccessError, ecdsa.BadSignatureError, ecdsa.MalformedPointError, AssertionError):
            return False
    public = rsa.RSAPublicNumbers(key.exponent, key.modulus).public_key()
    try:
        public.verify(signature, data, _rsa_padding(alg), _HASHES[alg.hash_name]())
    except (InvalidSignature, ValueError):
        return False
    return True


def _truncated(digest: bytes, domain: EcDomain) -> bytes:
    """ECDSA uses the leftmost bits of the hash as long as the order (SEC 1 §4.1.3 step 5)."""
    n_bytes = (domain.order.bit_length() + 7) // 8
    return digest[:n_bytes] if len(digest) > n_bytes else digest


@dataclass(frozen=True)
class TerminalKey:
    """The terminal's private key (PKCS#8, DER or PEM): EC (also explicit curves) or RSA."""

    algorithm: TaAlgorithm
    ec: ecdsa.SigningKey | None = None
    rsa_key: rsa.RSAPrivateKey | None = None

    @classmethod
    def load(cls, data: bytes, algorithm: TaAlgorithm) -> TerminalKey:
        if algorithm.is_ecdsa:
            try:
                pem = data.lstrip().startswith(b"-----")
                loader = ecdsa.SigningKey.from_pem if pem else ecdsa.SigningKey.from_der
                return cls(algorithm, ec=loader(data, valid_curve_encodings=["explicit", "named_curve"]))
            except (ecdsa.der.UnexpectedDER, ValueError) as exc:
                raise InputError(f"terminal key is not an EC private key: {exc}") from None
        try:
            loader = serialization.load_pem_private_key if data.lstrip().startswith(b"-----") else (
                serialization.load_der_private_key)
            key = loader(data, password=None)
        except ValueError as exc:
            raise InputError(f"terminal key is not readable: {exc}") from None
        if not isinstance(key, rsa.RSAPrivateKey):
            raise InputError("terminal key is not an RSA private key")
        return cls(algorithm, rsa_key=key)

    def matches(self, public: CvPublicKey) -> bool:
        """True when this private key belongs to ``public`` (the terminal certificate's key)."""
        if self.ec is not None:
            return bool(self.ec.get_verifying_key().to_string("uncompressed") == public.point)
        assert self.rsa_key is not None
        numbers = self.rsa_key.public_key().public_numbers()
        return (numbers.n, numbers.e) == (public.modulus, public.exponent)

    def sign(self, data: bytes, *, deterministic: bool = False) -> bytes:
        alg = self.algorithm
        if self.ec is not None:
            digest = alg.digest(data)
            n_bytes = (self.ec.curve.order.bit_length() + 7) // 8
            digest = digest[:n_bytes] if len(digest) > n_bytes else digest
            sig: bytes  # ecdsa ships no types
            if deterministic:
                sig = self.ec.sign_digest_deterministic(digest, hashfunc=getattr(hashlib, alg.hash_name),
                                                        sigencode=sigencode_string)
            else:
                sig = self.ec.sign_digest(digest, sigencode=sigencode_string)
            return sig
        assert self.rsa_key is not None
        return self.rsa_key.sign(data, _rsa_padding(alg), _HASHES[alg.hash_name]())
