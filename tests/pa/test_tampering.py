# SPDX-License-Identifier: Apache-2.0
"""A personalised test card verifies; every kind of tampering ends INVALID or UNKNOWN_ISSUER."""

from datetime import datetime, timezone

import pytest
from asn1crypto import x509 as asn1_x509

from cardkit.icao.pa.passive import passive_authentication
from cardkit.icao.pa.trust import TrustStore
from cardkit.icao.verdict import Status

from .conftest import CCCD_MRZ, NOW, Pki, der

NOT_VALID = (Status.INVALID, Status.UNKNOWN_ISSUER)


@pytest.mark.parametrize("key_type", ["ec", "rsa", "pss"])
def test_untampered_card_is_valid_with_trusted_csca(key_type):
    pki = Pki(key_type=key_type)
    sod, dgs = pki.card()
    result = passive_authentication(sod, dgs, pki.trust(), now=NOW)
    assert result.overall is Status.VALID, result.verdicts
    assert result.verdict("issuing_state").status is Status.VALID  # taken from DG1: VNM
    assert result.ds.country == "VN" and result.csca_source == "test CSCA"


@pytest.mark.parametrize("number", [1, 2, 13])
@pytest.mark.parametrize("position", [0, 5, -1])
def test_one_byte_flipped_in_any_dg_is_invalid(pki, number, position):
    sod, dgs = pki.card()
    data = bytearray(dgs[number])
    data[position] ^= 0x01
    result = passive_authentication(sod, {**dgs, number: bytes(data)}, pki.trust(), now=NOW)
    assert result.overall is Status.INVALID
    assert result.verdict(f"dg_hash:DG{number}").status is Status.INVALID


def test_dg_from_another_card_is_invalid(pki):
    sod, dgs = pki.card()
    other_mrz = (CCCD_MRZ[0], CCCD_MRZ[1], "TRAN<<THI<B".ljust(30, "<"))
    _, other = pki.card(mrz=other_mrz)
    result = passive_authentication(sod, {**dgs, 1: other[1]}, pki.trust(), now=NOW)
    assert result.overall is Status.INVALID


def test_sod_from_another_card_is_invalid(pki):
    _, dgs = pki.card()
    other_sod, _ = pki.card(mrz=(CCCD_MRZ[0], CCCD_MRZ[1], "LE<<VAN<C".ljust(30, "<")))
    assert passive_authentication(other_sod, dgs, pki.trust(), now=NOW).overall is Status.INVALID


@pytest.mark.parametrize("position", [40, 120, 300, -40, -5])
def test_flipped_byte_in_sod_is_never_valid(pki, position):
    sod, dgs = pki.card()
    data = bytearray(sod)
    data[position] ^= 0x01
    assert passive_authentication(bytes(data), dgs, pki.trust(), now=NOW).overall in NOT_VALID


def test_ds_not_chaining_to_the_trust_store_is_unknown_issuer(pki):
    sod, dgs = pki.card()
    result = passive_authentication(sod, dgs, Pki().trust(), now=NOW)  # another PKI's CSCA
    assert result.overall is Status.UNKNOWN_ISSUER
    assert result.verdict("sod_signature").status is Status.VALID


def test_ds_signed_by_a_forger_under_the_trusted_csca_name_is_invalid(pki):
    forger = Pki()
    forger.csca = pki.csca  # same CSCA name and key identifier in the DS, wrong signing key
    forger.csca_key_real = forger.csca_key
    from .conftest import make_cert, _name
    forged_ds = make_cert(_name("Test DS", "VN"), forger.ds_key, pki.csca.subject, forger.csca_key, ca=False)
    forger.ds = forged_ds
    sod, dgs = forger.card()
    result = passive_authentication(sod, dgs, pki.trust(), now=NOW)
    assert result.overall in NOT_VALID


def test_expired_ds_is_invalid(pki):
    expired = pki.issue_ds(not_before=datetime(2020, 1, 1, tzinfo=timezone.utc), days=365)
    sod, dgs = pki.card(ds=expired)
    result = passive_authentication(sod, dgs, pki.trust(), now=NOW)
    assert result.overall is Status.INVALID and "expired" in result.verdict("ds_validity").reason


def test_revoked_ds_is_invalid(pki):
    store = pki.trust()
    from asn1crypto import crl
    store.crls.append((crl.CertificateList.load(pki.crl([pki.ds.serial_number])), "test.crl"))
    sod, dgs = pki.card()
    result = passive_authentication(sod, dgs, store, now=NOW)
    assert result.overall is Status.INVALID and "revoked" in result.verdict("ds_revocation").reason


def test_crl_not_listing_the_ds_is_a_valid_revocation_check(pki):
    store = pki.trust()
    from asn1crypto import crl
    store.crls.append((crl.CertificateList.load(pki.crl([12345])), "test.crl"))
    sod, dgs = pki.card()
    result = passive_authentication(sod, dgs, store, now=NOW)
    assert result.overall is Status.VALID and result.verdict("ds_revocation").status is Status.VALID


def test_forged_crl_is_ignored(pki):
    store = pki.trust()
    from asn1crypto import crl
    forged = pki.crl([pki.ds.serial_number], signer_key=Pki().csca_key)
    store.crls.append((crl.CertificateList.load(forged), "forged.crl"))
    sod, dgs = pki.card()
    result = passive_authentication(sod, dgs, store, now=NOW)
    assert result.verdict("ds_revocation").status is Status.NOT_CHECKED


def test_csca_of_another_country_than_the_issuing_state_is_invalid():
    french = Pki(country="FR")
    sod, dgs = french.card()  # MRZ says VNM
    result = passive_authentication(sod, dgs, french.trust(), now=NOW)
    assert result.overall is Status.INVALID
    assert result.verdict("issuing_state").status is Status.INVALID
    assert passive_authentication(sod, dgs, french.trust(), now=NOW, issuing_state="FRA").overall is Status.VALID


def test_csca_beside_the_files_is_reported_not_trusted(pki):
    sod, dgs = pki.card()
    store = TrustStore().with_candidates([(asn1_x509.Certificate.load(der(pki.csca)), "csca.cer")])
    result = passive_authentication(sod, dgs, store, now=NOW)
    assert result.overall is Status.UNKNOWN_ISSUER
    assert "NOT in the trust store" in result.verdict("ds_chain").reason


def test_garbage_sod_is_invalid_not_an_exception(pki):
    _, dgs = pki.card()
    result = passive_authentication(b"\x77\x03\x30\x01\x00", dgs, pki.trust(), now=NOW)
    assert result.overall is Status.INVALID and result.verdicts[0].check == "sod_structure"


def test_dg_not_listed_in_sod_is_not_authenticated(pki):
    sod, dgs = pki.card()
    result = passive_authentication(sod, {**dgs, 15: b"\x6f\x00"}, pki.trust(), now=NOW)
    assert result.verdict("dg_unlisted:DG15").status is Status.NOT_CHECKED


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_FUZZ_PKI = Pki()
_FUZZ_SOD, _FUZZ_DGS = _FUZZ_PKI.card()
_FUZZ_TRUST = _FUZZ_PKI.trust()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(_FUZZ_SOD) - 1), st.integers(1, 255))
def test_any_single_byte_change_in_sod_never_verifies_and_never_raises(position, xor):
    data = bytearray(_FUZZ_SOD)
    data[position] ^= xor
    result = passive_authentication(bytes(data), _FUZZ_DGS, _FUZZ_TRUST, now=NOW)
    assert result.overall is not Status.VALID or bytes(data) == _FUZZ_SOD
