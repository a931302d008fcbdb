# SPDX-License-Identifier: Apache-2.0
"""The pseudo-random function R_p(s, t) of PACE Integrated Mapping (ICAO 9303-11 §4.4.3.3.2).

Every cipher of Table 2 / Table 3: 3DES, AES-128, AES-192 and AES-256. Shared by the terminal
(:mod:`cardkit.icao.pace.mapping`) and the card simulator, so it lives outside the handshake.

The sizes follow §4.4.3.3 and the note under Figure 2:

* k, the key size of E(), and so the length of the terminal nonce t: 3DES 128 bits (two-key
  3DES is "considered" 128 bits), AES 128 / 192 / 256;
* l, the length of the chip nonce s and of c0, c1 and every k_i, x_i: the smallest multiple of
  the block size with l >= k, i.e. 128 bits for 3DES and AES-128, 256 bits for AES-192/256;
* k_0 = E(t, s), k_(i+1) = E(k_i, c0), x_i = E(k_i, c1), CBC with IV 0; each k_i used as a key
  is truncated to k (only AES-192 needs it: octets 1..24);
* n is the smallest number with n * l >= log2 p + 64; R_p = int(x_0 || ... || x_(n-1)) mod p.
"""

from __future__ import annotations

from cardkit.errors import AccessError
from cardkit.icao.crypto import CipherSuite

_C_128 = (bytes.fromhex("a668892a7c41e3ca739f40b057d85904"), bytes.fromhex("a4e136ac725f738b01c1f60217c188ad"))
_C_256 = (
    bytes.fromhex("d463d65234124ef7897054986dca0a174e28df758cbaa03f240616414d5a1676"),
    bytes.fromhex("54bd7255f0aaf831bec3423fcf39d69b6cbf066677d0faae5aadd99df8e53517"),
)


def terminal_nonce_size(suite: CipherSuite) -> int:
    """k / 8: the length in bytes of the terminal nonce t (3DES: 16, AES: the key size)."""
    return suite.key_size


def chip_nonce_size(suite: CipherSuite) -> int:
    """l / 8: the smallest multiple of the block size >= k (9303-11 §4.4.3.3)."""
    k, block = terminal_nonce_size(suite), suite.block_size
    return -(-k // block) * block


def _constants(suite: CipherSuite) -> tuple[bytes, bytes]:
    return _C_128 if chip_nonce_size(suite) == 16 else _C_256


def random_octets(suite: CipherSuite, s: bytes, t: bytes, p: int) -> bytes:
    """R(s, t) = x_0 || ... || x_(n-1) (9303-11 §4.4.3.3.2, Figure 2); AccessError on wrong sizes."""
    k, l_bytes = terminal_nonce_size(suite), chip_nonce_size(suite)
    if len(s) != l_bytes or len(t) != k:
        raise AccessError(
            f"integrated mapping with {suite.name}: nonce s must be {l_bytes} bytes and t {k} bytes"
            f" (got {len(s)} and {len(t)})"
        )
    c0, c1 = _constants(suite)
    key = suite.encrypt(t, s)
    out = b""
    while 8 * len(out) < p.bit_length() + 64:
        truncated = key[:k]
        key, x = suite.encrypt(truncated, c0), suite.encrypt(truncated, c1)
        out += x
    return out


def pseudo_random(suite: CipherSuite, s: bytes, t: bytes, p: int) -> int:
    """R_p(s, t) = int(R(s, t)) mod p, an element of GF(p)."""
    return int.from_bytes(random_octets(suite, s, t, p), "big") % p
