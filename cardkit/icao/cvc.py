# SPDX-License-Identifier: Apache-2.0
"""Card-verifiable certificates for EAC Terminal Authentication (BSI TR-03110-3 §C, App. D).

A pure parser into frozen dataclasses plus the signature check of one link of a chain. Shared by
the terminal (:mod:`cardkit.icao.ta`) and the card simulator. Written on the TLV reader because
no maintained Python library parses CV certificates; the signatures themselves are checked by
python-ecdsa (ECDSA, plain r||s of TR-03111 §5.2.1, explicit curves) and ``cryptography`` (RSA).

Certificate body ``7F4E``: 5F29 profile identifier (0), 42 CAR, 7F49 public key, 5F20 CHR,
7F4C CHAT, 5F25 effective date, 5F24 expiration date, 65 extensions (optional); then 5F37 the
signature (TR-03110-3 §C.1). EC keys of DV and terminal certificates carry only the point (86):
the domain parameters are the CVCA's (§D.3.3).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum

from cardkit.errors import AccessError, ParseError
from cardkit.icao.domain import Domain, EcDomain
from cardkit.icao.oids import decode_oid
from cardkit.tlv import Tlv, encode_tlv, parse_single

_TA = "0.4.0.127.0.7.2.2.2"
_ROLES = "0.4.0.127.0.7.3.1.2"


class TaAlgorithm(str, Enum):
    """id-TA signature algorithms (TR-03110-3 §A.6.4 / App. A.1.1.3)."""

    RSA_V1_5_SHA_1 = f"{_TA}.1.1"
    RSA_V1_5_SHA_256 = f"{_TA}.1.2"
    RSA_PSS_SHA_1 = f"{_TA}.1.3"
    RSA_PSS_SHA_256 = f"{_TA}.1.4"
    RSA_V1_5_SHA_512 = f"{_TA}.1.5"
    RSA_PSS_SHA_512 = f"{_TA}.1.6"
    ECDSA_SHA_1 = f"{_TA}.2.1"
    ECDSA_SHA_224 = f"{_TA}.2.2"
    ECDSA_SHA_256 = f"{_TA}.2.3"
    ECDSA_SHA_384 = f"{_TA}.2.4"
    ECDSA_SHA_512 = f"{_TA}.2.5"

    @property
    def is_ecdsa(self) -> bool:
        return self.value.startswith(f"{_TA}.2.")

    @property
    def is_pss(self) -> bool:
        return self.name.startswith("RSA_PSS")

    @property
    def hash_name(self) -> str:
        return "sha" + self.name.rsplit("SHA_", 1)[1]  # sha1, sha224, sha256, sha384, sha512

    def digest(self, data: bytes) -> bytes:
        return hashlib.new(self.hash_name, data).digest()


class Role(str, Enum):
    """Terminal types of the CHAT (TR-03110-3 §C.4): the OID of the 7F4C template."""

    INSPECTION_SYSTEM = f"{_ROLES}.1"
    AUTHENTICATION_TERMINAL = f"{_ROLES}.2"
    SIGNATURE_TERMINAL = f"{_ROLES}.3"


class CertRole(int, Enum):
    """The two top bits of the relative authorization (TR-03110-3 §C.4.1)."""

    TERMINAL = 0
    DV_FOREIGN = 1
    DV_DOMESTIC = 2
    CVCA = 3


# id-IS relative authorization, bits of the last byte (9303-11 / TR-03110-3 §C.4.1)
READ_DG3 = 0x01
READ_DG4 = 0x02


@dataclass(frozen=True)
class CvPublicKey:
    """7F49: the algorithm and either an EC point (with domain when explicit) or RSA n, e."""

    algorithm: TaAlgorithm
    point: bytes = b""  # 86: uncompressed EC point
    domain: EcDomain | None = None  # 81..85, 87: only in CVCA certificates (and link certificates)
    modulus: int = 0  # RSA 81
    exponent: int = 0  # RSA 82

    def with_domain(self, domain: EcDomain | None) -> CvPublicKey:
        """The key with the issuer's domain parameters when it carries none (§D.3.3)."""
        return self if self.domain is not None or not self.algorithm.is_ecdsa else replace(self, domain=domain)


@dataclass(frozen=True)
class CvCertificate:
    body: bytes  # the encoded 7F4E object: what the signature covers
    signature: bytes  # 5F37 value
    car: str  # certification authority reference (42)
    chr: str  # certificate holder reference (5F20)
    public_key: CvPublicKey
    role: Role
    cert_role: CertRole
    authorization: bytes  # the CHAT's relative authorization (53)
    effective: date
    expiration: date

    @property
    def encoded(self) -> bytes:
        """The whole 7F21 certificate."""
        return encode_tlv(0x7F21, self.body + encode_tlv(0x5F37, self.signature))

    @property
    def is_self_signed(self) -> bool:
        return self.car == self.chr


def _date(value: bytes, what: str) -> date:
    """6 unpacked BCD digits YYMMDD (TR-03110-3 §D.2.1.3)."""
    if len(value) != 6 or any(b > 9 for b in value):
        raise ParseError("CV certificate date is not 6 digits", what=what)
    y, m, d = (10 * value[i] + value[i + 1] for i in (0, 2, 4))
    try:
        return date(2000 + y, m, d)
    except ValueError:
        raise ParseError("CV certificate date out of range", what=what) from None


def _ec_domain(dos: dict[int, bytes]) -> EcDomain | None:
    present = {0x81, 0x82, 0x83, 0x84, 0x85} & dos.keys()
    if not present:
        return None
    if len(present) != 5:
        raise ParseError("CV public key with incomplete domain parameters", what="7F49")
    g = dos[0x84]
    n = (len(g) - 1) // 2
    if not g or g[0] != 4 or len(g) != 1 + 2 * n:
        raise ParseError("CV public key: base point not uncompressed", what="7F49", tag=0x84)
    num = {t: int.from_bytes(dos[t], "big") for t in (0x81, 0x82, 0x83, 0x85)}
    h = int.from_bytes(dos.get(0x87, b"\x01"), "big")
    try:
        return EcDomain.explicit(num[0x81], num[0x82], num[0x83], int.from_bytes(g[1 : 1 + n], "big"),
                                 int.from_bytes(g[1 + n :], "big"), num[0x85], h)
    except AccessError as exc:
        raise ParseError(f"CV public key: {exc}", what="7F49") from None


def parse_public_key(tlv: Tlv) -> CvPublicKey:
    dos = {c.tag: c.value for c in tlv.children()}
    try:
        algorithm = TaAlgorithm(decode_oid(dos.get(0x06, b"")))
    except ValueError:
        raise ParseError("CV public key: unknown algorithm", what="7F49", tag=0x06) from None
    if algorithm.is_ecdsa:
        if 0x86 not in dos:
            raise ParseError("CV public key: no public point", what="7F49", tag=0x86)
        return CvPublicKey(algorithm, point=dos[0x86], domain=_ec_domain(dos))
    if 0x81 not in dos or 0x82 not in dos:
        raise ParseError("CV public key: no RSA modulus or exponent", what="7F49")
    return CvPublicKey(algorithm, modulus=int.from_bytes(dos[0x81], "big"), exponent=int.from_bytes(dos[0x82], "big"))


def _text(value: bytes, what: str) -> str:
    try:
        return value.decode("ascii")
    except UnicodeDecodeError:
        raise ParseError("CV certificate reference is not ASCII", what=what) from None


def parse_cv_certificate(data: bytes) -> CvCertificate:
    """Parse one ``7F21`` certificate; :class:`ParseError` when any required part is missing."""
    outer = parse_single(data, expected_tag=0x7F21)
    parts = {c.tag: c for c in outer.children()}
    if 0x7F4E not in parts or 0x5F37 not in parts:
        raise ParseError("CV certificate without body or signature", what="7F21")
    body = parts[0x7F4E]
    fields = {c.tag: c for c in body.children()}
    missing = [t for t in (0x5F29, 0x42, 0x7F49, 0x5F20, 0x7F4C, 0x5F25, 0x5F24) if t not in fields]
    if missing:
        raise ParseError("CV certificate body incomplete", what="7F4E", tag=missing[0])
    if fields[0x5F29].value != b"\x00":
        raise ParseError("CV certificate profile identifier is not 0", what="7F4E", tag=0x5F29)
    chat = {c.tag: c.value for c in fields[0x7F4C].children()}
    try:
        role = Role(decode_oid(chat.get(0x06, b"")))
    except ValueError:
        raise ParseError("CHAT with an unknown terminal type", what="7F4C", tag=0x06) from None
    auth = chat.get(0x53, b"")
    if not auth:
        raise ParseError("CHAT without relative authorization", what="7F4C", tag=0x53)
    return CvCertificate(
        body=body.encode(),
        signature=parts[0x5F37].value,
        car=_text(fields[0x42].value, "CAR"),
        chr=_text(fields[0x5F20].value, "CHR"),
        public_key=parse_public_key(fields[0x7F49]),
        role=role,
        cert_role=CertRole(auth[0] >> 6),
        authorization=auth,
        effective=_date(fields[0x5F25].value, "CED"),
        expiration=_date(fields[0x5F24].value, "CXD"),
    )


def compressed(domain: Domain, public_key: bytes) -> bytes:
    """Comp() of TR-03110-3 §A.2.2.3: the x-coordinate (ECDH) or SHA-1 of the value (DH)."""
    if isinstance(domain, EcDomain):
        return public_key[1 : 1 + domain.field_size]
    return hashlib.sha1(public_key).digest()
