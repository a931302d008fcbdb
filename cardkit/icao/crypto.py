# SPDX-License-Identifier: Apache-2.0
"""Symmetric primitives of ICAO 9303-11: padding, KDF, and the 3DES / AES cipher suites.

The suites are small interchangeable objects chosen from the cipher name or a protocol OID, so
BAC, PACE, Chip Authentication and the card simulator share one implementation. Built on
``cryptography`` (AES, 3DES, CMAC), which the signature checks load anyway: one crypto library on
the read path, and none that parses C headers at start-up (pycryptodome's cffi back end costs
about 0.1 s of every ``cardkit read``). Only the ISO/IEC 9797-1 retail MAC is composed by hand from
single DES, since no library offers it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.cmac import CMAC


def pad(data: bytes, block: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2 (ICAO 9303-11 §9.8.6.1): 80 then zeros."""
    n = len(data) + 1
    return bytes(data) + b"\x80" + b"\x00" * ((-n) % block)


def unpad(data: bytes) -> bytes:
    """Strip method-2 padding; raise ValueError when malformed."""
    i = len(data) - 1
    while i >= 0 and data[i] == 0:
        i -= 1
    if i < 0 or data[i] != 0x80:
        raise ValueError("bad padding")
    return bytes(data[:i])


def _tdes(key: bytes) -> TripleDES:
    # Two-key 3DES (K1 K2 K1), given as the three-key form; K1 == K2 degenerates to single DES,
    # which the card honours too.
    k = bytes(key[:16])
    return TripleDES(k + k[:8])


def _des(key: bytes) -> TripleDES:
    """Single DES as 3DES with K1 = K2 = K3 (E D E under one key is E)."""
    return TripleDES(bytes(key[:8]) * 3)


def _run(cipher: Cipher[Any], data: bytes, *, decrypt: bool = False) -> bytes:
    ctx = cipher.decryptor() if decrypt else cipher.encryptor()
    return ctx.update(bytes(data)) + ctx.finalize()


def tdes_cbc_encrypt(key: bytes, data: bytes, iv: bytes = b"\x00" * 8) -> bytes:
    return _run(Cipher(_tdes(key), modes.CBC(bytes(iv))), data)


def tdes_cbc_decrypt(key: bytes, data: bytes, iv: bytes = b"\x00" * 8) -> bytes:
    return _run(Cipher(_tdes(key), modes.CBC(bytes(iv))), data, decrypt=True)


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 with DES (ICAO 9303-11 §9.8.6.2); ``data`` already padded:
    single-DES CBC under K_a over every block, then D under K_b and E under K_a."""
    if len(data) % 8:
        raise ValueError("retail MAC input must be padded to 8 bytes")
    h = _run(Cipher(_des(key[:8]), modes.CBC(b"\x00" * 8)), data)[-8:] if data else b"\x00" * 8
    h = _run(Cipher(_des(key[8:16]), modes.ECB()), h, decrypt=True)
    return _run(Cipher(_des(key[:8]), modes.ECB()), h)


def aes_cmac(key: bytes, data: bytes, size: int = 8) -> bytes:
    mac = CMAC(algorithms.AES(bytes(key)))
    mac.update(bytes(data))
    return mac.finalize()[:size]


def adjust_parity(key: bytes) -> bytes:
    """Set DES odd parity on each byte (ICAO 9303-11 §9.7.1, FIPS 46-3)."""
    out = bytearray()
    for b in key:
        b &= 0xFE
        out.append(b | (bin(b).count("1") + 1) % 2)
    return bytes(out)


# KDF counter values (ICAO 9303-11 §9.7.1)
KDF_ENC = 1
KDF_MAC = 2
KDF_PACE = 3


@dataclass(frozen=True)
class CipherSuite:
    """One SM cipher suite: 3DES (BAC, PACE/CA 3DES) or AES-128/192/256 (PACE, CA)."""

    name: str  # "3DES", "AES-128", "AES-192", "AES-256"
    key_size: int

    @property
    def is_aes(self) -> bool:
        return self.name.startswith("AES")

    @property
    def block_size(self) -> int:
        return 16 if self.is_aes else 8

    @property
    def ssc_size(self) -> int:
        return self.block_size

    def kdf(self, secret: bytes, counter: int) -> bytes:
        """ICAO 9303-11 §9.7.1: key from a shared secret (or K_seed) and a counter."""
        data = bytes(secret) + counter.to_bytes(4, "big")
        if self.name == "3DES":
            return adjust_parity(hashlib.sha1(data).digest()[:16])
        if self.key_size == 16:
            return hashlib.sha1(data).digest()[:16]
        return hashlib.sha256(data).digest()[: self.key_size]

    def encrypt(self, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
        if self.is_aes:
            return _run(Cipher(algorithms.AES(bytes(key)), modes.CBC(bytes(iv or b"\x00" * 16))), data)
        return tdes_cbc_encrypt(key, data, iv or b"\x00" * 8)

    def decrypt(self, key: bytes, data: bytes, iv: bytes | None = None) -> bytes:
        if len(data) % self.block_size:
            raise ValueError("ciphertext is not a whole number of blocks")
        if self.is_aes:
            return _run(Cipher(algorithms.AES(bytes(key)), modes.CBC(bytes(iv or b"\x00" * 16))), data, decrypt=True)
        return tdes_cbc_decrypt(key, data, iv or b"\x00" * 8)

    def encrypt_block(self, key: bytes, block: bytes) -> bytes:
        """Single-block ECB encryption (the AES SM IV is E(KS_enc, SSC), §9.8.6.1)."""
        algorithm = algorithms.AES(bytes(key)) if self.is_aes else _tdes(key)
        return _run(Cipher(algorithm, modes.ECB()), block)

    def mac(self, key: bytes, data: bytes) -> bytes:
        """8-byte MAC over ``data`` (already padded by the caller where the protocol pads)."""
        if self.is_aes:
            return aes_cmac(key, data)
        return retail_mac(key, data)

    def sm_iv(self, ks_enc: bytes, ssc: int) -> bytes:
        if self.is_aes:
            return self.encrypt_block(ks_enc, ssc.to_bytes(16, "big"))
        return b"\x00" * 8


TDES = CipherSuite("3DES", 16)
AES128 = CipherSuite("AES-128", 16)
AES192 = CipherSuite("AES-192", 24)
AES256 = CipherSuite("AES-256", 32)

SUITES = {s.name: s for s in (TDES, AES128, AES192, AES256)}


def suite_named(name: str) -> CipherSuite:
    try:
        return SUITES[name]
    except KeyError:
        raise ValueError(f"unknown cipher suite {name!r}") from None
