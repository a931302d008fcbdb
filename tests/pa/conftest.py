# SPDX-License-Identifier: Apache-2.0
"""A throw-away test PKI and a personalised card built with the LDS builders."""
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID
from PIL import Image

from cardkit.icao.lds.com import build_com
from cardkit.icao.lds.dg1 import build_dg1
from cardkit.icao.lds.dg2 import build_dg2
from cardkit.icao.lds.dg13 import build_dg13
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.sod import build_sod, hash_data_groups
from cardkit.icao.pa.trust import TrustStore
from cardkit.person import PersonData, Sex

NOW = datetime(2025, 6, 1, tzinfo=UTC)
CCCD_MRZ = ("IDVNM0900123450001090012345<<1", "9001011M3001019VNM<<<<<<<<<<<2", "NGUYEN<<VAN<A<<<<<<<<<<<<<<<<<")


def _name(cn: str, c: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, c), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(subject, key, issuer, issuer_key, *, ca, not_before=datetime(2024, 1, 1, tzinfo=UTC),
              days=3650, serial=None, aki_key=None):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
         .serial_number(serial or x509.random_serial_number()).not_valid_before(not_before)
         .not_valid_after(not_before + timedelta(days=days))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
         .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key((aki_key or issuer_key).public_key()),
                        critical=False))
    return b.sign(issuer_key, hashes.SHA256())


def der(cert) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@dataclass
class Pki:
    country: str = "VN"
    key_type: str = "ec"

    def __post_init__(self):
        self.csca_key = ec.generate_private_key(ec.SECP256R1())
        name = _name(f"Test CSCA {self.country}", self.country)
        self.csca = make_cert(name, self.csca_key, name, self.csca_key, ca=True)
        self.ds_key = (ec.generate_private_key(ec.SECP256R1()) if self.key_type == "ec"
                       else rsa.generate_private_key(65537, 2048))
        self.ds = self.issue_ds()

    def issue_ds(self, **kw):
        return make_cert(_name("Test DS", self.country), self.ds_key, self.csca.subject, self.csca_key, ca=False, **kw)

    def sign(self, data: bytes) -> bytes:
        if self.key_type == "ec":
            return self.ds_key.sign(data, ec.ECDSA(hashes.SHA256()))
        if self.key_type == "pss":
            return self.ds_key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
        return self.ds_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def trust(self) -> TrustStore:
        store = TrustStore()
        store.add_certificate(asn1_x509.Certificate.load(der(self.csca)), "test CSCA")
        return store

    def card(self, person=None, ds=None, mrz=CCCD_MRZ) -> tuple[bytes, dict[int, bytes]]:
        buf = io.BytesIO()
        Image.new("RGB", (24, 32), (180, 140, 120)).save(buf, "JPEG")
        person = person or PersonData(id_number="001090012345", full_name="Nguyễn Văn A",
                                      date_of_birth=date(1990, 1, 1), sex=Sex.MALE, expiry_date=date(2030, 1, 1))
        dgs = {1: build_dg1(mrz), 2: build_dg2(buf.getvalue()), 13: build_dg13(person)}
        sod = build_sod(hash_data_groups(dgs), der(ds or self.ds), self.sign, pss=self.key_type == "pss",
                        lds_version="0108", unicode_version="040000")
        return sod, dgs

    def com(self) -> bytes:
        return build_com([DataGroup.DG1, DataGroup.DG2, DataGroup.DG13])

    def crl(self, revoked_serials=(), signer_key=None) -> bytes:
        b = (x509.CertificateRevocationListBuilder().issuer_name(self.csca.subject)
             .last_update(datetime(2025, 1, 1, tzinfo=UTC)).next_update(datetime(2026, 1, 1, tzinfo=UTC)))
        for s in revoked_serials:
            b = b.add_revoked_certificate(x509.RevokedCertificateBuilder().serial_number(s)
                                          .revocation_date(datetime(2025, 2, 1, tzinfo=UTC)).build())
        return b.sign(signer_key or self.csca_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="session")
def pki() -> Pki:
    return Pki()
