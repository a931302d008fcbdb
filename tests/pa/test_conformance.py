# SPDX-License-Identifier: Apache-2.0
"""Every published sample in ../shared/conformance verifies as its README states."""

from datetime import date, timedelta

import pytest
from asn1crypto import x509

from cardkit.icao.lds.signed_data import parse_signed_data
from cardkit.icao.lds.sod import parse_sod
from cardkit.icao.pa.passive import passive_authentication
from cardkit.icao.pa.signed import content_verdict, signature_verdict, verify_certificate
from cardkit.icao.pa.trust import TrustStore
from cardkit.icao.policy import VerificationPolicy
from cardkit.icao.verdict import Status

GMRTD_SODS = ["AT", "DE", "FI", "FR", "ID", "MY", "NZ", "PH", "RU", "SG", "UK", "US"]
FOLDERS = {  # folder: data groups whose hashes the README says match
    "jmrtd_bsi2008": {1, 2, 3, 14},
    "jmrtd_loes2006": {1, 2, 15},
    "pymrtd_bsi_tr03105_5": {1, 14},
}
MISSING = {"jmrtd_bsi2008": [], "jmrtd_loes2006": [], "pymrtd_bsi_tr03105_5": [2, 3, 4]}  # listed, not published


def _in_validity(cert: x509.Certificate):
    return cert["tbs_certificate"]["validity"]["not_before"].native + timedelta(days=1)


def _load_cert(path) -> x509.Certificate:
    return x509.Certificate.load(path.read_bytes())


@pytest.mark.parametrize("cc", GMRTD_SODS)
def test_real_sod_signature_and_chain_verify_with_the_given_csca(conformance, cc):
    folder = conformance / "gmrtd_passive_auth"
    store = TrustStore()
    store.add_bytes((folder / f"{cc}_CSCA_for_EF_SOD.cer").read_bytes(), f"{cc}_CSCA_for_EF_SOD.cer")
    sod_bytes = (folder / f"{cc}_EF_SOD.bin").read_bytes()
    ds = parse_sod(sod_bytes).document_signer
    assert ds.dump() == (folder / f"{cc}_DSC_from_EF_SOD.cer").read_bytes()
    result = passive_authentication(sod_bytes, {}, store, now=_in_validity(ds), issuing_state=cc if cc != "UK" else "GBR")
    for check in ("sod_content", "sod_signature", "ds_validity", "ds_chain", "issuing_state"):
        assert result.verdict(check).status is Status.VALID, result.verdict(check)
    # No data groups given: every group EF.SOD lists is missing, which fails closed.
    missing = result.verdict("dg_hash:DG1")
    assert (missing.status, missing.reason) == (
        Status.INVALID, "DG1 is listed in EF.SOD but the chip did not return it: not provided")
    assert result.overall is Status.INVALID
    legacy = [f.reason for f in result.findings]
    ru = ["SHA-1 accepted: signed 2020-01-22, before the 2021-01-01 cut-off",  # the SOD
          "SHA-1 accepted: signed 2019-11-13, before the 2021-01-01 cut-off"]  # its DS certificate
    assert legacy == (ru if cc == "RU" else [])


def test_real_sha1_sod_signed_after_the_cutoff_is_not_allowed(conformance):
    folder = conformance / "gmrtd_passive_auth"
    store = TrustStore()
    store.add_bytes((folder / "RU_CSCA_for_EF_SOD.cer").read_bytes(), "RU_CSCA_for_EF_SOD.cer")
    sod_bytes = (folder / "RU_EF_SOD.bin").read_bytes()
    ds = parse_sod(sod_bytes).document_signer
    strict = VerificationPolicy(sha1_cutoff=date(2020, 1, 1))
    result = passive_authentication(sod_bytes, {}, store, now=_in_validity(ds), issuing_state="RU", policy=strict)
    content, sig = result.verdict("sod_content"), result.verdict("sod_signature")
    reason = "algorithm not allowed: SHA-1 (signed 2020-01-22, not before the 2020-01-01 cut-off)"
    assert (content.status, content.reason) == (Status.INVALID, reason)
    assert (sig.status, sig.reason) == (Status.INVALID, reason)
    assert result.overall is Status.INVALID


@pytest.mark.parametrize("folder,name,csca", [
    ("gmrtd_passive_auth", "DE_EF_CardSecurity.bin", "DE_CSCA_for_EF_CardSecurity.cer"),
    ("gmrtd_passive_auth", "FI_EF_CardSecurity.bin", "FI_CSCA_for_EF_CardSecurity.cer"),
    ("gmrtd_de_passport", "EF_CardSecurity_read_in_PACE_CAM_session.bin", None),
    ("bsi_eac_worked_example", "ef_cardsecurity_dan.bin", "csca_germany_013_self_signed.cer"),
    ("bsi_eac_worked_example", "dh_EF_CardSecurity.bin", None),
    ("jmrtd_misc", "EF_CardSecurity.dump.bin", None),
])
def test_card_security_signatures_verify(conformance, folder, name, csca):
    sd = parse_signed_data((conformance / folder / name).read_bytes(), what=name)
    ds = next(c for c in sd.certificates if sd.signer.matches(c))
    assert content_verdict(sd).status is Status.VALID
    assert signature_verdict(sd, ds).status is Status.VALID
    if csca:
        csca_cert = _load_cert(conformance / folder / csca)
        assert verify_certificate(ds, csca_cert)


def test_nz2013_sod_signature_verifies_with_embedded_certificate(conformance):
    sod_bytes = (conformance / "jmrtd_misc/NZ2013_EF_SOD.bin").read_bytes()
    ds = parse_sod(sod_bytes).document_signer
    result = passive_authentication(sod_bytes, {}, TrustStore(), now=_in_validity(ds))
    assert result.verdict("sod_signature").status is Status.VALID
    assert result.verdict("ds_chain").status is Status.UNKNOWN_ISSUER


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_sample_card_folder_signature_and_hashes_verify_but_issuer_is_unknown(conformance, folder):
    path = conformance / folder
    dgs = {int(p.stem[2:]): p.read_bytes() for p in path.glob("DG*.bin") if p.stem[2:].isdigit()}
    sod_bytes = (path / "EF_SOD.bin").read_bytes()
    ds = parse_sod(sod_bytes).document_signer
    result = passive_authentication(sod_bytes, dgs, TrustStore(), now=_in_validity(ds))
    assert result.verdict("sod_signature").status is Status.VALID
    for n in FOLDERS[folder]:
        assert result.verdict(f"dg_hash:DG{n}").status is Status.VALID
    assert result.verdict("ds_chain").status is Status.UNKNOWN_ISSUER  # CSCA not published
    hidden = sorted(result.listed - set(dgs))
    assert hidden == MISSING[folder]
    for n in hidden:  # listed by EF.SOD, not in the sample: a card hiding a file fails closed
        v = result.verdict(f"dg_hash:DG{n}")
        assert (v.status, v.reason) == (Status.INVALID, f"DG{n} is listed in EF.SOD but the chip did not return it: not provided")
    assert result.overall is (Status.INVALID if hidden else Status.UNKNOWN_ISSUER)


def test_pymrtd_embedded_dsc_equals_published_certificate(conformance):
    path = conformance / "pymrtd_bsi_tr03105_5"
    ds = parse_sod((path / "EF_SOD.bin").read_bytes()).document_signer
    assert ds.dump() == (path / "dsc_de_0142fd5cf927.cer").read_bytes()


def test_vietnamese_csca_with_explicit_brainpool512_parameters_verifies_its_own_signature(conformance):
    cert = _load_cert(conformance / "master_lists/VN_CSCA_ePassport_Vietnam_2022.der")
    assert cert.public_key["algorithm"]["parameters"].name == "specified"
    assert cert["signature_algorithm"]["algorithm"].native == "sha512_ecdsa"
    assert verify_certificate(cert, cert)


def test_german_master_list_loads_with_its_signature_checked(conformance):
    store = TrustStore()
    result = store.add_bytes((conformance / "master_lists/DE_ML_2026-05-28-08-28-45.ml").read_bytes(),
                             "DE_ML_2026-05-28-08-28-45.ml")
    assert result.kind == "master list" and result.added == 588
    vn = [a for a in store.anchors if a.country == "VN"]
    assert [a.to_dict()["key"] for a in vn] == ["EC BRAINPOOLP512r1 (explicit parameters)"]


def test_tampered_master_list_is_rejected(conformance, tmp_path):
    data = bytearray((conformance / "master_lists/DE_ML_2026-05-28-08-28-45.ml").read_bytes())
    data[len(data) // 2] ^= 0x01  # inside the certificate list: the message digest breaks
    bad = tmp_path / "bad.ml"
    bad.write_bytes(bytes(data))
    store = TrustStore()
    result = store.add_bytes(bad.read_bytes(), bad.name)
    assert result.kind == "rejected" and not store.anchors


def test_de_root_csca07_is_self_signed_and_valid(conformance):
    cert = _load_cert(conformance / "master_lists/DE_ROOT_CA_CSCA07.cer")
    assert verify_certificate(cert, cert)


def test_indonesian_link_certificates_verify_against_the_previous_csca(conformance):
    ml = conformance / "master_lists"
    old = _load_cert(ml / "IDN_2010_SERIES_CSCA_CERT_2010-12_CSCA.cer")
    link = _load_cert(ml / "IDN_2010_SERIES_CSCA_CERT_2016-01_CSCA_LINK.cer")
    assert verify_certificate(link, old)
