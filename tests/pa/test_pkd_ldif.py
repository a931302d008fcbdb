# SPDX-License-Identifier: Apache-2.0
"""`cardkit trust import` of ICAO PKD LDIF files (a sample made here, in the PKD's layout):
CSCA roots and link certificates walked back to a self-signed root become anchors; document
signers, CA certificates without a path to a root and forged links do not; CRLs and master lists
come along."""

import base64
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from cardkit.errors import ParseError
from cardkit.icao.pa.pkd_ldif import parse_pkd_ldif
from cardkit.icao.pa.trust import TrustStore
from cardkit.trustdir import import_trust_files, load_trust_store

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, key, issuer, issuer_key, ca=True):
    b = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
         .serial_number(x509.random_serial_number()).not_valid_before(T0).not_valid_after(T0 + timedelta(days=3650))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True))
    return b.sign(issuer_key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _crl(issuer, key):
    b = (x509.CertificateRevocationListBuilder().issuer_name(issuer).last_update(T0)
         .next_update(T0 + timedelta(days=90)))
    return b.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def _entry(dn, attr, value):
    line = f"{attr}:: {base64.b64encode(value).decode()}"
    folded = "\n ".join(textwrap.wrap(line, 76, break_on_hyphens=False, break_long_words=True))  # RFC 2849 folding
    return f"dn: {dn}\nobjectClass: top\nobjectClass: pkdDownload\n{folded}\n"


@pytest.fixture(scope="module")
def pkd():
    k_root, k_new, k_rogue, k_ds, k_other = (ec.generate_private_key(ec.SECP256R1()) for _ in range(5))
    root = _cert(_name("CSCA VN 1"), k_root, _name("CSCA VN 1"), k_root)
    link = _cert(_name("CSCA VN 2"), k_new, _name("CSCA VN 1"), k_root)  # new key, signed by the old one
    link2 = _cert(_name("CSCA VN 3"), k_other, _name("CSCA VN 2"), k_new)  # two links from the root
    orphan = _cert(_name("CSCA XX 2"), k_rogue, _name("CSCA XX 1"), k_rogue)  # issuer not present
    forged = _cert(_name("CSCA VN 4"), k_rogue, _name("CSCA VN 1"), k_rogue)  # claims the root, signed by another key
    ds = _cert(_name("DS VN"), k_ds, _name("CSCA VN 1"), k_root, ca=False)
    crl = _crl(_name("CSCA VN 1"), k_root)
    entries = [
        _entry("cn=CSCA VN 1,o=csca,c=VN,dc=data,dc=download,dc=pkd,dc=icao,dc=int", "cACertificate;binary", root),
        _entry("cn=CSCA VN 3,o=csca,c=VN,dc=data", "cACertificate;binary", link2),
        _entry("cn=CSCA VN 2,o=csca,c=VN,dc=data", "cACertificate;binary", link),
        _entry("cn=CSCA XX 2,o=csca,c=XX,dc=data", "cACertificate;binary", orphan),
        _entry("cn=CSCA VN 4,o=csca,c=VN,dc=data", "cACertificate;binary", forged),
        _entry("cn=DS VN,o=dsc,c=VN,dc=data", "userCertificate;binary", ds),
        _entry("cn=CRL VN,o=crl,c=VN,dc=data", "certificateRevocationList;binary", crl),
    ]
    text = "version: 1\n\n" + "\n".join(entries)
    return {"ldif": text.encode(), "root": root, "link": link, "link2": link2, "crl": crl}


def test_the_sample_parses_into_its_objects(pkd):
    content = parse_pkd_ldif(pkd["ldif"])
    assert len(content.certificates) == 6 and content.crls == [pkd["crl"]] and content.master_lists == []
    assert pkd["root"] in content.certificates and pkd["link2"] in content.certificates


def test_import_keeps_roots_and_walked_links_only(pkd, tmp_path):
    f = tmp_path / "icaopkd-001-csca-000001.ldif"
    f.write_bytes(pkd["ldif"])
    store, (r,) = import_trust_files(tmp_path / "trust", [f])
    assert (r.kind, r.added) == ("ldif", 4)
    assert r.reason == ("4 added; 1 document signer certificates not anchors; "
                        "2 CA certificates without a path to a self-signed root left out")
    subjects = sorted(a.subject for a in store.anchors)
    assert subjects == ["Common Name: CSCA VN 1, Country: VN", "Common Name: CSCA VN 2, Country: VN",
                        "Common Name: CSCA VN 3, Country: VN"]
    assert len(store.crls) == 1
    reloaded = load_trust_store(tmp_path / "trust")  # the file was kept in the store and loads again
    assert sorted(a.subject for a in reloaded.anchors) == subjects and len(reloaded.crls) == 1


def test_a_link_certificate_alone_needs_its_root_in_the_store(pkd, tmp_path):
    only_link = ("version: 1\n\n" + _entry("cn=CSCA VN 2,o=csca,c=VN", "cACertificate;binary", pkd["link"])).encode()
    f = tmp_path / "link.ldif"
    f.write_bytes(only_link)
    r = TrustStore().add_bytes(f.read_bytes(), f.name)
    assert (r.kind, r.added) == ("ldif", 0)
    store = TrustStore()
    store.add_bytes(pkd["root"], "root.der")
    r = store.add_bytes(f.read_bytes(), f.name)
    assert (r.kind, r.added) == ("ldif", 1)


def test_a_broken_ldif_is_rejected_with_a_reason(tmp_path):
    f = tmp_path / "bad.ldif"
    f.write_bytes(b"version: 1\n\ndn: cn=x\ncACertificate;binary:: !!!notbase64\n")
    r = TrustStore().add_bytes(f.read_bytes(), f.name)
    assert r.kind == "rejected" and r.added == 0 and r.reason


def test_parse_error_is_typed():
    with pytest.raises(ParseError):
        parse_pkd_ldif(b"dn: cn=x\nthis is not ldif\n")


def test_cli_trust_import_of_an_ldif(pkd, tmp_path):
    f = tmp_path / "icaopkd-002-ms-000001.ldif"
    f.write_bytes(pkd["ldif"])
    res = subprocess.run([sys.executable, "-m", "cardkit", "trust", "import", str(f), "--trust", str(tmp_path / "t")],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "ldif         " in res.stdout and "4 added" in res.stdout
    assert res.stdout.strip().endswith("3 CSCA certificates, 1 CRLs")
