# SPDX-License-Identifier: Apache-2.0
"""SecurityInfos (EF.CardAccess, DG14, EF.CardSecurity), OIDs and domain parameters."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardkit.errors import AccessError, CardkitError, ParseError
from cardkit.icao.domain import DhDomain, EcDomain, standardized, standardized_id
from cardkit.icao.lds.security_infos import (
    ActiveAuthenticationInfo,
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    PaceDomainParameterInfo,
    PaceInfo,
    TerminalAuthenticationInfo,
    UnknownSecurityInfo,
    build_security_infos,
    parse_security_infos,
)
from cardkit.icao.oids import Oid, ca_protocol, decode_oid, encode_oid, pace_protocol

CCCD_CARD_ACCESS = bytes.fromhex(
    "3134300D060804007F00070202020201 01300F060A04007F000702020302020201 "
    "013012060A04007F0007020204020202 010202010D".replace(" ", "")
)
CA_EXAMPLES = json.loads((Path(__file__).parents[2] / "test_vectors/icao/chip_authentication_examples.json").read_text())


def test_cccd_card_access_parses_to_ta_ca_and_pace():
    infos = parse_security_infos(CCCD_CARD_ACCESS)
    assert infos.infos == (
        TerminalAuthenticationInfo(Oid.TA, 1),
        ChipAuthenticationInfo(Oid.CA_ECDH_AES_CBC_CMAC_128, 1),
        PaceInfo(Oid.PACE_ECDH_GM_AES_CBC_CMAC_128, 2, 13),
    )
    (pace,) = infos.pace_infos
    assert (pace.spec.mapping, pace.spec.key_agreement, pace.spec.cipher) == ("GM", "ECDH", "AES-128")
    assert infos.pace_domain(pace) == standardized(13) and standardized(13).name == "BRAINPOOLP256r1"
    assert build_security_infos(infos.infos) == CCCD_CARD_ACCESS


@pytest.mark.parametrize("ex", CA_EXAMPLES["examples"], ids=[e["name"] for e in CA_EXAMPLES["examples"]])
def test_dg14_of_real_passports_parses_and_round_trips(ex):
    infos = parse_security_infos(bytes.fromhex(ex["DG14"]))  # 6E wrapper accepted
    assert not infos.unknown
    (key,) = infos.ca_public_keys
    assert key.protocol is Oid.PK_ECDH and key.public_key[0] == 4 and len(key.public_key) == 65
    assert key.domain.name in ("BRAINPOOLP256r1", "NIST256p")  # explicit parameters named
    again = parse_security_infos(build_security_infos(infos.infos))
    assert set(again.infos) == set(infos.infos)
    assert sorted(map(repr, again.infos)) == sorted(map(repr, infos.infos))


def test_de_dg14_matches_the_ca_key_by_key_id():
    infos = parse_security_infos(bytes.fromhex(CA_EXAMPLES["examples"][1]["DG14"]))
    (ca,) = infos.ca_infos
    assert ca.key_id == 195 and infos.ca_public_key(ca).key_id == 195


def test_unknown_and_malformed_infos_are_kept_raw():
    unknown = bytes.fromhex("3009060404007f07020101")  # an OID nobody knows
    bad_pace = bytes.fromhex("300e060a04007f00070202040202 0400".replace(" ", ""))  # version not an INTEGER
    data = bytes([0x31, len(unknown) + len(bad_pace)]) + unknown + bad_pace
    infos = parse_security_infos(data)
    assert [type(i) for i in infos.infos] == [UnknownSecurityInfo, UnknownSecurityInfo]
    assert infos.infos[0].raw == unknown and infos.infos[0].problem == ""
    assert infos.infos[1].oid == Oid.PACE_ECDH_GM_AES_CBC_CMAC_128.value and "INTEGER" in infos.infos[1].problem
    assert build_security_infos(infos.infos) == data  # DER order: 3009 before 300E


def test_active_authentication_and_explicit_domain_parameters_round_trip():
    dom = standardized(13)
    explicit = EcDomain.explicit(dom.p, dom.curve.a(), dom.curve.b(), dom.generator.x(), dom.generator.y(), dom.order)
    assert explicit == dom  # explicit brainpoolP256r1 is recognised
    odd = EcDomain.explicit(dom.p, dom.curve.a(), dom.curve.b(), *_other_generator(dom), dom.order)
    infos = [
        ActiveAuthenticationInfo(Oid.AA, 1, Oid.ECDSA_PLAIN_SHA256),
        PaceDomainParameterInfo(Oid.PACE_ECDH_GM, odd, 17),
        PaceInfo(Oid.PACE_ECDH_GM_AES_CBC_CMAC_256, 2, 17),
        ChipAuthenticationPublicKeyInfo(Oid.PK_DH, standardized(2), standardized(2).public_key(12345), 7),
    ]
    parsed = parse_security_infos(build_security_infos(infos))
    assert not parsed.unknown
    assert parsed.aa_infos[0].signature_algorithm is Oid.ECDSA_PLAIN_SHA256
    (pi,) = parsed.pace_infos
    assert parsed.pace_domain(pi).generator == odd.generator and parsed.pace_domain(pi).name == "explicit"
    (key,) = parsed.ca_public_keys
    assert key.domain == standardized(2) and key.public_key == standardized(2).public_key(12345) and key.key_id == 7


def _other_generator(dom):
    g = dom.generator * 2
    return g.x(), g.y()


def test_not_a_set_is_a_parse_error():
    with pytest.raises(ParseError):
        parse_security_infos(bytes.fromhex("300100"))
    with pytest.raises(ParseError):
        parse_security_infos(b"\x31\x05\x30")


@given(st.binary(max_size=300))
@settings(max_examples=400, deadline=None)
def test_fuzz_random_bytes_raise_only_cardkit_errors(data):
    try:
        parse_security_infos(data)
    except CardkitError:
        pass


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_fuzz_mutated_dg14_raises_only_cardkit_errors(draw):
    base = bytearray(bytes.fromhex(CA_EXAMPLES["examples"][1]["DG14"]))
    for _ in range(draw.draw(st.integers(1, 4))):
        i = draw.draw(st.integers(0, len(base) - 1))
        base[i] = draw.draw(st.integers(0, 255))
    cut = draw.draw(st.integers(0, len(base)))
    try:
        parse_security_infos(bytes(base[:cut] if draw.draw(st.booleans()) else base))
    except CardkitError:
        pass


# -- OIDs -----------------------------------------------------------------------------------
def test_oid_encoding_round_trips_and_rejects_garbage():
    for oid in Oid:
        assert decode_oid(encode_oid(oid.value)) == oid.value
    assert encode_oid("0.4.0.127.0.7.2.2.4.2.2").hex() == "04007f00070202040202"
    for bad in (b"", b"\x80", b"\x04\x81"):
        with pytest.raises(ParseError):
            decode_oid(bad)


@pytest.mark.parametrize(
    "oid,want",
    [
        (Oid.PACE_ECDH_GM_AES_CBC_CMAC_128, ("GM", "ECDH", "AES-128")),
        (Oid.PACE_DH_GM_3DES_CBC_CBC, ("GM", "DH", "3DES")),
        (Oid.PACE_ECDH_IM_AES_CBC_CMAC_192, ("IM", "ECDH", "AES-192")),
        (Oid.PACE_DH_IM_AES_CBC_CMAC_256, ("IM", "DH", "AES-256")),
        (Oid.PACE_ECDH_CAM_AES_CBC_CMAC_128, ("CAM", "ECDH", "AES-128")),
    ],
)
def test_pace_protocol_lookup(oid, want):
    spec = pace_protocol(oid)
    assert (spec.mapping, spec.key_agreement, spec.cipher) == want


def test_ca_protocol_lookup_and_non_pace_oids():
    dh256 = ca_protocol(Oid.CA_DH_AES_CBC_CMAC_256)
    assert (dh256.key_agreement, dh256.cipher) == ("DH", "AES-256")
    assert ca_protocol(Oid.CA_ECDH).cipher is None
    for bad in (Oid.PACE_ECDH_GM, Oid.TA, "1.2.3"):
        with pytest.raises(ValueError):
            pace_protocol(bad)


# -- domain parameters ------------------------------------------------------------------------
@pytest.mark.parametrize("pid", [0, 1, 2, *range(8, 19)])
def test_standardized_domain_parameters(pid):
    d = standardized(pid)
    assert standardized_id(d) == pid
    sk = d.random_private_key()
    pk = d.public_key(sk)
    assert d.decode_public(pk) is not None
    if isinstance(d, DhDomain):
        assert pow(d.g, d.q, d.p) == 1 and len(pk) == d.field_size
    else:
        assert len(pk) == 1 + 2 * d.field_size


@pytest.mark.parametrize("pid", [3, 7, 19, 32])
def test_unknown_standardized_ids_are_refused(pid):
    with pytest.raises(AccessError):
        standardized(pid)
