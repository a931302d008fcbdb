# SPDX-License-Identifier: Apache-2.0
"""The trust store: CSCA certificates, CSCA master lists and CRLs (ICAO 9303-12 §4, §7, §8).

A store is built in memory from the bytes of DER/PEM certificates, master lists (CMS SignedData
of type 2.23.136.1.1.2) and CRLs, each with the name it came under. A master list is trusted only
after its own signature verifies against its signer certificate and that signer against a CSCA in
the list or already in the store (9303-12 §8.2). Nothing here touches a file or the environment:
reading and saving a trust folder is :mod:`cardkit.trustdir`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from asn1crypto import core, crl, pem, x509

from cardkit.errors import CardkitError, ParseError, VerificationError
from cardkit.icao.lds.signed_data import ASN1_ERRORS, parse_signed_data
from cardkit.icao.pa.keys import load_public_key
from cardkit.icao.pa.signed import common_name, content_verdict, country, signature_verdict, verify_certificate
from cardkit.icao.verdict import Status

log = logging.getLogger(__name__)
OID_MASTER_LIST = "2.23.136.1.1.2"  # id-icao-cscaMasterList
# Names under which a master list, a CRL or a PKD LDIF file comes: added after the loose
# certificates, since a master list signer may chain to a CSCA given as a certificate of its own.
_AFTER_CERTIFICATES = (".ml", ".crl", ".ldif")


class _CertSet(core.SetOf):
    _child_spec = x509.Certificate


class CscaMasterList(core.Sequence):
    """ICAO 9303-12 §8.2.1: version and the set of CSCA certificates."""

    _fields = [("version", core.Integer), ("cert_list", _CertSet)]


@dataclass(frozen=True)
class TrustAnchor:
    cert: x509.Certificate
    source: str  # file name, or "master list NAME"
    trusted: bool = True  # False: a candidate found beside a document, not in the store

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.cert.dump()).hexdigest()

    @property
    def subject(self) -> str:
        subject: str = self.cert.subject.human_friendly  # asn1crypto ships no types
        return subject

    @property
    def country(self) -> str | None:
        return country(self.cert.subject)

    @property
    def is_link(self) -> bool:
        return bool(self.cert.subject != self.cert.issuer)

    def to_dict(self) -> dict[str, str | None]:
        v = self.cert["tbs_certificate"]["validity"]
        return {"subject": self.subject, "country": self.country,
                "not_before": v["not_before"].native.isoformat(), "not_after": v["not_after"].native.isoformat(),
                "key": _key_text(self.cert), "source": self.source, "fingerprint": self.fingerprint}


def _key_text(cert: x509.Certificate) -> str:
    try:
        return load_public_key(cert.public_key).describe()
    except VerificationError as exc:
        return f"unsupported ({exc})"


class ImportKind(StrEnum):
    """What one input turned out to be (the values are the words ``cardkit trust import`` prints)."""

    CERTIFICATE = "certificate"
    MASTER_LIST = "master list"
    CRL = "crl"
    LDIF = "ldif"  # an ICAO PKD LDIF download (RFC 2849)
    REJECTED = "rejected"


@dataclass(frozen=True)
class ImportResult:
    file: str
    kind: ImportKind
    added: int
    reason: str


@dataclass
class TrustStore:
    """CSCA anchors and CRLs held in memory; built with :meth:`from_bytes`, :meth:`add_bytes` or
    :meth:`add_certificate`."""

    anchors: list[TrustAnchor] = field(default_factory=list)
    crls: list[tuple[crl.CertificateList, str]] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set, repr=False)
    _by_subject: dict[str, list[TrustAnchor]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for a in self.anchors:
            self._seen.add(a.fingerprint)
            self._by_subject.setdefault(a.cert.subject.hashable, []).append(a)

    @classmethod
    def from_bytes(cls, items: Iterable[tuple[str, bytes]], *, trusted: bool = True) -> TrustStore:
        """A store of ``(name, data)`` inputs, certificates first (a master list signer may chain
        to a loose CSCA); an input that is rejected is logged and left out."""
        store = cls()
        ordered = sorted(items, key=lambda item: item[0].lower().endswith(_AFTER_CERTIFICATES))
        for name, data in ordered:
            r = store.add_bytes(data, name, trusted=trusted)
            if r.kind is ImportKind.REJECTED:
                log.warning("trust store: %s rejected: %s", r.file, r.reason)
        return store

    def add_certificate(self, cert: x509.Certificate, source: str, *, trusted: bool = True) -> bool:
        fp = hashlib.sha256(cert.dump()).hexdigest()
        if fp in self._seen:
            return False
        self._seen.add(fp)
        anchor = TrustAnchor(cert, source, trusted)
        self.anchors.append(anchor)
        self._by_subject.setdefault(cert.subject.hashable, []).append(anchor)
        return True

    def add_bytes(self, data: bytes, name: str, *, trusted: bool = True) -> ImportResult:
        """Add a certificate, master list or CRL (DER or PEM) that came under ``name``; what does
        not parse or verify is a ``rejected`` result and changes nothing (a PEM bundle with one
        bad item adds none of its items)."""
        n_anchors, n_crls = len(self.anchors), len(self.crls)
        try:
            kind, added, reason = self._import_bytes(data, name, trusted)
        except (CardkitError, *ASN1_ERRORS) as exc:
            self._drop_after(n_anchors, n_crls)
            return ImportResult(name, ImportKind.REJECTED, 0, str(exc))
        return ImportResult(name, kind, added, reason)

    def _drop_after(self, n_anchors: int, n_crls: int) -> None:
        for anchor in self.anchors[n_anchors:]:
            self._seen.discard(anchor.fingerprint)
            self._by_subject[anchor.cert.subject.hashable].remove(anchor)
        del self.anchors[n_anchors:], self.crls[n_crls:]

    def _import_bytes(self, data: bytes, name: str, trusted: bool) -> tuple[ImportKind, int, str]:
        from cardkit.icao.pa.pkd_ldif import looks_like_ldif

        if name.lower().endswith(".ldif") or looks_like_ldif(data):
            return self._import_ldif(data, name, trusted)
        if pem.detect(data):
            kinds = [(t, der) for t, _, der in pem.unarmor(data, multiple=True)]
        else:
            kinds = [(None, data)]
        added, kind = 0, ImportKind.CERTIFICATE
        for pem_type, der in kinds:
            if pem_type == "X509 CRL" or (pem_type is None and name.lower().endswith(".crl")):
                self.crls.append((crl.CertificateList.load(der, strict=True), name))
                kind, added = ImportKind.CRL, added + 1
            elif pem_type in (None, "CMS", "PKCS7") and _looks_like_cms(der):
                kind = ImportKind.MASTER_LIST
                added += self._import_master_list(der, name, trusted)
            else:
                cert = x509.Certificate.load(der, strict=True)
                _ = cert.subject.native  # force parsing
                added += self.add_certificate(cert, name, trusted=trusted)
        return kind, added, f"{added} added" if added else "already present"

    def _import_master_list(self, der: bytes, name: str, trusted: bool) -> int:
        sd = parse_signed_data(der, what="master list")
        if sd.content_type != OID_MASTER_LIST:
            raise ParseError(f"SignedData of type {sd.content_type} is not a CSCA master list", what=name)
        certs = list(CscaMasterList.load(sd.content, strict=True)["cert_list"])
        signer = next((c for c in sd.certificates if sd.signer.matches(c)), None)
        if signer is None:
            raise VerificationError("master list signer certificate not found in the list")
        for v in (content_verdict(sd, "ml_content"), signature_verdict(sd, signer, "ml_signature")):
            if v.status is not Status.VALID:
                raise VerificationError(f"master list signature: {v.reason}")
        issuers = [c for c in certs + [a.cert for a in self.anchors if a.trusted] if c.subject == signer.issuer]
        if not any(verify_certificate(signer, c) for c in issuers):
            raise VerificationError("master list signer does not chain to a CSCA in the list or the store")
        return sum(self.add_certificate(c, f"master list {name}", trusted=trusted) for c in certs)

    def _import_ldif(self, data: bytes, name: str, trusted: bool) -> tuple[ImportKind, int, str]:
        """An ICAO PKD LDIF file: master lists (each verified), CSCA roots and link certificates
        walked back to a root, CRLs; document signer certificates are not anchors."""
        from cardkit.icao.pa.pkd_ldif import parse_pkd_ldif, sort_certificates

        content = parse_pkd_ldif(data)
        added = sum(self._import_master_list(ml, f"{name} (master list)", trusted) for ml in content.master_lists)
        roots = [a.cert for a in self.anchors if a.trusted and a.cert.subject == a.cert.issuer]
        sorted_ = sort_certificates(content.certificates, roots)
        for cert in sorted_.roots + sorted_.links:
            added += self.add_certificate(cert, f"{name} (LDIF)", trusted=trusted)
        for der in content.crls:
            self.crls.append((crl.CertificateList.load(der, strict=True), name))
            added += 1
        notes = [f"{added} added"]
        if sorted_.document_signers:
            notes.append(f"{sorted_.document_signers} document signer certificates not anchors")
        if sorted_.unanchored:
            notes.append(f"{len(sorted_.unanchored)} CA certificates without a path to a self-signed root left out")
        return ImportKind.LDIF, added, "; ".join(notes)

    def csca_for(self, issuer_name: x509.Name, aki: bytes | None = None) -> list[TrustAnchor]:
        """CSCA candidates for a certificate with this issuer and authority key identifier.

        Name matches whose subject key identifier equals ``aki`` come first; when no subject
        name matches (RDN order differs), key identifier matches are returned.
        """
        by_name = list(self._by_subject.get(issuer_name.hashable, []))
        if aki is not None:
            exact = [a for a in by_name if a.cert.key_identifier == aki]
            if exact:
                return exact
            if not by_name:
                return [a for a in self.anchors if a.cert.key_identifier == aki]
        return by_name

    def crls_for(self, issuer_name: x509.Name) -> list[tuple[crl.CertificateList, str]]:
        return [(c, src) for c, src in self.crls if c.issuer == issuer_name]

    def with_candidates(self, certs: list[tuple[x509.Certificate, str]]) -> TrustStore:
        """A copy with extra, untrusted CSCA candidates (e.g. certificates beside a document)."""
        copy = TrustStore(list(self.anchors), list(self.crls))
        for cert, source in certs:
            copy.add_certificate(cert, source, trusted=False)
        return copy

    def summary(self, now: datetime | None = None) -> str:
        return f"{len(self.anchors)} CSCA certificates, {len(self.crls)} CRLs"


def _looks_like_cms(der: bytes) -> bool:
    # ContentInfo: SEQUENCE { OID 1.2.840.113549.1.7.2 ... }
    return bytes.fromhex("06092A864886F70D010702") in der[:24]


__all__ = ["TrustStore", "TrustAnchor", "ImportKind", "ImportResult", "common_name"]
