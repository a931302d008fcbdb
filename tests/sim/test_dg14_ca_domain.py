# SPDX-License-Identifier: Apache-2.0
"""DG14's Chip Authentication key: explicit EC parameters by default (as passports write them),
standardized ID 13 as a profile option; both read back to the same key and both pass CA."""

import tempfile

import pytest

from cardkit.errors import InputError
from cardkit.icao.keys import cccd_can
from cardkit.icao.lds.dg14 import parse_dg14
from cardkit.icao.lds.security_infos import encode_security_info
from cardkit.icao.reading import read_and_verify
from cardkit.icao.session import AccessSpec
from cardkit.sim.factory import make_card
from cardkit.sim.issuer import personalise
from cardkit.sim.pki import TestPki
from cardkit.sim.population import person
from cardkit.tlv import parse_single
from cardkit.transport.inproc import InProcessConnection
from cardkit.trustdir import load_trust_store

WHO = person("bui-quang-vinh")
BRAINPOOL_P256_P = bytes.fromhex("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377")
STANDARDIZED_13 = bytes.fromhex("300C060704007F0007010202010D")  # {standardizedDomainParameters, 13}


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return TestPki(tmp_path_factory.mktemp("pki"), seed=5)


def _ca_key_info(img):
    dg14 = img.app_files[0x010E]
    (key,) = parse_dg14(dg14).ca_public_keys
    return dg14, key


def test_default_is_explicit_parameters(pki):
    img = personalise(WHO.data("cccd2021"), pki=pki, seed=2)
    dg14, key = _ca_key_info(img)
    assert key.explicit and key.domain.name == "BRAINPOOLP256r1"
    assert BRAINPOOL_P256_P in dg14 and STANDARDIZED_13 not in dg14
    assert encode_security_info(key) in parse_single(dg14, expected_tag=0x6E).value  # re-encodes byte for byte


def test_standardized_form_is_a_profile_option(pki):
    img = personalise(WHO.data("cccd2021"), pki=pki, seed=2, ca_domain="standardized")
    dg14, key = _ca_key_info(img)
    explicit_key = _ca_key_info(personalise(WHO.data("cccd2021"), pki=pki, seed=2))[1]
    assert not key.explicit and STANDARDIZED_13 in dg14 and BRAINPOOL_P256_P not in dg14
    assert key == explicit_key  # the same key, only written differently


def test_unknown_form_is_an_input_error(pki):
    with pytest.raises(InputError) as err:
        personalise(WHO.data("cccd2021"), pki=pki, seed=2, ca_domain="named")
    assert str(err.value) == "unknown CA domain form 'named' (explicit or standardized)"


@pytest.mark.parametrize("form", ["explicit", "standardized"])
def test_chip_authentication_is_valid_with_either_form(pki, form):
    img = personalise(WHO.data("cccd2021"), pki=pki, seed=2, ca_domain=form)
    with tempfile.TemporaryDirectory() as tmp:
        pki.write_trust(tmp)
        trust = load_trust_store(tmp)
    result = read_and_verify(InProcessConnection(make_card(img)), AccessSpec(can=cccd_can(img.meta["id"])), trust=trust)
    ca = next(v for v in result.verdicts if v.check == "chip_authentication")
    assert (ca.status.value, result.overall.value) == ("VALID", "VALID")
