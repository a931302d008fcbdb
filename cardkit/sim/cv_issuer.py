# SPDX-License-Identifier: Apache-2.0
"""A test EAC PKI: CVCA -> DV -> terminal card-verifiable certificates (BSI TR-03110-3 §C).

Issues ECDSA certificates (id-TA-ECDSA-SHA-256 on brainpoolP256r1 by default) for the simulator
and the tests; the CVCA's key carries the explicit domain parameters, the others only the point.
Randomness (the keys) comes from python-ecdsa's generator unless keys are given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ecdsa

from cardkit.icao.cvc import (
    CertRole,
    CvCertificate,
    Role,
    TaAlgorithm,
    parse_cv_certificate,
)
from cardkit.icao.oids import encode_oid
from cardkit.icao.ta_signature import TerminalKey
from cardkit.tlv import encode_tlv


def _date(d: date) -> bytes:
    return bytes(int(c) for c in d.strftime("%y%m%d"))


def _public_key(alg: TaAlgorithm, key: ecdsa.SigningKey, with_domain: bool) -> bytes:
    vk = key.get_verifying_key()
    curve = key.curve
    n = curve.baselen
    point = b"\x04" + vk.pubkey.point.x().to_bytes(n, "big") + vk.pubkey.point.y().to_bytes(n, "big")
    dos = encode_tlv(0x06, encode_oid(alg.value))
    if with_domain:
        cf, g = curve.curve, curve.generator
        size = (cf.p().bit_length() + 7) // 8
        dos += encode_tlv(0x81, cf.p().to_bytes(size, "big")) + encode_tlv(0x82, cf.a().to_bytes(size, "big"))
        dos += encode_tlv(0x83, cf.b().to_bytes(size, "big"))
        dos += encode_tlv(0x84, b"\x04" + g.x().to_bytes(size, "big") + g.y().to_bytes(size, "big"))
        dos += encode_tlv(0x85, curve.order.to_bytes((curve.order.bit_length() + 7) // 8, "big"))
    dos += encode_tlv(0x86, point)
    if with_domain:
        dos += encode_tlv(0x87, b"\x01")
    return encode_tlv(0x7F49, dos)


@dataclass(frozen=True)
class Issued:
    certificate: CvCertificate
    key: ecdsa.SigningKey

    def terminal_key(self) -> TerminalKey:
        return TerminalKey(self.certificate.public_key.algorithm, ec=self.key)


def issue(
    *,
    car: str,
    chr_: str,
    role: CertRole,
    authorization: int,
    signer: ecdsa.SigningKey | None,
    key: ecdsa.SigningKey | None = None,
    effective: date = date(2026, 1, 1),
    expiration: date = date(2030, 1, 1),
    algorithm: TaAlgorithm = TaAlgorithm.ECDSA_SHA_256,
    curve: ecdsa.curves.Curve = ecdsa.curves.BRAINPOOLP256r1,
) -> Issued:
    """One certificate; ``signer`` None makes it self-signed (a CVCA)."""
    key = key or ecdsa.SigningKey.generate(curve=curve)
    auth = bytes([(int(role) << 6) | (authorization & 0x3F)])
    chat = encode_tlv(0x7F4C, encode_tlv(0x06, encode_oid(Role.INSPECTION_SYSTEM.value)) + encode_tlv(0x53, auth))
    body = encode_tlv(
        0x7F4E,
        encode_tlv(0x5F29, b"\x00")
        + encode_tlv(0x42, car.encode())
        + _public_key(algorithm, key, with_domain=role is CertRole.CVCA)
        + encode_tlv(0x5F20, chr_.encode())
        + chat
        + encode_tlv(0x5F25, _date(effective))
        + encode_tlv(0x5F24, _date(expiration)),
    )
    signing = TerminalKey(algorithm, ec=signer or key)
    cert = encode_tlv(0x7F21, body + encode_tlv(0x5F37, signing.sign(body)))
    return Issued(parse_cv_certificate(cert), key)


@dataclass(frozen=True)
class EacPki:
    cvca: Issued
    dv: Issued
    terminal: Issued


def make_eac_pki(*, terminal_authorization: int = 0x03, terminal_expiration: date = date(2030, 1, 1)) -> EacPki:
    """VNCVCA00001 -> VNDV00001 -> VNIS00001, id-IS, reading DG3 and DG4 (bits 0, 1) by default."""
    cvca = issue(car="VNCVCA00001", chr_="VNCVCA00001", role=CertRole.CVCA, authorization=0x03, signer=None)
    dv = issue(car=cvca.certificate.chr, chr_="VNDV00001", role=CertRole.DV_DOMESTIC, authorization=0x03, signer=cvca.key)
    term = issue(car=dv.certificate.chr, chr_="VNIS00001", role=CertRole.TERMINAL, authorization=terminal_authorization,
                 signer=dv.key, expiration=terminal_expiration)
    return EacPki(cvca, dv, term)

