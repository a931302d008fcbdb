# SPDX-License-Identifier: Apache-2.0
"""Each intermediate value of the ICAO worked examples (test_vectors/icao/pace_*.json)."""

import json
from pathlib import Path

import pytest

from cardkit.icao.crypto import AES128, KDF_ENC, KDF_MAC, KDF_PACE, unpad
from cardkit.icao.domain import (
    DhDomain,
    EcDomain,
    authentication_token,
    public_key_data_object,
    standardized,
)
from cardkit.icao.keys import MrzKey, PasswordType, SecretPassword
from cardkit.icao.lds.security_infos import parse_security_infos
from cardkit.icao.prf import pseudo_random, random_octets

ICAO = Path(__file__).parents[2] / "test_vectors" / "icao"
GM_EC = json.loads((ICAO / "pace_ecdh_gm_brainpoolp256r1.json").read_text())
GM_DH = json.loads((ICAO / "pace_dh_gm.json").read_text())
IM = json.loads((ICAO / "pace_ecdh_im.json").read_text())
CAM = json.loads((ICAO / "pace_cam.json").read_text())


def h(s: str) -> bytes:
    return bytes.fromhex(s)


def i(s: str) -> int:
    return int(s, 16)


def ec_point(d: EcDomain, xy: dict) -> bytes:
    return b"\x04" + h(xy["x"]) + h(xy["y"])


def mrz(v: dict) -> MrzKey:
    p = v["password"]
    return MrzKey.create(p["document_number"], p["date_of_birth"], p["date_of_expiry"])


@pytest.mark.parametrize("v", [GM_EC, GM_DH, CAM], ids=["G.1", "G.2", "I"])
def test_k_pi_and_nonce_from_the_mrz(v):
    k_pi = AES128.kdf(mrz(v).pace_secret(), KDF_PACE)
    assert k_pi == h(v["password"]["K_pi"])
    assert AES128.decrypt(k_pi, h(v["nonce"]["z_encrypted"])) == h(v["nonce"]["s_decrypted"])


def test_k_pi_and_nonce_from_a_six_digit_password():
    k_pi = AES128.kdf(SecretPassword(PasswordType.CAN, "123456").pace_secret(), KDF_PACE)
    assert k_pi == h(IM["password"]["K_pi"])
    assert AES128.decrypt(k_pi, h(IM["nonce"]["z_encrypted"])) == h(IM["nonce"]["s_decrypted"])


@pytest.mark.parametrize("v", [GM_EC, CAM], ids=["G.1", "I"])
def test_ecdh_generic_mapping_values(v):
    d = standardized(13)
    m, ka = v["mapping"], v["key_agreement"]
    assert d.public_key(i(m["terminal_private_SK_map_IFD"])) == ec_point(d, m["terminal_public_PK_map_IFD"])
    pk_map_ic = d.decode_public(ec_point(d, m["chip_public_PK_map_IC"]))
    shared = d.multiply(i(m["terminal_private_SK_map_IFD"]), pk_map_ic)
    if "shared_secret_H" in m:
        assert (shared.x(), shared.y()) == (i(m["shared_secret_H"]["x"]), i(m["shared_secret_H"]["y"]))
    mapped = d.generic_map(i(v["nonce"]["s_decrypted"]), shared)
    g = mapped.generator
    assert (g.x(), g.y()) == (i(m["mapped_generator_G_tilde"]["x"]), i(m["mapped_generator_G_tilde"]["y"]))
    pk_ifd = mapped.public_key(i(ka["terminal_private_SK_IFD"]))
    assert pk_ifd == ec_point(d, ka["terminal_public_PK_IFD"])
    pk_ic = ec_point(d, ka["chip_public_PK_IC"])
    k = mapped.agree(i(ka["terminal_private_SK_IFD"]), mapped.decode_public(pk_ic))
    assert k == h(ka["shared_secret_K"])
    _check_keys_and_tokens(v, d, k, pk_ifd, pk_ic)


def _check_keys_and_tokens(v, d, k, pk_ifd, pk_ic):
    ks_enc, ks_mac = AES128.kdf(k, KDF_ENC), AES128.kdf(k, KDF_MAC)
    assert (ks_enc, ks_mac) == (h(v["session_keys"]["KS_enc"]), h(v["session_keys"]["KS_mac"]))
    oid = v["protocol"]["oid"]
    tok = v["authentication_tokens"]
    if "T_IFD_input_data_chip_pubkey" in tok:
        assert public_key_data_object(oid, d, pk_ic) == h(tok["T_IFD_input_data_chip_pubkey"])
        assert public_key_data_object(oid, d, pk_ifd) == h(tok["T_IC_input_data_terminal_pubkey"])
    assert authentication_token(AES128, ks_mac, oid, d, pk_ic) == h(tok["T_IFD"])
    assert authentication_token(AES128, ks_mac, oid, d, pk_ifd) == h(tok["T_IC"])


def test_dh_generic_mapping_values():
    v = GM_DH
    d = standardized(0)
    dp = v["domain_parameters"]
    assert isinstance(d, DhDomain) and (d.p, d.g, d.q) == (i(dp["p"]), i(dp["g"]), i(dp["q"]))
    m, ka = v["mapping"], v["key_agreement"]
    assert d.public_key(i(m["terminal_private_SK_map_IFD"])) == h(m["terminal_public_PK_map_IFD"])
    pk_map_ic = d.decode_public(h(m["chip_public_PK_map_IC"]))
    shared = d.multiply(i(m["terminal_private_SK_map_IFD"]), pk_map_ic)
    assert d.encode(shared) == h(m["shared_secret_H"])
    mapped = d.generic_map(i(v["nonce"]["s_decrypted"]), shared)
    assert d.encode(mapped.generator) == h(m["mapped_generator_g_tilde"])
    pk_ifd = mapped.public_key(i(ka["terminal_private_SK_IFD"]))
    assert pk_ifd == h(ka["terminal_public_PK_IFD"])
    pk_ic = h(ka["chip_public_PK_IC"])
    k = mapped.agree(i(ka["terminal_private_SK_IFD"]), mapped.decode_public(pk_ic))
    assert k == h(ka["shared_secret_K"])
    _check_keys_and_tokens(v, d, k, pk_ifd, pk_ic)


def test_ecdh_integrated_mapping_values():
    v = IM
    d = standardized(13)
    prm = v["pseudo_random_mapping"]
    s, t = h(v["nonce"]["s_decrypted"]), h(v["nonce"]["t_terminal_nonce"])
    assert random_octets(AES128, s, t, d.p) == h(prm["R_s_t"])
    x = pseudo_random(AES128, s, t, d.p)
    assert x == i(prm["Rp_s_t"])
    mapped = d.integrated_map(x)
    g = mapped.generator
    assert (g.x(), g.y()) == (i(prm["mapped_generator_G_tilde"]["x"]), i(prm["mapped_generator_G_tilde"]["y"]))
    ka = v["key_agreement"]
    pk_ifd = mapped.public_key(i(ka["terminal_private_SK_IFD"]))
    assert pk_ifd == ec_point(d, ka["terminal_public_PK_IFD"])
    pk_ic = ec_point(d, ka["chip_public_PK_IC"])
    assert mapped.public_key(i(ka["chip_private_SK_IC"])) == pk_ic
    k = mapped.agree(i(ka["terminal_private_SK_IFD"]), mapped.decode_public(pk_ic))
    assert k == h(ka["shared_secret_K"])
    _check_keys_and_tokens(v, d, k, pk_ifd, pk_ic)


def test_cam_chip_authentication_data():
    v = CAM
    d = standardized(13)
    c = v["chip_authentication_data"]
    ks_enc = h(v["session_keys"]["KS_enc"])
    iv = AES128.encrypt_block(ks_enc, b"\xff" * 16)
    ca_ic = unpad(AES128.decrypt(ks_enc, h(c["A_IC_encrypted_DO8A"]), iv))
    assert ca_ic == h(c["CA_IC"])
    pk_ic = ec_point(d, c["static_public_key_PK_IC"])
    pk_map_ic = ec_point(d, v["mapping"]["chip_public_PK_map_IC"])
    assert d.encode(d.multiply(int.from_bytes(ca_ic, "big"), d.decode_public(pk_ic))) == pk_map_ic
    assert d.public_key(i(c["static_private_key_SK_IC_derived"])) == pk_ic
    infos = parse_security_infos(b"\x31\x64" + h(c["ChipAuthenticationPublicKeyInfo"]))
    (key,) = infos.ca_public_keys
    assert key.public_key == pk_ic and key.key_id == 13 and key.domain == d
