# SPDX-License-Identifier: Apache-2.0
"""CMS SignedData as carried by EF.SOD, EF.CardSecurity and CSCA master lists (RFC 5652 §5).

The structure is declared with asn1crypto, not hand-parsed; this module only pulls out what
verification needs and turns asn1crypto's lazy-parsing failures into :class:`ParseError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from asn1crypto import algos, cms, core, x509

from cardkit.errors import ParseError

# asn1crypto raises these (lazily) for malformed DER.
ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


@dataclass(frozen=True)
class SignerInfo:
    """The one SignerInfo of an ICAO SignedData (ICAO 9303-10 §4.6.2.2)."""

    sid_issuer: x509.Name | None  # issuerAndSerialNumber form
    sid_serial: int | None
    sid_key_id: bytes | None  # subjectKeyIdentifier form
    digest_algorithm: str  # asn1crypto name, e.g. "sha256"
    signature_algorithm: cms.SignedDigestAlgorithm
    signature: bytes
    signed_attrs: bytes | None  # DER as signed: SET OF Attribute (tag 31)
    content_type: str | None  # signed attribute contentType, dotted
    message_digest: bytes | None  # signed attribute messageDigest
    signing_time: datetime | None

    def matches(self, cert: x509.Certificate) -> bool:
        """Issuer + serial, or the key identifier (RDN order may differ: serial decides then)."""
        if self.sid_key_id is not None:
            return bool(cert.key_identifier == self.sid_key_id)
        if self.sid_serial != cert.serial_number:
            return False
        return self.sid_issuer == cert.issuer or _same_rdns(self.sid_issuer, cert.issuer)


def _rdn_key(n: x509.Name) -> list[str]:
    return sorted(repr(sorted(r.native.items())) if isinstance(r.native, dict) else repr(r.native)
                  for r in [n.chosen[i] for i in range(len(n.chosen))])


def _same_rdns(a: x509.Name | None, b: x509.Name) -> bool:
    if a is None:
        return False
    try:
        return _rdn_key(a) == _rdn_key(b)
    except ASN1_ERRORS:
        return False


@dataclass(frozen=True)
class SignedData:
    content_type: str  # eContentType, dotted
    content: bytes  # eContent (DER of the inner object)
    certificates: tuple[x509.Certificate, ...]
    signer: SignerInfo
    crls: tuple[bytes, ...]  # DER of any CRLs carried along
    digest_algorithms: tuple[str, ...] = ()  # SignedData.digestAlgorithms (unsigned)


def _attr(attrs: cms.CMSAttributes | None, name: str) -> core.Asn1Value | None:
    if attrs is None or attrs.native is None:
        return None
    for attr in attrs:
        if attr["type"].native == name:
            values = attr["values"]
            return values[0] if len(values) else None
    return None


def _signer(si: cms.SignerInfo) -> SignerInfo:
    sid = si["sid"]
    issuer = serial = key_id = None
    if sid.name == "issuer_and_serial_number":
        issuer = sid.chosen["issuer"]
        serial = sid.chosen["serial_number"].native
        _check_name(issuer, "SignerInfo issuer name")
    else:
        key_id = sid.chosen.native
    attrs = si["signed_attrs"]
    signed = None
    if len(attrs):
        der = attrs.dump()
        signed = b"\x31" + der[1:]  # RFC 5652 §5.4: DER of the SET OF, not the [0] IMPLICIT
    ct = _attr(attrs, "content_type")
    md = _attr(attrs, "message_digest")
    st = _attr(attrs, "signing_time")
    return SignerInfo(
        issuer, serial, key_id, si["digest_algorithm"]["algorithm"].native,
        si["signature_algorithm"], si["signature"].native, signed,
        ct.dotted if ct is not None else None, md.native if md is not None else None,
        st.native if st is not None else None,
    )


def _check_name(name: x509.Name, what: str) -> None:
    """Decode a Name now, as :meth:`SignerInfo.matches` will compare it (its strings and their
    RFC 4518 prepared forms): a malformed one (bad UTF-8 or UTF-16 in a UTF8String or
    BMPString, ...) is a :class:`ParseError` here, not a ValueError during verification."""
    try:
        _ = name.native, name.hashable  # force asn1crypto's lazy parsing
    except ASN1_ERRORS as exc:
        raise ParseError(f"malformed {what}: {exc}", what=what) from None


def _null_params(alg: algos.DigestAlgorithm) -> bool:
    """Hash AlgorithmIdentifier parameters: absent or NULL (RFC 5754 §2), nothing else."""
    return alg["parameters"].dump() in (b"", b"\x05\x00")


def check_certificate_encoding(cert: x509.Certificate) -> None:
    """RFC 5280 §4.1.1.2-4.1.1.3: the outer algorithm equals the inner one; no unused signature bits."""
    if cert["signature_algorithm"].dump() != cert["tbs_certificate"]["signature"].dump():
        raise ParseError("certificate signature algorithm differs from the signed one", what="certificate")
    if cert["signature_value"].contents[:1] != b"\x00":
        raise ParseError("certificate signature has unused bits", what="certificate")


def parse_signed_data(der: bytes, *, what: str = "SignedData") -> SignedData:
    """Parse a DER ContentInfo holding SignedData with exactly one SignerInfo."""
    try:
        ci = cms.ContentInfo.load(der, strict=True)
        if ci["content_type"].native != "signed_data":
            raise ParseError("content is not SignedData", what=what, offset=0)
        sd = ci["content"]
        if sd["version"].native != "v3":  # RFC 5652 §5.1 (eContentType is not id-data); 9303-10 §4.6.2.2
            raise ParseError(f"SignedData version {sd['version'].native}, expected v3", what=what)
        eci = sd["encap_content_info"]
        content = eci["content"]
        if content.native is None:
            raise ParseError("SignedData has no eContent", what=what)
        certs = tuple(c.chosen for c in sd["certificates"] if c.name == "certificate") \
            if sd["certificates"].native is not None else ()
        for c in certs:
            _ = c["tbs_certificate"].native  # force asn1crypto's lazy parsing now, not during PA
            _check_name(c.issuer, "certificate issuer name")  # compared with the SignerInfo's
            check_certificate_encoding(c)
        if not all(_null_params(a) for a in sd["digest_algorithms"]):
            raise ParseError("digest algorithm with parameters other than NULL", what=what)
        infos = sd["signer_infos"]
        if len(infos) != 1:
            raise ParseError(f"{len(infos)} SignerInfos, expected 1", what=what)
        if not _null_params(infos[0]["digest_algorithm"]):
            raise ParseError("SignerInfo digest algorithm with parameters other than NULL", what=what)
        expected = "v1" if infos[0]["sid"].name == "issuer_and_serial_number" else "v3"
        if infos[0]["version"].native != expected:  # RFC 5652 §5.3
            raise ParseError(f"SignerInfo version {infos[0]['version'].native}, expected {expected}", what=what)
        crls = tuple(c.dump() for c in sd["crls"]) if sd["crls"].native is not None else ()
        digests = tuple(a["algorithm"].native for a in sd["digest_algorithms"])
        return SignedData(eci["content_type"].dotted, bytes(content.native), certs, _signer(infos[0]), crls, digests)
    except ParseError:
        raise
    except ASN1_ERRORS as exc:
        raise ParseError(f"malformed CMS: {exc}", what=what) from None
