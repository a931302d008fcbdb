# SPDX-License-Identifier: Apache-2.0
"""EF.SOD, the Document Security Object (ICAO 9303-10 §4.6.2): parse and build.

``77`` -> ContentInfo(SignedData) whose eContent (type 2.23.136.1.1.1) is the
LDSSecurityObject: hash algorithm, {data group number: hash}, LDS version info (v1).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

from asn1crypto import algos, cms, core, x509

from cardkit.errors import ParseError
from cardkit.icao.lds.signed_data import ASN1_ERRORS, SignedData, parse_signed_data
from cardkit.tlv import encode_tlv, parse_single

TAG_SOD = 0x77
OID_LDS_SECURITY_OBJECT = "2.23.136.1.1.1"  # id-icao-mrtd-security-ldsSecurityObject


class _DataGroupHash(core.Sequence):
    _fields = [("data_group_number", core.Integer), ("data_group_hash_value", core.OctetString)]


class _DataGroupHashes(core.SequenceOf):
    _child_spec = _DataGroupHash


class _LdsVersionInfo(core.Sequence):
    _fields = [("lds_version", core.PrintableString), ("unicode_version", core.PrintableString)]


class LDSSecurityObject(core.Sequence):
    """ICAO 9303-10 §4.6.2.2 / Appendix D."""

    _fields = [
        ("version", core.Integer),
        ("hash_algorithm", algos.DigestAlgorithm),
        ("data_group_hash_values", _DataGroupHashes),
        ("lds_version_info", _LdsVersionInfo, {"optional": True}),
    ]


@dataclass(frozen=True)
class Sod:
    signed_data: SignedData
    version: int  # 0 or 1
    hash_algorithm: str  # asn1crypto name: "sha1", "sha256", ...
    dg_hashes: Mapping[int, bytes]
    lds_version: str | None
    unicode_version: str | None

    @property
    def certificates(self) -> tuple[x509.Certificate, ...]:
        return self.signed_data.certificates

    @property
    def document_signer(self) -> x509.Certificate | None:
        """The certificate the SignerInfo names, among those carried in the SOD.

        :func:`parse_sod` has decoded every name compared here; should one still fail, that is a
        :class:`ParseError`, never a ValueError or UnicodeDecodeError."""
        try:
            for cert in self.signed_data.certificates:
                if self.signed_data.signer.matches(cert):
                    return cert
        except ASN1_ERRORS as exc:
            raise ParseError(f"malformed signer name: {exc}", what="EF.SOD SignerInfo") from None
        return None


def parse_lds_security_object(der: bytes) -> tuple[int, str, dict[int, bytes], str | None, str | None]:
    try:
        lso = LDSSecurityObject.load(der, strict=True)
        version = lso["version"].native
        algo = lso["hash_algorithm"]["algorithm"].native
        hashes: dict[int, bytes] = {}
        for item in lso["data_group_hash_values"]:
            n = item["data_group_number"].native
            if n in hashes:
                raise ParseError(f"data group {n} listed twice", what="LDSSecurityObject")
            hashes[n] = item["data_group_hash_value"].native
        info = lso["lds_version_info"]
        lds = uni = None
        if info.native is not None:
            lds, uni = info["lds_version"].native, info["unicode_version"].native
        return version, algo, hashes, lds, uni
    except ParseError:
        raise
    except ASN1_ERRORS as exc:
        raise ParseError(f"malformed LDSSecurityObject: {exc}", what="EF.SOD") from None


def parse_sod(data: bytes) -> Sod:
    root = parse_single(data, expected_tag=TAG_SOD)
    sd = parse_signed_data(root.value, what="EF.SOD")
    if sd.content_type != OID_LDS_SECURITY_OBJECT:
        raise ParseError(f"eContentType {sd.content_type} is not an LDSSecurityObject", what="EF.SOD")
    version, algo, hashes, lds, uni = parse_lds_security_object(sd.content)
    return Sod(sd, version, algo, MappingProxyType(hashes), lds, uni)


# --- builder ------------------------------------------------------------------------------

def hash_data_groups(dgs: Mapping[int, bytes], hash_algorithm: str = "sha256") -> dict[int, bytes]:
    return {n: hashlib.new(hash_algorithm, data).digest() for n, data in dgs.items()}


def build_lds_security_object(dg_hashes: Mapping[int, bytes], hash_algorithm: str = "sha256",
                              lds_version: str | None = None, unicode_version: str | None = None) -> bytes:
    """v0 without version info; v1 when ``lds_version``/``unicode_version`` ("0108", "040000") are given."""
    fields = {
        "version": 1 if lds_version else 0,
        "hash_algorithm": {"algorithm": hash_algorithm},
        "data_group_hash_values": [
            {"data_group_number": n, "data_group_hash_value": h} for n, h in sorted(dg_hashes.items())
        ],
    }
    if lds_version:
        fields["lds_version_info"] = {"lds_version": lds_version, "unicode_version": unicode_version or "040000"}
    der: bytes = LDSSecurityObject(fields).dump()  # asn1crypto ships no types
    return der


def _signature_algorithm(cert: x509.Certificate, hash_algorithm: str, pss: bool) -> dict[str, object]:
    if cert.public_key.algorithm == "ec":
        return {"algorithm": f"{hash_algorithm}_ecdsa"}
    if pss:
        params = {"hash_algorithm": {"algorithm": hash_algorithm},
                  "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": hash_algorithm}},
                  "salt_length": hashlib.new(hash_algorithm).digest_size, "trailer_field": 1}
        return {"algorithm": "rsassa_pss", "parameters": params}
    return {"algorithm": f"{hash_algorithm}_rsa"}


def build_sod(dg_hashes: Mapping[int, bytes], ds_certificate: bytes | x509.Certificate,
              sign: Callable[[bytes], bytes], *, hash_algorithm: str = "sha256", pss: bool = False,
              lds_version: str | None = None, unicode_version: str | None = None,
              signing_time: datetime | None = None) -> bytes:
    """Build EF.SOD. ``sign(data)`` signs the DER of the signed attributes with the DS key.

    For ECDSA it returns the DER ``Ecdsa-Sig-Value``; for RSA the PKCS#1 v1.5 or (``pss=True``)
    PSS signature, with the same hash as ``hash_algorithm`` and salt = hash length.
    """
    cert = ds_certificate if isinstance(ds_certificate, x509.Certificate) else x509.Certificate.load(ds_certificate)
    econtent = build_lds_security_object(dg_hashes, hash_algorithm, lds_version, unicode_version)
    attrs = [
        {"type": "content_type", "values": [OID_LDS_SECURITY_OBJECT]},
        {"type": "message_digest", "values": [hashlib.new(hash_algorithm, econtent).digest()]},
    ]
    if signing_time is not None:
        attrs.insert(1, {"type": "signing_time", "values": [cms.Time({"utc_time": signing_time.astimezone(UTC)})]})
    signed_attrs = cms.CMSAttributes(attrs)
    to_sign = signed_attrs.dump()  # tag 31: what is signed (RFC 5652 §5.4)
    signer = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
            "issuer": cert.issuer, "serial_number": cert.serial_number}}),
        "digest_algorithm": {"algorithm": hash_algorithm},
        "signed_attrs": signed_attrs,
        "signature_algorithm": _signature_algorithm(cert, hash_algorithm, pss),
        "signature": sign(to_sign),
    })
    sd = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": hash_algorithm}],
        "encap_content_info": {"content_type": OID_LDS_SECURITY_OBJECT,
                               "content": core.ParsableOctetString(econtent)},
        "certificates": [cert],
        "signer_infos": [signer],
    })
    ci = cms.ContentInfo({"content_type": "signed_data", "content": sd})
    return encode_tlv(TAG_SOD, ci.dump())
