# SPDX-License-Identifier: Apache-2.0
from asn1crypto import keys, x509

from cardkit.icao.pa.keys import load_public_key
from cardkit.icao.pa.signed import verify_certificate
from cardkit.sim.pki import TestPki


def test_csca_has_explicit_brainpool_p512_parameters(pki):
    cert = x509.Certificate.load(pki.csca_certificate_der())
    params = cert.public_key["algorithm"]["parameters"]
    assert params.name == "specified"  # SpecifiedECDomain, not a named-curve OID
    assert isinstance(params.chosen, keys.SpecifiedECDomain)
    assert params.chosen["field_id"]["parameters"].native.bit_length() == 512
    key = load_public_key(cert.public_key)
    assert key.curve == "BRAINPOOLP512r1" and key.explicit
    assert cert.subject.native["country_name"] == "VN"


def test_csca_self_signature_verifies_and_ds_chains(pki):
    csca = pki.certificate("csca")
    assert csca["signature_algorithm"]["algorithm"].native == "sha512_ecdsa"
    assert verify_certificate(csca, csca)
    ds = pki.certificate("ds")
    assert verify_certificate(ds, csca)
    assert ds.authority_key_identifier == csca.key_identifier
    assert ds.key_usage_value.native == {"digital_signature"}
    assert csca.key_usage_value.native == {"key_cert_sign", "crl_sign"}
    assert load_public_key(ds.public_key).describe() == "EC BRAINPOOLP256r1"


def test_untrusted_ds_does_not_chain_to_the_test_csca(pki):
    assert not verify_certificate(pki.certificate("untrusted-ds"), pki.certificate("csca"))
    assert verify_certificate(pki.certificate("untrusted-ds"), pki.certificate("untrusted-csca"))


def test_pki_folder_is_reused_and_deterministic_from_the_seed(pki, tmp_path):
    again = TestPki(pki.folder)
    assert again.csca_certificate_der() == pki.csca_certificate_der()
    fresh = TestPki(tmp_path / "other", seed=pki.seed)
    assert fresh.csca_certificate_der() == pki.csca_certificate_der()


def test_rsa_pss_profile_chains(pki):
    csca, ds = pki.certificate("csca", "rsa-pss"), pki.certificate("ds", "rsa-pss")
    assert csca["signature_algorithm"]["algorithm"].native == "rsassa_pss"
    assert verify_certificate(csca, csca) and verify_certificate(ds, csca)
    assert load_public_key(csca.public_key).bits == 3072 and load_public_key(ds.public_key).bits == 2048
