# SPDX-License-Identifier: Apache-2.0
"""ICAO PKD downloads as published: LDIF files (RFC 2849) of CSCA master lists, DS and CSCA
certificates and CRLs (ICAO PKD LDIF format; ICAO 9303-12 §4.2, §8).

Parsed with the ``ldif`` package (a maintained RFC 2849 reader). Entries carry their objects in
``pkdMasterListContent`` (CMS SignedData), ``userCertificate;binary`` / ``cACertificate;binary``
(X.509) and ``certificateRevocationList;binary``; every other attribute is ignored.

Certificates are sorted into what the trust store may trust: a CA certificate that is
self-signed is a root; a CA certificate issued by another (a link certificate, 9303-12 §5.2) is
kept only when it can be walked back, signature by signature, to a self-signed root; document
signer certificates are not trust anchors and are left out.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import ldif
from asn1crypto import x509

from cardkit.errors import ParseError
from cardkit.icao.lds.signed_data import ASN1_ERRORS
from cardkit.icao.pa.signed import verify_certificate

_CERT_ATTRS = ("usercertificate;binary", "cacertificate;binary", "usercertificate", "cacertificate")
_CRL_ATTRS = ("certificaterevocationlist;binary", "certificaterevocationlist")
_ML_ATTRS = ("pkdmasterlistcontent",)
MAX_LINK_DEPTH = 8


def looks_like_ldif(data: bytes) -> bool:
    head = data.lstrip()[:64].lower()
    return head.startswith(b"version:") or head.startswith(b"dn:")


@dataclass
class PkdContent:
    certificates: list[bytes] = field(default_factory=list)
    crls: list[bytes] = field(default_factory=list)
    master_lists: list[bytes] = field(default_factory=list)


def _raw(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")  # ``ldif`` decodes UTF-8-valid values


def parse_pkd_ldif(data: bytes) -> PkdContent:
    """The binary objects of an ICAO PKD LDIF file; ParseError when it is not LDIF."""
    out = PkdContent()
    try:
        for _dn, entry in ldif.LDIFParser(io.BytesIO(data)).parse():
            for attr, values in entry.items():
                key = attr.lower()
                target = (out.certificates if key in _CERT_ATTRS else out.crls if key in _CRL_ATTRS
                          else out.master_lists if key in _ML_ATTRS else None)
                if target is not None:
                    target.extend(_raw(v) for v in values)
    except ValueError as exc:  # the parser's own errors (bad lines, bad base64)
        raise ParseError(f"not an LDIF file: {exc}", what="LDIF") from None
    return out


def is_ca(cert: x509.Certificate) -> bool:
    bc = cert.basic_constraints_value
    return bool(bc is not None and bc["ca"].native)


def is_self_signed(cert: x509.Certificate) -> bool:
    return cert.subject == cert.issuer and verify_certificate(cert, cert)


def walk_to_root(cert: x509.Certificate, pool: list[x509.Certificate]) -> list[x509.Certificate] | None:
    """The chain cert -> ... -> a self-signed root, each link's signature verified, or None."""
    chain = [cert]
    current = cert
    for _ in range(MAX_LINK_DEPTH):
        if is_self_signed(current):
            return chain
        issuer = next((c for c in pool if c.subject == current.issuer and c not in chain
                       and verify_certificate(current, c)), None)
        if issuer is None:
            return None
        chain.append(issuer)
        current = issuer
    return None


@dataclass
class SortedCertificates:
    roots: list[x509.Certificate] = field(default_factory=list)
    links: list[x509.Certificate] = field(default_factory=list)  # walked back to a root
    unanchored: list[x509.Certificate] = field(default_factory=list)  # CA, no path to a root
    document_signers: int = 0


def sort_certificates(ders: list[bytes], known_roots: list[x509.Certificate]) -> SortedCertificates:
    out = SortedCertificates()
    certs = []
    for der in ders:
        try:
            cert = x509.Certificate.load(der, strict=True)
            _ = cert.subject.native  # force parsing
        except ASN1_ERRORS as exc:
            raise ParseError(f"certificate in LDIF does not parse: {exc}", what="LDIF") from None
        certs.append(cert)
    cas = [c for c in certs if is_ca(c)]
    out.document_signers = len(certs) - len(cas)
    pool = cas + known_roots
    for cert in cas:
        if is_self_signed(cert):
            out.roots.append(cert)
        elif walk_to_root(cert, pool) is not None:
            out.links.append(cert)
        else:
            out.unanchored.append(cert)
    return out
