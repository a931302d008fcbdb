# SPDX-License-Identifier: Apache-2.0
"""Object identifiers of ICAO 9303-11 §9.2 / BSI TR-03110-3 §A.1.1 as named enums.

OIDs travel as :class:`Oid` members; an OID this module does not know stays a dotted string
(kept, never fatal). The protocol OIDs also say how the protocol runs: the PACE mapping
(GM / IM / CAM), the key agreement (DH / ECDH) and the cipher suite name understood by
:func:`cardkit.icao.crypto.suite_named` (9303-11 §9.2.1 table, TR-03110-3 §A.1.1.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from cardkit.errors import ParseError

_BSI = "0.4.0.127.0.7"
_PK = f"{_BSI}.2.2.1"
_TA = f"{_BSI}.2.2.2"
_CA = f"{_BSI}.2.2.3"
_PACE = f"{_BSI}.2.2.4"


class Oid(str, Enum):
    """Known OIDs. The value is the dotted form."""

    # id-PK (TR-03110-3 §A.1.1.2): chip static public keys
    PK_DH = f"{_PK}.1"
    PK_ECDH = f"{_PK}.2"
    # id-TA (TR-03110-3 §A.1.1.3)
    TA = _TA
    # id-CA (9303-11 §9.2.5)
    CA_DH = f"{_CA}.1"
    CA_DH_3DES_CBC_CBC = f"{_CA}.1.1"
    CA_DH_AES_CBC_CMAC_128 = f"{_CA}.1.2"
    CA_DH_AES_CBC_CMAC_192 = f"{_CA}.1.3"
    CA_DH_AES_CBC_CMAC_256 = f"{_CA}.1.4"
    CA_ECDH = f"{_CA}.2"
    CA_ECDH_3DES_CBC_CBC = f"{_CA}.2.1"
    CA_ECDH_AES_CBC_CMAC_128 = f"{_CA}.2.2"
    CA_ECDH_AES_CBC_CMAC_192 = f"{_CA}.2.3"
    CA_ECDH_AES_CBC_CMAC_256 = f"{_CA}.2.4"
    # id-PACE (9303-11 §9.2.1); the protocol without cipher names PACEDomainParameterInfo's
    PACE_DH_GM = f"{_PACE}.1"
    PACE_DH_GM_3DES_CBC_CBC = f"{_PACE}.1.1"
    PACE_DH_GM_AES_CBC_CMAC_128 = f"{_PACE}.1.2"
    PACE_DH_GM_AES_CBC_CMAC_192 = f"{_PACE}.1.3"
    PACE_DH_GM_AES_CBC_CMAC_256 = f"{_PACE}.1.4"
    PACE_ECDH_GM = f"{_PACE}.2"
    PACE_ECDH_GM_3DES_CBC_CBC = f"{_PACE}.2.1"
    PACE_ECDH_GM_AES_CBC_CMAC_128 = f"{_PACE}.2.2"
    PACE_ECDH_GM_AES_CBC_CMAC_192 = f"{_PACE}.2.3"
    PACE_ECDH_GM_AES_CBC_CMAC_256 = f"{_PACE}.2.4"
    PACE_DH_IM = f"{_PACE}.3"
    PACE_DH_IM_3DES_CBC_CBC = f"{_PACE}.3.1"
    PACE_DH_IM_AES_CBC_CMAC_128 = f"{_PACE}.3.2"
    PACE_DH_IM_AES_CBC_CMAC_192 = f"{_PACE}.3.3"
    PACE_DH_IM_AES_CBC_CMAC_256 = f"{_PACE}.3.4"
    PACE_ECDH_IM = f"{_PACE}.4"
    PACE_ECDH_IM_3DES_CBC_CBC = f"{_PACE}.4.1"
    PACE_ECDH_IM_AES_CBC_CMAC_128 = f"{_PACE}.4.2"
    PACE_ECDH_IM_AES_CBC_CMAC_192 = f"{_PACE}.4.3"
    PACE_ECDH_IM_AES_CBC_CMAC_256 = f"{_PACE}.4.4"
    PACE_ECDH_CAM = f"{_PACE}.6"
    PACE_ECDH_CAM_AES_CBC_CMAC_128 = f"{_PACE}.6.2"
    PACE_ECDH_CAM_AES_CBC_CMAC_192 = f"{_PACE}.6.3"
    PACE_ECDH_CAM_AES_CBC_CMAC_256 = f"{_PACE}.6.4"
    # id-AA (9303-11 §9.2.6)
    AA = "2.23.136.1.1.5"
    # Signature algorithms for Active Authentication (TR-03111 §5.2.1, 9303-11 §9.2.6)
    ECDSA_PLAIN_SHA1 = f"{_BSI}.1.1.4.1.1"
    ECDSA_PLAIN_SHA224 = f"{_BSI}.1.1.4.1.2"
    ECDSA_PLAIN_SHA256 = f"{_BSI}.1.1.4.1.3"
    ECDSA_PLAIN_SHA384 = f"{_BSI}.1.1.4.1.4"
    ECDSA_PLAIN_SHA512 = f"{_BSI}.1.1.4.1.5"
    ECDSA_PLAIN_RIPEMD160 = f"{_BSI}.1.1.4.1.6"
    ECDSA_WITH_SHA1 = "1.2.840.10045.4.1"
    ECDSA_WITH_SHA224 = "1.2.840.10045.4.3.1"
    ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2"
    ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3"
    ECDSA_WITH_SHA512 = "1.2.840.10045.4.3.4"
    # Domain parameters (TR-03110-3 §A.1.1.1, X9.62, RFC 3279)
    STANDARDIZED_DOMAIN_PARAMETERS = f"{_BSI}.1.2"
    EC_PUBLIC_KEY = "1.2.840.10045.2.1"
    PRIME_FIELD = "1.2.840.10045.1.1"
    DH_PUBLIC_NUMBER = "1.2.840.10046.2.1"

    @classmethod
    def lookup(cls, dotted: str) -> Oid | None:
        try:
            return cls(dotted)
        except ValueError:
            return None

    @property
    def der_value(self) -> bytes:
        return encode_oid(self.value)


# -- encoding (X.690 §8.19) -------------------------------------------------------------
def encode_oid(dotted: str) -> bytes:
    """The contents octets of an OBJECT IDENTIFIER (no tag, no length)."""
    try:
        arcs = [int(a) for a in dotted.split(".")]
    except ValueError:
        raise ValueError(f"not a dotted OID: {dotted!r}") from None
    if len(arcs) < 2 or arcs[0] > 2 or (arcs[0] < 2 and arcs[1] >= 40) or min(arcs) < 0:
        raise ValueError(f"not a valid OID: {dotted!r}")
    out = bytearray()
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return bytes(out)


def decode_oid(value: bytes) -> str:
    """Dotted form of OBJECT IDENTIFIER contents; :class:`ParseError` when malformed."""
    if not value or value[-1] & 0x80:
        raise ParseError("malformed OBJECT IDENTIFIER", what="OID")
    arcs: list[int] = []
    acc = 0
    for i, b in enumerate(value):
        if acc == 0 and b == 0x80:
            raise ParseError("non-minimal OBJECT IDENTIFIER arc", what="OID", offset=i)
        acc = (acc << 7) | (b & 0x7F)
        if not b & 0x80:
            arcs.append(acc)
            acc = 0
        if len(arcs) > 64 or acc.bit_length() > 128:
            raise ParseError("OBJECT IDENTIFIER too long", what="OID", offset=i)
    first = arcs[0]
    head = [0, first] if first < 40 else [1, first - 40] if first < 80 else [2, first - 80]
    return ".".join(str(a) for a in head + arcs[1:])


# -- protocol -> how it runs ------------------------------------------------------------
_CIPHERS = {"1": "3DES", "2": "AES-128", "3": "AES-192", "4": "AES-256"}
_PACE_VARIANTS = {"1": ("GM", "DH"), "2": ("GM", "ECDH"), "3": ("IM", "DH"), "4": ("IM", "ECDH"), "6": ("CAM", "ECDH")}


@dataclass(frozen=True)
class PaceProtocol:
    oid: Oid
    mapping: str  # "GM", "IM", "CAM"
    key_agreement: str  # "DH", "ECDH"
    cipher: str  # "3DES", "AES-128", "AES-192", "AES-256"


@dataclass(frozen=True)
class CaProtocol:
    oid: Oid
    key_agreement: str  # "DH", "ECDH"
    cipher: str | None  # None for the bare id-CA-DH / id-CA-ECDH (domain parameter infos)


def pace_protocol(oid: Oid | str) -> PaceProtocol:
    """Mapping, key agreement and cipher of a PACE protocol OID (9303-11 §9.2.1).

    Raises ValueError for anything that is not a full id-PACE-* protocol with a cipher.
    """
    dotted = oid.value if isinstance(oid, Oid) else oid
    known = Oid.lookup(dotted)
    prefix = _PACE + "."
    if known is None or not dotted.startswith(prefix):
        raise ValueError(f"not a PACE protocol: {dotted}")
    parts = dotted[len(prefix):].split(".")
    if len(parts) != 2:
        raise ValueError(f"PACE OID without cipher suite: {dotted}")
    mapping, ka = _PACE_VARIANTS[parts[0]]
    return PaceProtocol(known, mapping, ka, _CIPHERS[parts[1]])


def ca_protocol(oid: Oid | str) -> CaProtocol:
    """Key agreement and cipher of an id-CA-* protocol OID (9303-11 §9.2.5)."""
    dotted = oid.value if isinstance(oid, Oid) else oid
    known = Oid.lookup(dotted)
    prefix = _CA + "."
    if known is None or not dotted.startswith(prefix):
        raise ValueError(f"not a Chip Authentication protocol: {dotted}")
    parts = dotted[len(prefix):].split(".")
    ka = "DH" if parts[0] == "1" else "ECDH"
    return CaProtocol(known, ka, _CIPHERS[parts[1]] if len(parts) == 2 else None)


def is_pace(dotted: str) -> bool:
    return dotted.startswith(_PACE + ".")


def is_ca(dotted: str) -> bool:
    return dotted.startswith(_CA + ".")
