# SPDX-License-Identifier: Apache-2.0
"""Validation of explicit domain parameters before any key is computed on them.

EF.CardAccess is not signed, so explicit EC or DH parameters in a PACEDomainParameterInfo are
chosen by whoever answers for the card. A weak group (composite modulus, a generator of small
order, a singular curve) would let an attacker recover the PACE session secret, so each group
is checked as BSI TR-03111 §3.1.1 (EC: SEC 1 §3.1.1.2.1) and NIST SP 800-56A §5.5.2 (FFC)
ask before it is used. Primality uses pycryptodome's Miller-Rabin + Lucas test.
"""

from __future__ import annotations

from math import isqrt

from ecdsa.ellipticcurve import INFINITY, CurveFp, PointJacobi
from ecdsa.numbertheory import is_prime

from cardkit.errors import DomainParameterError

MIN_EC_BITS = 192  # the smallest curves 9303-11 §9.5.1 standardizes
MIN_DH_BITS = 1024  # the smallest group 9303-11 §9.5.1 standardizes (RFC 5114 §2.1)
MIN_DH_Q_BITS = 160


def _refuse(reason: str) -> DomainParameterError:
    return DomainParameterError(f"invalid domain parameters: {reason}", step="domain parameters")


def _prime(n: int) -> bool:
    return n > 2 and is_prime(n)


def check_ec(p: int, a: int, b: int, gx: int, gy: int, n: int, h: int) -> None:
    """Raise :class:`DomainParameterError` unless (p, a, b, G, n, h) is a sound prime-order group."""
    if p.bit_length() < MIN_EC_BITS or not _prime(p):
        raise _refuse("the field modulus p is not a prime of at least 192 bits")
    if not (0 <= a < p and 0 <= b < p and 0 <= gx < p and 0 <= gy < p):
        raise _refuse("a curve coefficient or a generator coordinate is not reduced modulo p")
    if (4 * pow(a, 3, p) + 27 * pow(b, 2, p)) % p == 0:
        raise _refuse("the curve is singular (4a^3 + 27b^2 = 0 mod p)")
    if (gy * gy - (gx * gx * gx + a * gx + b)) % p:
        raise _refuse("the generator is not on the curve")
    if not _prime(n) or n == p:
        raise _refuse("the order n of the generator is not a prime different from p")
    if n <= 4 * isqrt(p):  # SEC 1 §3.1.1.2.1 step 5: n > 4 sqrt(p)
        raise _refuse("the order n is too small for the field")
    if h < 1 or abs(p + 1 - h * n) > 2 * isqrt(p) + 2:  # Hasse: #E = h n within p + 1 +- 2 sqrt(p)
        raise _refuse("the cofactor h does not give a group order within the Hasse bound")
    curve = CurveFp(p, a, b, h)
    if PointJacobi(curve, gx, gy, 1) * n != INFINITY:
        raise _refuse("the generator does not have the stated order n")


def check_dh(p: int, g: int, q: int | None) -> None:
    """Raise :class:`DomainParameterError` unless g generates a prime-order-q subgroup of GF(p)*."""
    if p.bit_length() < MIN_DH_BITS or not _prime(p):
        raise _refuse("the DH modulus p is not a prime of at least 1024 bits")
    if q is None:
        raise _refuse("the DH subgroup order q is missing: the generator cannot be checked")
    if q.bit_length() < MIN_DH_Q_BITS or not _prime(q) or (p - 1) % q:
        raise _refuse("the DH subgroup order q is not a prime of at least 160 bits dividing p - 1")
    if not 1 < g < p - 1 or pow(g, q, p) != 1:
        raise _refuse("the DH generator g does not have order q")
