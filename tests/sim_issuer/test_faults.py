# SPDX-License-Identifier: Apache-2.0
"""Each personalisation fault gives the outcome documented in cardkit.sim.personal_faults."""

import pytest
from sim_issuer.conftest import NOW, data_groups

from cardkit.errors import InputError
from cardkit.icao.lds.com import parse_com
from cardkit.icao.lds.dg13 import parse_dg13
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.pa.passive import passive_authentication
from cardkit.icao.verdict import Status
from cardkit.sim.issuer import personalise
from cardkit.sim.personal_faults import UNKNOWN_DG13_FIELD, parse_fault
from cardkit.sim.population import person

WHO = person("tran-thi-ngoc-anh").data("cancuoc2024")


def _pa(pki, trust, faults=(), profile="cancuoc2024", pki_profile="ecdsa"):
    img = personalise(WHO, profile=profile, pki=pki, seed=3, faults=faults, pki_profile=pki_profile)
    return img, passive_authentication(img.app_files[0x011D], data_groups(img), trust, now=NOW)


def test_clean_card_is_valid_against_the_test_csca(pki, trust):
    img, pa = _pa(pki, trust)
    assert pa.overall is Status.VALID, pa.to_dict()
    assert pa.verdict("issuing_state").status is Status.VALID
    assert {v.check for v in pa.verdicts} >= {"dg_hash:DG1", "dg_hash:DG2", "dg_hash:DG13", "dg_hash:DG14",
                                              "dg_hash:DG15"}


@pytest.mark.parametrize("number", [1, 2, 13, 14, 15])
def test_altered_data_group_is_invalid(pki, trust, number):
    _, pa = _pa(pki, trust, [f"altered-dg:{number}"])
    assert pa.overall is Status.INVALID
    assert pa.verdict(f"dg_hash:DG{number}").status is Status.INVALID


def test_altered_dg13_still_parses_but_says_something_else(pki, trust):
    img, _ = _pa(pki, trust, ["altered-dg:13"])
    assert parse_dg13(img.app_files[0x010D]).text(2) != WHO.full_name


def test_untrusted_csca_is_unknown_issuer_never_valid(pki, trust):
    _, pa = _pa(pki, trust, ["untrusted-csca"])
    assert pa.overall is Status.UNKNOWN_ISSUER
    assert pa.verdict("sod_signature").status is Status.VALID
    assert pa.verdict("ds_chain").status is Status.UNKNOWN_ISSUER


def test_expired_document_signer_is_invalid(pki, trust):
    _, pa = _pa(pki, trust, ["expired-ds"])
    assert pa.overall is Status.INVALID
    assert pa.verdict("ds_validity").status is Status.INVALID


def test_unknown_dg13_field_is_signed_and_kept(pki, trust):
    img, pa = _pa(pki, trust, ["dg13-unknown-field"])
    assert pa.overall is Status.VALID
    unknown = parse_dg13(img.app_files[0x010D]).unknown_fields
    assert [f.number for f in unknown] == [UNKNOWN_DG13_FIELD]
    assert unknown[0].text.startswith("Thông tin")


def test_com_listing_an_absent_dg(pki, trust):
    img, pa = _pa(pki, trust, ["com-lists-absent:11"])
    assert DataGroup.DG11 in parse_com(img.app_files[0x011E]).data_groups
    assert DataGroup.DG11.fid not in img.app_files
    assert pa.overall is Status.VALID


def test_cloned_chip_keeps_valid_pa(pki, trust):
    img, pa = _pa(pki, trust, ["cloned"])
    assert pa.overall is Status.VALID  # only Active Authentication finds it: tests/aa


def test_rsa_pss_document_signer_verifies(pki, tmp_path):
    from cardkit.trustdir import load_trust_store

    pki.write_trust(tmp_path, ("rsa-pss",))
    _, pa = _pa(pki, load_trust_store(tmp_path), pki_profile="rsa-pss")
    assert pa.overall is Status.VALID, pa.to_dict()


@pytest.mark.parametrize("spec", ["melted", "altered-dg:x", "altered-dg:17"])
def test_bad_fault_specs_are_refused(spec):
    with pytest.raises(InputError):
        parse_fault(spec)
