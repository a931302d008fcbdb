# SPDX-License-Identifier: Apache-2.0
"""DG15: the Active Authentication public key (ICAO 9303-10 §4.7.15, 9303-11 §6.1).

``6F`` -> SubjectPublicKeyInfo; RSA or EC, EC possibly with explicit domain parameters. Load
it for verification with :func:`cardkit.icao.pa.keys.load_public_key` (``dg15.spki``).
"""

from __future__ import annotations

from dataclasses import dataclass

from asn1crypto import keys
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from cardkit.errors import ParseError
from cardkit.icao.lds.signed_data import ASN1_ERRORS
from cardkit.tlv import encode_tlv, parse_single

TAG_DG15 = 0x6F


@dataclass(frozen=True)
class Dg15:
    spki_der: bytes
    algorithm: str  # "rsa" or "ec"
    curve: str | None  # named curve, "explicit" or None for RSA

    @property
    def spki(self) -> keys.PublicKeyInfo:
        return keys.PublicKeyInfo.load(self.spki_der)


def parse_dg15(data: bytes) -> Dg15:
    root = parse_single(data, expected_tag=TAG_DG15)
    try:
        spki = keys.PublicKeyInfo.load(root.value, strict=True)
        algo = spki["algorithm"]["algorithm"].native
        curve = None
        if algo == "ec":
            params = spki["algorithm"]["parameters"]
            curve = "explicit" if params.name == "specified" else str(params.chosen.native)
        elif algo != "rsa":
            raise ParseError(f"unsupported key algorithm {algo}", what="DG15", tag=TAG_DG15)
        _ = spki["public_key"].native  # force parsing
    except ParseError:
        raise
    except ASN1_ERRORS as exc:
        raise ParseError(f"malformed SubjectPublicKeyInfo: {exc}", what="DG15", tag=TAG_DG15) from None
    return Dg15(root.value, algo, curve)


def build_dg15(public_key: PublicKeyTypes | bytes) -> bytes:
    """DG15 from a `cryptography` public key or the DER of a SubjectPublicKeyInfo."""
    if isinstance(public_key, bytes):
        der = public_key
    else:
        der = public_key.public_bytes(serialization.Encoding.DER,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
    return encode_tlv(TAG_DG15, der)
