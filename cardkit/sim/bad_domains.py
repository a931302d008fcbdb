# SPDX-License-Identifier: Apache-2.0
"""EF.CardAccess offering PACE on unsound explicit domain parameters (the ``bad-domain`` fault).

EF.CardAccess is not signed: whoever answers for the card can offer a weak group, hoping the
reader computes on it. Each KIND breaks one property that
:mod:`cardkit.icao.domain_check` verifies; the reader must refuse before any key is computed.
"""

from __future__ import annotations

from dataclasses import replace

from ecdsa.ellipticcurve import CurveFp, PointJacobi

from cardkit.errors import InputError
from cardkit.icao.domain import DhDomain, EcDomain, standardized
from cardkit.icao.lds.security_infos import (
    PaceInfo,
    UnknownSecurityInfo,
    build_security_infos,
    encode_explicit_domain,
)
from cardkit.icao.oids import Oid, encode_oid
from cardkit.tlv import encode_tlv

KINDS = ("generator", "order", "cofactor", "prime", "singular", "dh-order", "dh-small")


def _ec(kind: str) -> EcDomain:
    good = standardized(13)  # brainpoolP256r1
    assert isinstance(good, EcDomain)
    c, g, n = good.curve, good.generator, good.order
    p, a, b, gx, gy = c.p(), c.a(), c.b(), g.x(), g.y()
    if kind == "generator":
        gy = (gy + 1) % p  # not on the curve
    elif kind == "order":
        n += 2  # not the generator's order (and not prime)
    elif kind == "prime":
        p += 2  # composite modulus
    elif kind == "singular":
        a, b = 0, 0  # y^2 = x^3: 4a^3 + 27b^2 = 0
    curve = CurveFp(p, a, b, 4 if kind == "cofactor" else 1)
    return EcDomain("bad", curve, PointJacobi(curve, gx, gy, 1), n, 4 if kind == "cofactor" else 1)


def _dh(kind: str) -> DhDomain:
    good = standardized(0)  # 1024-bit MODP group with 160-bit subgroup (RFC 5114 §2.1)
    assert isinstance(good, DhDomain) and good.q is not None
    if kind == "dh-order":
        return replace(good, name="bad", q=good.q + 2)  # q does not divide p - 1
    return DhDomain("bad", 2**127 - 1, 3, 2**61 - 1)  # dh-small: a 127-bit prime modulus


def card_access_with(kind: str) -> bytes:
    """EF.CardAccess with one PACEInfo whose explicit parameters are broken as ``kind`` says."""
    if kind not in KINDS:
        raise InputError(f"bad-domain:{kind}: KIND is one of {', '.join(KINDS)}")
    if kind.startswith("dh-"):
        domain, gm, proto = _dh(kind), Oid.PACE_DH_GM, Oid.PACE_DH_GM_AES_CBC_CMAC_128
    else:
        domain, gm, proto = _ec(kind), Oid.PACE_ECDH_GM, Oid.PACE_ECDH_GM_AES_CBC_CMAC_128
    # Spelled out by hand: the builder would (rightly) name a group it recognises by its ID.
    dp = encode_tlv(0x30, encode_tlv(0x06, encode_oid(gm.value)) + encode_explicit_domain(domain)
                    + encode_tlv(0x02, b"\x20"))
    return build_security_infos([PaceInfo(proto, 2, 32), UnknownSecurityInfo(gm.value, dp)])
