# SPDX-License-Identifier: Apache-2.0
"""A personalised test card verifies; every kind of tampering and forgery gets one exact verdict."""

import hashlib
from datetime import UTC, date, datetime

import pytest
from asn1crypto import cms, core
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509

from cardkit.icao.lds.dg13 import build_dg13
from cardkit.icao.lds.sod import build_lds_security_object, hash_data_groups
from cardkit.icao.pa.passive import passive_authentication
from cardkit.icao.pa.trust import TrustStore
from cardkit.icao.policy import VerificationPolicy
from cardkit.icao.verdict import Status
from cardkit.person import PersonData
from cardkit.tlv import encode_tlv, parse_single

from .conftest import CCCD_MRZ, NOW, Pki, _name, der, make_cert

ALTERED = "sha256 hash differs from EF.SOD: DG{n} was altered or comes from another document"


def v(result, check):
    found = result.verdict(check)
    assert found is not None, (check, result.verdicts)
    return found.status, found.reason


def mutate(sod: bytes, change) -> bytes:
    """Re-encode EF.SOD after ``change(signed_data)`` edits its asn1crypto structure."""
    ci = cms.ContentInfo.load(parse_single(sod, expected_tag=0x77).value)
    change(ci["content"])
    return encode_tlv(0x77, ci.dump(force=True))


def forge_holder(sd, dgs) -> bytes:
    """The forger's DG13 and a LDSSecurityObject listing its hash; the signed attributes kept."""
    dgs[13] = build_dg13(PersonData(id_number="001090012345", full_name="Trần Văn Giả", date_of_birth=date(1970, 7, 7)))
    econtent = build_lds_security_object(hash_data_groups(dgs), "sha256", "0108", "040000")
    sd["encap_content_info"] = {"content_type": "2.23.136.1.1.1", "content": core.ParsableOctetString(econtent)}
    return econtent


@pytest.mark.parametrize("key_type", ["ec", "rsa", "pss"])
def test_untampered_card_is_valid_with_trusted_csca(key_type):
    pki = Pki(key_type=key_type)
    sod, dgs = pki.card()
    result = passive_authentication(sod, dgs, pki.trust(), now=NOW)
    assert result.overall is Status.VALID, result.verdicts
    assert v(result, "issuing_state") == (Status.VALID, "CSCA country VN is the issuing state")  # from DG1: VNM
    assert result.ds.country == "VN" and result.csca_source == "test CSCA"
    assert result.required == ("sod_content", "sod_signature", "ds_validity", "ds_chain", "issuing_state",
                               "dg_hash:DG1", "dg_hash:DG2", "dg_hash:DG13")


@pytest.mark.parametrize("number", [1, 2, 13])
@pytest.mark.parametrize("position", [0, 5, -1])
def test_one_byte_flipped_in_any_dg_is_invalid(pki, number, position):
    sod, dgs = pki.card()
    data = bytearray(dgs[number])
    data[position] ^= 0x01
    result = passive_authentication(sod, {**dgs, number: bytes(data)}, pki.trust(), now=NOW)
    assert result.overall is Status.INVALID
    assert v(result, f"dg_hash:DG{number}") == (Status.INVALID, ALTERED.format(n=number))


def test_dg_from_another_card_is_invalid(pki):
    sod, dgs = pki.card()
    _, other = pki.card(mrz=(CCCD_MRZ[0], CCCD_MRZ[1], "TRAN<<THI<B".ljust(30, "<")))
    result = passive_authentication(sod, {**dgs, 1: other[1]}, pki.trust(), now=NOW)
    assert result.overall is Status.INVALID and v(result, "dg_hash:DG1") == (Status.INVALID, ALTERED.format(n=1))


def test_sod_from_another_card_is_invalid(pki):
    _, dgs = pki.card()
    other_sod, _ = pki.card(mrz=(CCCD_MRZ[0], CCCD_MRZ[1], "LE<<VAN<C".ljust(30, "<")))
    result = passive_authentication(other_sod, dgs, pki.trust(), now=NOW)
    assert result.overall is Status.INVALID and v(result, "dg_hash:DG1") == (Status.INVALID, ALTERED.format(n=1))


@pytest.mark.parametrize("algorithm", ["md5", "1.2.3.4", "sha3_256"])
def test_digest_downgrade_with_the_genuine_signature_is_invalid(pki, algorithm):
    sod, dgs = pki.card()

    def downgrade(sd):
        forge_holder(sd, dgs)
        sd["digest_algorithms"] = [{"algorithm": algorithm}]
        sd["signer_infos"][0]["digest_algorithm"] = {"algorithm": algorithm}

    result = passive_authentication(mutate(sod, downgrade), dgs, pki.trust(), now=NOW)
    assert v(result, "sod_content") == (Status.INVALID, f"algorithm not allowed: digest {algorithm}")
    assert result.overall is Status.INVALID


def test_signer_digest_missing_from_signed_data_digest_algorithms_is_invalid(pki):
    sod, dgs = pki.card()
    forged = mutate(sod, lambda sd: sd.__setitem__("digest_algorithms", [{"algorithm": "sha512"}]))
    result = passive_authentication(forged, dgs, pki.trust(), now=NOW)
    assert v(result, "sod_content") == (Status.INVALID, "digest algorithm sha256 is not in SignedData.digestAlgorithms")


@pytest.mark.parametrize("oid", ["1.2.840.10045.4.3.99", "1.2.840.10173.4.3.2", "1.2.840.113549.1.1.4"])
def test_unknown_signature_algorithm_over_a_recomputed_digest_is_invalid(pki, oid):
    sod, dgs = pki.card()

    def forge(sd):
        econtent = forge_holder(sd, dgs)
        si = sd["signer_infos"][0]
        attrs = si["signed_attrs"]
        for attr in attrs:
            if attr["type"].native == "message_digest":
                attr["values"] = [hashlib.sha256(econtent).digest()]
        si["signed_attrs"] = attrs
        si["signature_algorithm"] = {"algorithm": oid}

    result = passive_authentication(mutate(sod, forge), dgs, pki.trust(), now=NOW)
    assert v(result, "sod_content") == (Status.VALID, "messageDigest (sha256) matches the content")
    assert v(result, "sod_signature") == (Status.INVALID, f"algorithm not allowed: signature algorithm {oid}")
    assert result.overall is Status.INVALID


def _pss(sod, **change):
    def edit(sd):
        params = {"hash_algorithm": {"algorithm": "sha256"}, "salt_length": 32,
                  "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}}}
        params.update(change)
        sd["signer_infos"][0]["signature_algorithm"] = {"algorithm": "rsassa_pss", "parameters": params}
    return mutate(sod, edit)


@pytest.mark.parametrize("change,reason", [
    ({"mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha1"}}},
     "algorithm not allowed: RSASSA-PSS with an MGF1 hash other than its hash"),
    ({"hash_algorithm": {"algorithm": "sha512"},
      "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha512"}}},
     "algorithm not allowed: RSASSA-PSS with sha512 but digest algorithm sha256"),
    ({"hash_algorithm": {"algorithm": "md5"}, "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "md5"}}},
     "algorithm not allowed: hash md5"),
    ({"trailer_field": 2}, "algorithm not allowed: RSASSA-PSS trailer field other than 1"),
])
def test_inconsistent_pss_parameters_are_not_allowed(change, reason):
    pki = Pki(key_type="pss")
    sod, dgs = pki.card()
    assert passive_authentication(_pss(sod), dgs, pki.trust(), now=NOW).overall is Status.VALID  # the baseline
    result = passive_authentication(_pss(sod, **change), dgs, pki.trust(), now=NOW)
    assert v(result, "sod_signature") == (Status.INVALID, reason)


def test_sha1_is_accepted_before_the_cutoff_and_flagged_refused_after():
    pki = Pki()
    sod, dgs = pki.card()
    sha1 = hash_data_groups(dgs, "sha1")

    def lso(sd):  # the LDSSecurityObject's own hash algorithm (what the DG hashes use)
        sd["encap_content_info"] = {"content_type": "2.23.136.1.1.1",
                                    "content": core.ParsableOctetString(build_lds_security_object(sha1, "sha1"))}
    forged = mutate(sod, lso)  # messageDigest no longer matches: only the DG hash verdicts matter here
    old = passive_authentication(forged, dgs, pki.trust(), now=NOW, policy=VerificationPolicy(sha1_cutoff=date(2030, 1, 1)))
    assert v(old, "dg_hash:DG1") == (Status.VALID, "sha1 hash matches EF.SOD")
    assert [f.reason for f in old.findings] == ["SHA-1 accepted: signed 2024-01-01, before the 2030-01-01 cut-off"]
    new = passive_authentication(forged, dgs, pki.trust(), now=NOW)
    assert v(new, "dg_hash:DG1") == (Status.INVALID, "EF.SOD hash algorithm not allowed: SHA-1 (signed 2024-01-01, "
                                                     "not before the 2021-01-01 cut-off)")


def test_sod_without_its_ds_certificate_is_invalid(pki):
    sod, dgs = pki.card()
    bare = mutate(sod, lambda sd: sd.__setitem__("certificates", None))
    result = passive_authentication(bare, dgs, pki.trust(), now=NOW)
    assert v(result, "sod_signature") == (Status.INVALID, "the DS certificate is neither in EF.SOD nor given: "
                                                          "the signature cannot be verified")
    assert result.overall is Status.INVALID


def test_listed_dg_not_provided_is_invalid(pki):
    sod, dgs = pki.card()
    result = passive_authentication(sod, {1: dgs[1], 13: dgs[13]}, pki.trust(), now=NOW)
    assert v(result, "dg_hash:DG2") == (Status.INVALID, "DG2 is listed in EF.SOD but the chip did not return it: not provided")
    assert result.overall is Status.INVALID


def test_ds_not_chaining_to_the_trust_store_is_unknown_issuer(pki):
    sod, dgs = pki.card()
    result = passive_authentication(sod, dgs, Pki().trust(), now=NOW)  # another PKI's CSCA, same name
    assert result.overall is Status.UNKNOWN_ISSUER
    assert v(result, "sod_signature")[0] is Status.VALID
    assert v(result, "ds_chain") == (Status.UNKNOWN_ISSUER, "the trust store holds CSCA 'Test CSCA VN' (C=VN), but "
                                                            "not the key that signed the DS certificate")


def test_ds_signed_by_a_forger_claiming_the_trusted_csca_key_is_invalid(pki):
    forger = Pki()
    forger.ds = make_cert(_name("Test DS", "VN"), forger.ds_key, pki.csca.subject, forger.csca_key, ca=False,
                          aki_key=pki.csca_key)  # names the trusted CSCA's key, signed with another
    sod, dgs = forger.card()
    result = passive_authentication(sod, dgs, pki.trust(), now=NOW)
    assert v(result, "ds_chain") == (Status.INVALID, "DS certificate signature does not verify with CSCA "
                                                     "'Test CSCA VN' (C=VN)")
    assert result.overall is Status.INVALID


def test_expired_ds_is_invalid(pki):
    expired = pki.issue_ds(not_before=datetime(2020, 1, 1, tzinfo=UTC), days=365)
    sod, dgs = pki.card(ds=expired)
    result = passive_authentication(sod, dgs, pki.trust(), now=NOW)
    assert result.overall is Status.INVALID
    assert v(result, "ds_validity") == (Status.INVALID, "DS certificate expired on 2020-12-31")


def _with_crl(pki, der_crl, source="test.crl") -> TrustStore:
    store = pki.trust()
    store.crls.append((asn1_crl.CertificateList.load(der_crl), source))
    return store


def test_revoked_ds_is_invalid(pki):
    sod, dgs = pki.card()
    result = passive_authentication(sod, dgs, _with_crl(pki, pki.crl([pki.ds.serial_number])), now=NOW)
    assert result.overall is Status.INVALID
    assert v(result, "ds_revocation") == (Status.INVALID, "DS certificate revoked on 2025-02-01 (CRL test.crl)")


def test_crl_not_listing_the_ds_is_a_valid_revocation_check(pki):
    sod, dgs = pki.card()
    result = passive_authentication(sod, dgs, _with_crl(pki, pki.crl([12345])), now=NOW)
    assert result.overall is Status.VALID
    assert v(result, "ds_revocation") == (Status.VALID, "DS certificate not listed in CRL test.crl")


def test_crl_past_its_next_update_is_out_of_date(pki):
    sod, dgs = pki.card()
    later = datetime(2026, 3, 1, tzinfo=UTC)
    result = passive_authentication(sod, dgs, _with_crl(pki, pki.crl([12345])), now=later)
    assert v(result, "ds_revocation") == (Status.NOT_CHECKED, "CRL out of date: test.crl (next update 2026-01-01)")
    assert [f.code.value for f in result.findings] == ["crl_out_of_date"]
    assert result.overall is Status.VALID  # revocation is not required by the desk policy
    strict = VerificationPolicy(require_revocation=True)
    assert passive_authentication(sod, dgs, _with_crl(pki, pki.crl([12345])), now=later,
                                  policy=strict).overall is Status.NOT_CHECKED


def test_forged_crl_is_ignored(pki):
    sod, dgs = pki.card()
    forged = pki.crl([pki.ds.serial_number], signer_key=Pki().csca_key)
    result = passive_authentication(sod, dgs, _with_crl(pki, forged, "forged.crl"), now=NOW)
    assert v(result, "ds_revocation") == (Status.NOT_CHECKED, "CRLs present, but none verifies with the CSCA")


def test_csca_of_another_country_than_the_issuing_state_is_invalid():
    french = Pki(country="FR")
    sod, dgs = french.card()  # MRZ says VNM
    result = passive_authentication(sod, dgs, french.trust(), now=NOW)
    assert result.overall is Status.INVALID
    assert v(result, "issuing_state") == (Status.INVALID, "CSCA country FR differs from issuing state VN")
    assert passive_authentication(sod, dgs, french.trust(), now=NOW, issuing_state="FRA").overall is Status.VALID


def test_unknown_issuing_state_code_is_invalid(pki):
    sod, dgs = pki.card()
    result = passive_authentication(sod, dgs, pki.trust(), now=NOW, issuing_state="XQZ")
    assert v(result, "issuing_state") == (Status.INVALID, "issuing state 'XQZ' is not a known code")


def test_csca_beside_the_files_is_reported_not_trusted(pki):
    sod, dgs = pki.card()
    store = TrustStore().with_candidates([(asn1_x509.Certificate.load(der(pki.csca)), "csca.cer")])
    result = passive_authentication(sod, dgs, store, now=NOW)
    assert result.overall is Status.UNKNOWN_ISSUER
    assert v(result, "ds_chain") == (Status.UNKNOWN_ISSUER, "DS certificate is signed by CSCA 'Test CSCA VN' (C=VN) "
                                                            "found beside the files (csca.cer); that CSCA is NOT in "
                                                            "the trust store")


def test_garbage_sod_is_invalid_not_an_exception(pki):
    _, dgs = pki.card()
    result = passive_authentication(b"\x77\x03\x30\x01\x00", dgs, pki.trust(), now=NOW)
    assert result.overall is Status.INVALID and [v.check for v in result.verdicts] == ["sod_structure"]
    assert result.verdicts[0].reason.startswith("EF.SOD cannot be parsed: malformed CMS: ")


def test_dg_not_listed_in_sod_is_not_authenticated(pki):
    sod, dgs = pki.card()
    result = passive_authentication(sod, {**dgs, 15: b"\x6f\x00"}, pki.trust(), now=NOW)
    assert v(result, "dg_unlisted:DG15") == (Status.NOT_CHECKED, "DG15 is not listed in EF.SOD: its content is "
                                                                 "not authenticated")
    assert result.overall is Status.VALID  # what the SOD lists verifies; DG15 is not used as verified data
