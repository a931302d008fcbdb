# SPDX-License-Identifier: Apache-2.0
"""Domain parameters for PACE and Chip Authentication: groups, keys, validation, mappings.

EC arithmetic is done with python-ecdsa (``ecdsa.curves``, ``ecdsa.ellipticcurve.PointJacobi``).
That is a deliberate choice: PACE needs raw point arithmetic (the generic mapping computes
G~ = s*G + H, the integrated mapping builds a point from a field element, CAM checks
CA_IC * PK_IC), and it needs the brainpool curves the CCCD uses (brainpoolP256r1). pycryptodome
has no brainpool curves and ``cryptography`` offers ECDH but no point arithmetic. DH is plain
modular arithmetic with Python integers.

Both group kinds share one small interface (:class:`EcDomain`, :class:`DhDomain`): elements
are ``PointJacobi`` (EC) or ``int`` (DH); public keys cross the wire encoded as in
TRANSCRIPTS.md (EC: ``04 || X || Y``, each coordinate the field size; DH: big-endian integer
of the length of p). Every public key received is validated by :meth:`decode_public`, which
raises :class:`AccessError` ("invalid public key ...") on anything doubtful.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from ecdsa import curves
from ecdsa.ellipticcurve import INFINITY, CurveFp, PointJacobi

from cardkit.errors import AccessError
from cardkit.icao.crypto import CipherSuite, pad
from cardkit.icao.domain_check import check_dh, check_ec
from cardkit.icao.oids import encode_oid
from cardkit.tlv import encode_tlv


def _invalid(reason: str) -> AccessError:
    return AccessError(f"invalid public key: {reason}")


def _is_infinity(point: object) -> bool:
    return point is INFINITY or point == INFINITY


@dataclass(frozen=True)
class EcDomain:
    """Elliptic curve domain parameters over GF(p) (TR-03111 §2.3)."""

    name: str
    curve: CurveFp
    generator: PointJacobi
    order: int
    cofactor: int = 1
    kind = "ECDH"
    public_tag = 0x86  # 9303-11 §9.4.2 (public key data object: EC point)

    def __repr__(self) -> str:
        return f"EcDomain({self.name})"

    def __hash__(self) -> int:
        g = self.generator
        return hash((self.curve.p(), self.curve.a(), self.curve.b(), g.x(), g.y(), self.order))

    @classmethod
    def explicit(cls, p: int, a: int, b: int, gx: int, gy: int, n: int, h: int = 1) -> EcDomain:
        """Explicit parameters (PACEDomainParameterInfo, DG14 keys): named when they are a known
        curve, else validated (:func:`cardkit.icao.domain_check.check_ec`) before any use."""
        for c in _NAMED_CURVES:
            cv = c.curve
            if (cv.p(), cv.a() % cv.p(), cv.b(), c.generator.x(), c.generator.y(), c.order, 1) == (
                p, a % p, b, gx, gy, n, h
            ):
                return cls(c.name, cv, c.generator, c.order, 1)
        check_ec(p, a, b, gx, gy, n, h)
        curve = CurveFp(p, a, b, h)
        return cls("explicit", curve, PointJacobi(curve, gx, gy, 1, n), n, h)

    @property
    def p(self) -> int:
        p: int = self.curve.p()  # ecdsa ships no types
        return p

    @property
    def field_size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def random_private_key(self) -> int:
        return secrets.randbelow(self.order - 1) + 1

    def multiply(self, k: int, element: PointJacobi | None = None) -> PointJacobi:
        return (self.generator if element is None else element) * k

    def encode(self, point: PointJacobi) -> bytes:
        """Uncompressed point ``04 || X || Y`` (TR-03111 §3.2.1)."""
        if _is_infinity(point):
            raise AccessError("cannot encode the point at infinity")
        n = self.field_size
        x: int = point.x()  # ecdsa ships no types
        y: int = point.y()
        return b"\x04" + x.to_bytes(n, "big") + y.to_bytes(n, "big")

    def public_key(self, sk: int) -> bytes:
        return self.encode(self.multiply(sk))

    def decode_public(self, data: bytes) -> PointJacobi:
        """Decode and validate a received point (TR-03111 §3.2.2.1, 9303-11 §4.4.3.4)."""
        n = self.field_size
        if data in (b"", b"\x00"):
            raise _invalid("the point at infinity")
        if data[0] != 0x04 or len(data) != 1 + 2 * n:
            raise _invalid("not an uncompressed point of this curve's size")
        x = int.from_bytes(data[1 : 1 + n], "big")
        y = int.from_bytes(data[1 + n :], "big")
        if x >= self.p or y >= self.p:
            raise _invalid("coordinate out of range")
        if not self.curve.contains_point(x, y):
            raise _invalid("point not on the curve")
        point = PointJacobi(self.curve, x, y, 1, self.order)
        if self.cofactor != 1 and not _is_infinity(point * self.order):
            raise _invalid("point not in the prime-order subgroup")
        return point

    def secret_bytes(self, point: PointJacobi) -> bytes:
        """Shared secret encoding: the x-coordinate, field size (9303-11 §4.4.3.4, §9.6)."""
        if _is_infinity(point):
            raise AccessError("key agreement gave the point at infinity")
        x: int = point.x()  # ecdsa ships no types
        return x.to_bytes(self.field_size, "big")

    def agree(self, sk: int, peer: PointJacobi) -> bytes:
        return self.secret_bytes(peer * sk)

    def with_generator(self, g: PointJacobi) -> EcDomain:
        if _is_infinity(g):
            raise AccessError("mapping gave the point at infinity")
        g = PointJacobi(self.curve, g.x(), g.y(), 1, self.order)
        return replace(self, name=f"{self.name} (mapped)", generator=g)

    def generic_map(self, s: int, h: PointJacobi) -> EcDomain:
        """ICAO 9303-11 §4.4.3.3.1: G~ = s*G + H."""
        if _is_infinity(h):
            raise AccessError("generic mapping: H is the point at infinity")
        return self.with_generator(self.generator * s + h)

    def integrated_map(self, x: int) -> EcDomain:
        """ICAO 9303-11 §4.4.3.3.2: point encoding f_G(x) (simplified SWU, p = 3 mod 4)."""
        p, a, b = self.p, self.curve.a(), self.curve.b()
        if p % 4 != 3 or a == 0:
            raise AccessError(f"integrated mapping is not defined for {self.name}")
        alpha = (-x * x) % p
        denom = (alpha + alpha * alpha) % p
        if x % p == 0 or denom == 0:
            raise AccessError("integrated mapping: degenerate nonce")
        x2 = (-b * pow(a, -1, p) * (1 + pow(denom, -1, p))) % p
        x3 = (alpha * x2) % p
        h2 = (x2 * x2 * x2 + a * x2 + b) % p
        u = (pow(x, 3, p) * h2) % p
        big_a = pow(h2, p - 1 - (p + 1) // 4, p)
        if (big_a * big_a * h2) % p == 1:
            point = (x2, (big_a * h2) % p)
        else:
            point = (x3, (big_a * u) % p)
        g = PointJacobi(self.curve, point[0], point[1], 1, self.order)
        if self.cofactor != 1:
            g = g * self.cofactor
        return self.with_generator(g)


@dataclass(frozen=True)
class DhDomain:
    """A prime-order subgroup of GF(p)* (RFC 5114, X9.42 DomainParameters)."""

    name: str
    p: int
    g: int
    q: int | None
    kind = "DH"
    public_tag = 0x84  # 9303-11 §9.4.2 (public key data object: DH value)

    def __repr__(self) -> str:
        return f"DhDomain({self.name}, {self.p.bit_length()} bits)"

    @classmethod
    def explicit(cls, p: int, g: int, q: int | None) -> DhDomain:
        """Explicit X9.42 parameters: the standardized group when they are one, else validated."""
        sid = standardized_id(cls("explicit", p, g, q))
        if sid is not None:
            dom = standardized(sid)
            if isinstance(dom, DhDomain):  # standardized_id of a DH group is a DH ID (0-2)
                return dom
        check_dh(p, g, q)
        return cls("explicit", p, g, q)

    @property
    def generator(self) -> int:
        return self.g

    @property
    def order(self) -> int | None:
        return self.q

    @property
    def field_size(self) -> int:
        return (self.p.bit_length() + 7) // 8

    def random_private_key(self) -> int:
        bound = self.q if self.q else 1 << min(self.p.bit_length() - 1, 512)
        return secrets.randbelow(bound - 2) + 1

    def multiply(self, k: int, element: int | None = None) -> int:
        return pow(self.g if element is None else element, k, self.p)

    def encode(self, value: int) -> bytes:
        """Big-endian, the length of p (TRANSCRIPTS.md "DH public values")."""
        return value.to_bytes(self.field_size, "big")

    def public_key(self, sk: int) -> bytes:
        return self.encode(self.multiply(sk))

    def decode_public(self, data: bytes) -> int:
        """Validate a received DH value: 2 <= y <= p-2 and y^q = 1 (9303-11 §4.4.3.4)."""
        if not data or len(data) > self.field_size:
            raise _invalid("DH value of the wrong length")
        y = int.from_bytes(data, "big")
        if not 2 <= y <= self.p - 2:
            raise _invalid("DH value out of range")
        if self.q and pow(y, self.q, self.p) != 1:
            raise _invalid("DH value not in the prime-order subgroup")
        return y

    def secret_bytes(self, value: int) -> bytes:
        if value in (0, 1, self.p - 1):
            raise AccessError("key agreement gave a degenerate DH value")
        return self.encode(value)

    def agree(self, sk: int, peer: int) -> bytes:
        return self.secret_bytes(pow(peer, sk, self.p))

    def with_generator(self, g: int) -> DhDomain:
        if g in (0, 1, self.p - 1):
            raise AccessError("mapping gave a degenerate generator")
        return replace(self, name=f"{self.name} (mapped)", g=g)

    def generic_map(self, s: int, h: int) -> DhDomain:
        """ICAO 9303-11 §4.4.3.3.1: g~ = g^s * h mod p."""
        if h in (0, 1):
            raise AccessError("generic mapping: degenerate shared value h")
        return self.with_generator(pow(self.g, s, self.p) * h % self.p)

    def integrated_map(self, x: int) -> DhDomain:
        """ICAO 9303-11 §4.4.3.3.2: g~ = x^((p-1)/q) mod p."""
        if not self.q:
            raise AccessError("integrated mapping needs the subgroup order q")
        return self.with_generator(pow(x, (self.p - 1) // self.q, self.p))


Domain = EcDomain | DhDomain
Element = PointJacobi | int  # a group element: a curve point (EC) or a residue mod p (DH)


# -- ICAO 9303-11 §9.5.1: standardized domain parameters ---------------------------------
def _h(text: str) -> int:
    return int("".join(text.split()), 16)


# RFC 5114 §2.1-2.3
_MODP_1024_160 = (
    _h("""B10B8F96A080E01DDE92DE5EAE5D54EC52C99FBCFB06A3C69A6A9DCA52D23B616073E28675A23D189838EF1E2EE652C0
    13ECB4AEA906112324975C3CD49B83BFACCBDD7D90C4BD7098488E9C219A73724EFFD6FAE5644738FAA31A4FF55BCCC0
    A151AF5F0DC8B4BD45BF37DF365C1A65E68CFDA76D4DA708DF1FB2BC2E4A4371"""),
    _h("""A4D1CBD5C3FD34126765A442EFB99905F8104DD258AC507FD6406CFF14266D31266FEA1E5C41564B777E690F5504F213
    160217B4B01B886A5E91547F9E2749F4D7FBD7D3B9A92EE1909D0D2263F80A76A6A24C087A091F531DBF0A0169B6A28A
    D662A4D18E73AFA32D779D5918D08BC8858F4DCEF97C2A24855E6EEB22B3B2E5"""),
    _h("F518AA8781A8DF278ABA4E7D64B7CB9D49462353"),
)
_MODP_2048_224 = (
    _h("""AD107E1E9123A9D0D660FAA79559C51FA20D64E5683B9FD1B54B1597B61D0A75E6FA141DF95A56DBAF9A3C407BA1DF15
    EB3D688A309C180E1DE6B85A1274A0A66D3F8152AD6AC2129037C9EDEFDA4DF8D91E8FEF55B7394B7AD5B7D0B6C12207
    C9F98D11ED34DBF6C6BA0B2C8BBC27BE6A00E0A0B9C49708B3BF8A317091883681286130BC8985DB1602E714415D9330
    278273C7DE31EFDC7310F7121FD5A07415987D9ADC0A486DCDF93ACC44328387315D75E198C641A480CD86A1B9E587E8
    BE60E69CC928B2B9C52172E413042E9B23F10B0E16E79763C9B53DCF4BA80A29E3FB73C16B8E75B97EF363E2FFA31F71
    CF9DE5384E71B81C0AC4DFFE0C10E64F"""),
    _h("""AC4032EF4F2D9AE39DF30B5C8FFDAC506CDEBE7B89998CAF74866A08CFE4FFE3A6824A4E10B9A6F0DD921F01A70C4AFA
    AB739D7700C29F52C57DB17C620A8652BE5E9001A8D66AD7C17669101999024AF4D027275AC1348BB8A762D0521BC98A
    E247150422EA1ED409939D54DA7460CDB5F6C6B250717CBEF180EB34118E98D119529A45D6F834566E3025E316A330EF
    BB77A86F0C1AB15B051AE3D428C8F8ACB70A8137150B8EEB10E183EDD19963DDD9E263E4770589EF6AA21E7F5F2FF381
    B539CCE3409D13CD566AFBB48D6C019181E1BCFE94B30269EDFE72FE9B6AA4BD7B5A0F1C71CFFF4C19C418E1F6EC0179
    81BC087F2A7065B384B890D3191F2BFA"""),
    _h("801C0D34C58D93FE997177101F80535A4738CEBCBF389A99B36371EB"),
)
_MODP_2048_256 = (
    _h("""87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00E00DF8F1D61957D4FAF7DF4561B2AA30
    16C3D91134096FAA3BF4296D830E9A7C209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B
    6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76B63ACAE1CAA6B7902D52526735488A0E
    F13C6D9A51BFA4AB3AD8347796524D8EF6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026
    C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103A4B54330C198AF126116D2276E11715F
    693877FAD7EF09CADB094AE91E1A1597"""),
    _h("""3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA12510DBC15077BE463FFF4FED4AAC0BB555
    BE3A6C1B0C6B47B1BC3773BF7E8C6F62901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B
    777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193B5045AF2767164E1DFC967C1FB3F2E55
    A4BD1BFFE83B9C80D052B985D182EA0ADB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915
    B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C32F63078490F00EF8D647D148D4795451
    5E2327CFEF98C582664B4C0F6CC41659"""),
    _h("8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3"),
)

_DH_IDS = {
    0: ("RFC 5114 1024-bit MODP, 160-bit subgroup", _MODP_1024_160),
    1: ("RFC 5114 2048-bit MODP, 224-bit subgroup", _MODP_2048_224),
    2: ("RFC 5114 2048-bit MODP, 256-bit subgroup", _MODP_2048_256),
}
_EC_IDS = {
    8: curves.NIST192p,
    9: curves.BRAINPOOLP192r1,
    10: curves.NIST224p,
    11: curves.BRAINPOOLP224r1,
    12: curves.NIST256p,
    13: curves.BRAINPOOLP256r1,
    14: curves.BRAINPOOLP320r1,
    15: curves.NIST384p,
    16: curves.BRAINPOOLP384r1,
    17: curves.BRAINPOOLP512r1,
    18: curves.NIST521p,
}
_NAMED_CURVES = tuple(_EC_IDS.values())
_CACHE: dict[int, Domain] = {}


def standardized(parameter_id: int) -> Domain:
    """Standardized domain parameters by ID (ICAO 9303-11 §9.5.1 table); AccessError if unknown."""
    dom = _CACHE.get(parameter_id)
    if dom is not None:
        return dom
    if parameter_id in _DH_IDS:
        name, (p, g, q) = _DH_IDS[parameter_id]
        dom = DhDomain(name, p, g, q)
    elif parameter_id in _EC_IDS:
        c = _EC_IDS[parameter_id]
        dom = EcDomain(c.name, c.curve, c.generator, c.order, 1)
    else:
        raise AccessError(f"unknown standardized domain parameter id {parameter_id}")
    _CACHE[parameter_id] = dom
    return dom


def standardized_id(domain: Domain) -> int | None:
    """The ID of a standardized group (the reverse of :func:`standardized`), or None."""
    for pid in (*_DH_IDS, *_EC_IDS):
        other = standardized(pid)
        if isinstance(domain, EcDomain) and isinstance(other, EcDomain):
            if other.curve == domain.curve and other.generator == domain.generator:
                return pid
        elif (isinstance(domain, DhDomain) and isinstance(other, DhDomain)
              and (other.p, other.g) == (domain.p, domain.g) and domain.q in (None, other.q)):
            return pid
    return None


# -- shared PACE / CA computations (9303-11 §4.4.3.3.2, §4.4.3.4, §9.7) --------------------
_PRF_C = {  # 9303-11 §4.4.3.3.2: c0, c1 for k = 128
    16: (bytes.fromhex("a668892a7c41e3ca739f40b057d85904"), bytes.fromhex("a4e136ac725f738b01c1f60217c188ad")),
}


def pseudo_random(suite: CipherSuite, s: bytes, t: bytes, p: int) -> int:
    """R_p(s, t) of the integrated mapping (ICAO 9303-11 §4.4.3.3.2, Figure 2).

    k_0 = E(t, s); then k_(i+1) = E(k_i, c0) and x_i = E(k_i, c1), CBC with a zero IV, until
    n * l >= log2(p) + 64 (l: the block length); R = x_0 || ... || x_(n-1) mod p.
    Only AES-128 is supported: it is the one cipher with a worked example (App. H); the
    sources disagree on how 3DES and AES-192/256 widen k_0 to the key size.
    """
    if suite.key_size != suite.block_size or len(s) != suite.block_size or len(t) != suite.key_size:
        raise AccessError(f"integrated mapping with {suite.name} is not supported")
    c0, c1 = _PRF_C[16]
    key = suite.encrypt(t, s)
    out = b""
    while 8 * len(out) < p.bit_length() + 64:
        key, x = suite.encrypt(key, c0), suite.encrypt(key, c1)
        out += x
    return int.from_bytes(out, "big") % p


def public_key_data_object(oid: str, domain: Domain, public_key: bytes) -> bytes:
    """``7F49 { 06 OID, 86 point | 84 DH value }`` (9303-11 §4.4.3.4, §9.4.2)."""
    return encode_tlv(0x7F49, encode_tlv(0x06, encode_oid(oid)) + encode_tlv(domain.public_tag, public_key))


def authentication_token(suite: CipherSuite, ks_mac: bytes, oid: str, domain: Domain, public_key: bytes) -> bytes:
    """T = MAC(KS_mac, PK data object), 8 bytes (9303-11 §4.4.3.4).

    AES: CMAC with no padding. 3DES: retail MAC over the padded object.
    """
    data = public_key_data_object(oid, domain, public_key)
    return suite.mac(ks_mac, data if suite.is_aes else pad(data, suite.block_size))
