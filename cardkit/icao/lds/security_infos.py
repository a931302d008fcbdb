# SPDX-License-Identifier: Apache-2.0
"""SecurityInfos (ICAO 9303-11 §9.2; BSI TR-03110-3 §A.1.1): EF.CardAccess, DG14, EF.CardSecurity.

``SecurityInfos ::= SET OF SecurityInfo``; ``SecurityInfo ::= SEQUENCE { protocol OBJECT
IDENTIFIER, requiredData ANY, optionalData ANY OPTIONAL }``. Each info becomes a frozen
dataclass; an info with an unknown OID, or a known OID whose content does not parse, is kept
as :class:`UnknownSecurityInfo` (raw bytes and the reason), never fatal. Only a SET that is not
BER at all raises :class:`ParseError`. :func:`build_security_infos` is the inverse, for the
card simulator and tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TypeVar

from ecdsa import curves

from cardkit.errors import CardkitError, DomainParameterError, ParseError
from cardkit.icao import oids
from cardkit.icao.domain import DhDomain, Domain, EcDomain, standardized, standardized_id
from cardkit.icao.oids import Oid, decode_oid, encode_oid
from cardkit.tlv import Tlv, encode_tlv, parse_all, parse_single

_WHAT = "SecurityInfos"


# -- the infos ---------------------------------------------------------------------------
@dataclass(frozen=True)
class PaceInfo:
    """9303-11 §9.2.1: ``PACEInfo ::= SEQUENCE { protocol, version INTEGER, parameterId INTEGER OPTIONAL }``."""

    protocol: Oid
    version: int
    parameter_id: int | None = None

    @property
    def spec(self) -> oids.PaceProtocol:
        return oids.pace_protocol(self.protocol)


@dataclass(frozen=True)
class PaceDomainParameterInfo:
    """9303-11 §9.2.2: explicit domain parameters for PACE, selected by ``parameter_id``."""

    protocol: Oid
    domain: Domain
    parameter_id: int | None = None


@dataclass(frozen=True)
class ChipAuthenticationInfo:
    """9303-11 §9.2.5: ``{ protocol id-CA-*, version INTEGER, keyId INTEGER OPTIONAL }``."""

    protocol: Oid
    version: int
    key_id: int | None = None

    @property
    def spec(self) -> oids.CaProtocol:
        return oids.ca_protocol(self.protocol)


@dataclass(frozen=True)
class ChipAuthenticationDomainParameterInfo:
    """TR-03110-3 §A.1.1.2: domain parameters of the chip's CA key."""

    protocol: Oid
    domain: Domain
    key_id: int | None = None


@dataclass(frozen=True)
class ChipAuthenticationPublicKeyInfo:
    """9303-11 §9.2.5: ``{ protocol id-PK-*, SubjectPublicKeyInfo, keyId INTEGER OPTIONAL }``.

    ``public_key`` is in wire form: ``04 || X || Y`` (EC) or the DH value, length of p.
    """

    protocol: Oid
    domain: Domain
    public_key: bytes
    key_id: int | None = None
    # EC: the parameters were (or are to be) written out explicitly, as passports do, rather
    # than by standardized ID 13 / a named curve; the same key either way.
    explicit: bool = dc_field(default=False, compare=False)


@dataclass(frozen=True)
class TerminalAuthenticationInfo:
    """TR-03110-3 §A.1.1.3: ``{ id-TA, version INTEGER, efCVCA FileID OPTIONAL }``."""

    protocol: Oid
    version: int
    ef_cvca: bytes | None = None


@dataclass(frozen=True)
class ActiveAuthenticationInfo:
    """9303-11 §9.2.6: ``{ id-AA, version INTEGER, signatureAlgorithm OBJECT IDENTIFIER }``."""

    protocol: Oid
    version: int
    signature_algorithm: Oid | str  # a dotted string when the OID is not known here


@dataclass(frozen=True)
class UnknownSecurityInfo:
    oid: str  # dotted
    raw: bytes  # the whole SecurityInfo SEQUENCE
    problem: str = ""  # empty for an unknown protocol; else why a known one did not parse


SecurityInfo = (
    PaceInfo | PaceDomainParameterInfo | ChipAuthenticationInfo | ChipAuthenticationDomainParameterInfo
    | ChipAuthenticationPublicKeyInfo | TerminalAuthenticationInfo | ActiveAuthenticationInfo | UnknownSecurityInfo
)


_Info = TypeVar("_Info")


@dataclass(frozen=True)
class SecurityInfos:
    infos: tuple[SecurityInfo, ...]

    def of_type(self, kind: type[_Info]) -> tuple[_Info, ...]:
        return tuple(i for i in self.infos if isinstance(i, kind))

    @property
    def pace_infos(self) -> tuple[PaceInfo, ...]:
        return self.of_type(PaceInfo)

    @property
    def ca_infos(self) -> tuple[ChipAuthenticationInfo, ...]:
        return self.of_type(ChipAuthenticationInfo)

    @property
    def ca_public_keys(self) -> tuple[ChipAuthenticationPublicKeyInfo, ...]:
        return self.of_type(ChipAuthenticationPublicKeyInfo)

    @property
    def aa_infos(self) -> tuple[ActiveAuthenticationInfo, ...]:
        return self.of_type(ActiveAuthenticationInfo)

    @property
    def unknown(self) -> tuple[UnknownSecurityInfo, ...]:
        return self.of_type(UnknownSecurityInfo)

    def pace_domain(self, info: PaceInfo) -> Domain:
        """The group of a PACEInfo: standardized (ID 0-31) or from a PACEDomainParameterInfo."""
        pid = info.parameter_id
        for dp in self.of_type(PaceDomainParameterInfo):
            if pid is not None and dp.parameter_id == pid:
                return dp.domain
        if pid is None:
            dps = self.of_type(PaceDomainParameterInfo)
            if len(dps) == 1:
                return dps[0].domain
            raise ParseError("PACEInfo without parameterId and no unique domain parameters", what=_WHAT)
        if pid > 31:  # 9303-11 §9.2.1: 0-31 standardized, others name a PACEDomainParameterInfo
            refused = [u.problem for u in self.unknown if oids.is_pace(u.oid) and u.problem]
            if refused:
                raise DomainParameterError(refused[0], step="EF.CardAccess")
        return standardized(pid)

    def ca_public_key(self, info: ChipAuthenticationInfo) -> ChipAuthenticationPublicKeyInfo | None:
        """The CA public key matching a ChipAuthenticationInfo (by keyId, else by key agreement)."""
        ka = oids.ca_protocol(info.protocol).key_agreement
        want = Oid.PK_ECDH if ka == "ECDH" else Oid.PK_DH
        keys = [k for k in self.ca_public_keys if k.protocol is want]
        if info.key_id is not None:
            keys = [k for k in keys if k.key_id in (info.key_id, None)]
        return keys[0] if keys else None


# -- parsing -----------------------------------------------------------------------------
def _int(tlv: Tlv, what: str) -> int:
    if tlv.tag != 0x02 or not tlv.value:
        raise ParseError(f"expected INTEGER ({what})", what=_WHAT, tag=tlv.tag, offset=tlv.offset)
    return int.from_bytes(tlv.value, "big", signed=True)


def _uint(tlv: Tlv, what: str) -> int:
    v = _int(tlv, what)
    if v < 0:
        raise ParseError(f"negative INTEGER ({what})", what=_WHAT, offset=tlv.offset)
    return v


def _oid(tlv: Tlv) -> str:
    if tlv.tag != 0x06:
        raise ParseError("expected OBJECT IDENTIFIER", what=_WHAT, tag=tlv.tag, offset=tlv.offset)
    return decode_oid(tlv.value)


def _seq(tlv: Tlv, what: str) -> list[Tlv]:
    if tlv.tag != 0x30:
        raise ParseError(f"expected SEQUENCE ({what})", what=_WHAT, tag=tlv.tag, offset=tlv.offset)
    return tlv.children()


def _opt_int(items: list[Tlv], i: int, what: str) -> int | None:
    return _uint(items[i], what) if len(items) > i else None


_CURVE_BY_OID = {".".join(str(a) for a in c.oid): c for c in curves.curves if c.oid}


def parse_domain(alg: Tlv) -> Domain:
    """``AlgorithmIdentifier`` of domain parameters (TR-03110-3 §A.1.1.1, X9.62, RFC 3279)."""
    items = _seq(alg, "AlgorithmIdentifier")
    if not items or len(items) > 2:
        raise ParseError("malformed AlgorithmIdentifier", what=_WHAT, offset=alg.offset)
    oid = _oid(items[0])
    params = items[1] if len(items) > 1 else None
    if params is None:
        raise ParseError("AlgorithmIdentifier without domain parameters", what=_WHAT, offset=alg.offset)
    if oid == Oid.STANDARDIZED_DOMAIN_PARAMETERS:
        return standardized(_uint(params, "parameterId"))
    if oid == Oid.EC_PUBLIC_KEY:
        if params.tag == 0x06:
            curve = _CURVE_BY_OID.get(_oid(params))
            if curve is None:
                raise ParseError("unknown named curve", what=_WHAT, offset=params.offset)
            return EcDomain(curve.name, curve.curve, curve.generator, curve.order, 1)
        return _explicit_ec(params)
    if oid == Oid.DH_PUBLIC_NUMBER:
        f = _seq(params, "DomainParameters")
        if len(f) < 2:
            raise ParseError("DH DomainParameters too short", what=_WHAT, offset=params.offset)
        p, g = _uint(f[0], "p"), _uint(f[1], "g")
        q = _uint(f[2], "q") if len(f) > 2 and f[2].tag == 0x02 else None
        if p < 5 or not 1 < g < p - 1:
            raise ParseError("DH domain parameters out of range", what=_WHAT, offset=params.offset)
        return DhDomain.explicit(p, g, q)
    raise ParseError(f"unsupported domain parameter algorithm {oid}", what=_WHAT, offset=alg.offset)


def _is_explicit_ec(alg: Tlv) -> bool:
    """id-ecPublicKey with ECParameters (not a named curve, not a standardized ID)."""
    items = alg.children()
    return len(items) == 2 and _oid(items[0]) == Oid.EC_PUBLIC_KEY and items[1].tag == 0x30


def _explicit_ec(params: Tlv) -> EcDomain:
    """X9.62 ``ECParameters ::= SEQUENCE { version, fieldID, curve, base, order, cofactor OPT }``."""
    f = _seq(params, "ECParameters")
    if len(f) < 5:
        raise ParseError("ECParameters too short", what=_WHAT, offset=params.offset)
    field = _seq(f[1], "FieldID")
    if len(field) != 2 or _oid(field[0]) != Oid.PRIME_FIELD:
        raise ParseError("only prime fields are supported", what=_WHAT, offset=f[1].offset)
    p = _uint(field[1], "p")
    curve = _seq(f[2], "Curve")
    if len(curve) < 2 or curve[0].tag != 0x04 or curve[1].tag != 0x04:
        raise ParseError("malformed Curve", what=_WHAT, offset=f[2].offset)
    a, b = int.from_bytes(curve[0].value, "big"), int.from_bytes(curve[1].value, "big")
    base = f[3].value
    size = (p.bit_length() + 7) // 8
    if f[3].tag != 0x04 or len(base) != 1 + 2 * size or base[0] != 4:
        raise ParseError("base point is not an uncompressed point", what=_WHAT, offset=f[3].offset)
    gx, gy = int.from_bytes(base[1 : 1 + size], "big"), int.from_bytes(base[1 + size :], "big")
    n = _uint(f[4], "order")
    h = _uint(f[5], "cofactor") if len(f) > 5 else 1
    return EcDomain.explicit(p, a, b, gx, gy, n, h)


def _public_key(domain: Domain, bits: Tlv) -> bytes:
    if bits.tag != 0x03 or len(bits.value) < 2 or bits.value[0] != 0:
        raise ParseError("malformed subjectPublicKey BIT STRING", what=_WHAT, offset=bits.offset)
    key = bits.value[1:]
    if isinstance(domain, DhDomain):  # the BIT STRING holds a DER INTEGER (RFC 3279 §2.3.3)
        y = _uint(parse_single(key), "DH public value")
        if y.bit_length() > 8 * domain.field_size:
            raise ParseError("DH public value longer than p", what=_WHAT, offset=bits.offset)
        return domain.encode(y)
    return key


def _parse_known(oid: str, items: list[Tlv]) -> SecurityInfo | None:
    known = Oid.lookup(oid)
    if known is None:
        return None
    if oids.is_pace(oid):
        if len(oid.split(".")) == 11:  # id-PACE-<variant>-<cipher>
            return PaceInfo(known, _uint(items[1], "version"), _opt_int(items, 2, "parameterId"))
        return PaceDomainParameterInfo(known, parse_domain(items[1]), _opt_int(items, 2, "parameterId"))
    if oids.is_ca(oid):
        if known in (Oid.CA_DH, Oid.CA_ECDH):
            return ChipAuthenticationDomainParameterInfo(known, parse_domain(items[1]), _opt_int(items, 2, "keyId"))
        return ChipAuthenticationInfo(known, _uint(items[1], "version"), _opt_int(items, 2, "keyId"))
    if known in (Oid.PK_DH, Oid.PK_ECDH):
        spki = _seq(items[1], "SubjectPublicKeyInfo")
        if len(spki) != 2:
            raise ParseError("malformed SubjectPublicKeyInfo", what=_WHAT, offset=items[1].offset)
        domain = parse_domain(spki[0])
        return ChipAuthenticationPublicKeyInfo(
            known, domain, _public_key(domain, spki[1]), _opt_int(items, 2, "keyId"), explicit=_is_explicit_ec(spki[0])
        )
    if known is Oid.TA:
        ef = items[2].value if len(items) > 2 else None
        return TerminalAuthenticationInfo(known, _uint(items[1], "version"), ef)
    if known is Oid.AA:
        sig = _oid(items[2]) if len(items) > 2 else ""
        return ActiveAuthenticationInfo(known, _uint(items[1], "version"), Oid.lookup(sig) or sig)
    return None


def _parse_info(tlv: Tlv) -> SecurityInfo:
    raw = tlv.encode()
    items = _seq(tlv, "SecurityInfo")
    if not items:
        raise ParseError("empty SecurityInfo", what=_WHAT, offset=tlv.offset)
    oid = _oid(items[0])
    try:
        if len(items) < 2:
            raise ParseError("SecurityInfo without requiredData", what=_WHAT, offset=tlv.offset)
        info = _parse_known(oid, items)
    except CardkitError as exc:
        return UnknownSecurityInfo(oid, raw, str(exc))
    except (ValueError, ArithmeticError) as exc:
        return UnknownSecurityInfo(oid, raw, f"malformed: {exc}")
    return info if info is not None else UnknownSecurityInfo(oid, raw)


def parse_security_infos(data: bytes) -> SecurityInfos:
    """Parse a ``SET OF SecurityInfo`` (EF.CardAccess, DG14 content, EF.CardSecurity eContent).

    A DG14 wrapper (tag 6E) is accepted and removed. Raises :class:`ParseError` only when the
    SET itself is malformed; a bad or unknown element is kept as :class:`UnknownSecurityInfo`.
    """
    outer = parse_single(bytes(data), allow_trailing=True)
    if outer.tag == 0x6E:
        outer = parse_single(outer.value, allow_trailing=True)
    if outer.tag != 0x31:
        raise ParseError("SecurityInfos is not a SET", what=_WHAT, tag=outer.tag, offset=0)
    infos = []
    for tlv in parse_all(outer.value, base_offset=outer.offset + outer.length_bytes):
        try:
            infos.append(_parse_info(tlv))
        except ParseError as exc:
            infos.append(UnknownSecurityInfo("", tlv.encode(), str(exc)))
    return SecurityInfos(tuple(infos))


# -- building (card simulator, tests) -------------------------------------------------------
def _der_int(v: int) -> bytes:
    return encode_tlv(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big", signed=True))


def _der_oid(oid: Oid | str) -> bytes:
    return encode_tlv(0x06, encode_oid(oid.value if isinstance(oid, Oid) else oid))


def encode_domain(domain: Domain, *, explicit: bool = False) -> bytes:
    """AlgorithmIdentifier for ``domain``: standardized ID when it has one (unless ``explicit``
    for an EC group), else the explicit X9.62 / RFC 3279 parameters."""
    sid = None if explicit and isinstance(domain, EcDomain) else standardized_id(domain)
    if sid is not None:
        return encode_tlv(0x30, _der_oid(Oid.STANDARDIZED_DOMAIN_PARAMETERS) + _der_int(sid))
    return encode_explicit_domain(domain)


def encode_explicit_domain(domain: Domain) -> bytes:
    """AlgorithmIdentifier with the parameters spelled out (X9.42 DomainParameters, X9.62 ECParameters)."""
    if isinstance(domain, DhDomain):
        body = _der_int(domain.p) + _der_int(domain.g) + (_der_int(domain.q) if domain.q else b"")
        return encode_tlv(0x30, _der_oid(Oid.DH_PUBLIC_NUMBER) + encode_tlv(0x30, body))
    n = domain.field_size
    field = encode_tlv(0x30, _der_oid(Oid.PRIME_FIELD) + _der_int(domain.p))
    a, b = domain.curve.a() % domain.p, domain.curve.b() % domain.p  # python-ecdsa keeps NIST a as -3
    curve = encode_tlv(0x30, encode_tlv(0x04, a.to_bytes(n, "big")) + encode_tlv(0x04, b.to_bytes(n, "big")))
    params = _der_int(1) + field + curve + encode_tlv(0x04, domain.encode(domain.generator))
    params += _der_int(domain.order) + _der_int(domain.cofactor)
    return encode_tlv(0x30, _der_oid(Oid.EC_PUBLIC_KEY) + encode_tlv(0x30, params))


def encode_security_info(info: SecurityInfo) -> bytes:
    if isinstance(info, UnknownSecurityInfo):
        return info.raw
    body = _der_oid(info.protocol)
    if isinstance(info, (PaceInfo, ChipAuthenticationInfo)):
        opt = info.parameter_id if isinstance(info, PaceInfo) else info.key_id
        body += _der_int(info.version) + (_der_int(opt) if opt is not None else b"")
    elif isinstance(info, (PaceDomainParameterInfo, ChipAuthenticationDomainParameterInfo)):
        opt = info.parameter_id if isinstance(info, PaceDomainParameterInfo) else info.key_id
        body += encode_domain(info.domain) + (_der_int(opt) if opt is not None else b"")
    elif isinstance(info, ChipAuthenticationPublicKeyInfo):
        key = info.public_key
        if isinstance(info.domain, DhDomain):
            key = _der_int(int.from_bytes(key, "big"))
        spki = encode_tlv(0x30, encode_domain(info.domain, explicit=info.explicit) + encode_tlv(0x03, b"\x00" + key))
        body += spki + (_der_int(info.key_id) if info.key_id is not None else b"")
    elif isinstance(info, TerminalAuthenticationInfo):
        body += _der_int(info.version) + (encode_tlv(0x04, info.ef_cvca) if info.ef_cvca is not None else b"")
    elif isinstance(info, ActiveAuthenticationInfo):
        body += _der_int(info.version) + _der_oid(info.signature_algorithm)
    else:  # pragma: no cover - exhaustive above
        raise TypeError(f"not a SecurityInfo: {info!r}")
    return encode_tlv(0x30, body)


def build_security_infos(infos: Iterable[SecurityInfo]) -> bytes:
    """DER ``SET OF SecurityInfo`` (elements sorted, X.690 §11.6)."""
    return encode_tlv(0x31, b"".join(sorted(encode_security_info(i) for i in infos)))
