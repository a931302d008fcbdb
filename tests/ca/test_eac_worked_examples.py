# SPDX-License-Identifier: Apache-2.0
"""Replay of every BSI EAC worked example (test_vectors/icao/bsi_tr03110_eac_worked_example_*.json):
PACE, Terminal Authentication v2 and Chip Authentication v2, value by value and through the
terminal code with the card's answers taken from the example."""

import json
from pathlib import Path

import pytest

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import AccessError
from cardkit.icao.ca import chip_authentication
from cardkit.icao.crypto import KDF_ENC, KDF_MAC, KDF_PACE, pad, suite_named
from cardkit.icao.cvc import compressed, parse_cv_certificate
from cardkit.icao.domain import authentication_token, standardized
from cardkit.icao.keys import PasswordType, SecretPassword
from cardkit.icao.lds.security_infos import parse_security_infos
from cardkit.icao.lds.signed_data import parse_signed_data
from cardkit.icao.oids import Oid, pace_protocol
from cardkit.icao.ta import TaVersion, TerminalCredentials, signed_data, terminal_authentication
from cardkit.icao.ta_signature import TerminalKey, verify_signature
from cardkit.tlv import encode_tlv

ICAO = Path(__file__).parents[2] / "test_vectors" / "icao"
EXAMPLES = sorted(ICAO.glob("bsi_tr03110_eac_worked_example_*.json"))
h = bytes.fromhex


def test_the_ecdh_example_is_among_them():
    assert "bsi_tr03110_eac_worked_example_ecdh.json" in {p.name for p in EXAMPLES}


@pytest.fixture(params=EXAMPLES, ids=lambda p: p.stem)
def ex(request):
    return json.loads(request.param.read_text())


def _pace_parts(ex):
    p = ex["pace"]
    spec = pace_protocol(Oid.lookup(next(o.value for o in Oid if o.der_value == h(p["protocol"]["oid_der_value"]))))
    return p, spec, suite_named(spec.cipher), standardized(p["protocol"]["parameter_id"])


def test_pace(ex):
    p, spec, suite, dom = _pace_parts(ex)
    ptype = {"PIN": PasswordType.PIN, "CAN": PasswordType.CAN}[p["password"]["type"]]
    assert int(p["password"]["password_reference"], 16) == ptype
    k_pi = suite.kdf(SecretPassword(ptype, p["password"]["value_ascii"]).pace_secret(), KDF_PACE)
    assert k_pi == h(p["password"]["K_pi"])
    assert suite.decrypt(k_pi, h(p["nonce"]["z_encrypted"])) == h(p["nonce"]["s_decrypted"])
    m, ka = p["mapping"], p["key_agreement"]
    assert dom.public_key(int(m["terminal_private"], 16)) == h(m["terminal_public"])
    assert dom.public_key(int(m["chip_private"], 16)) == h(m["chip_public"])
    shared = dom.multiply(int(m["terminal_private"], 16), dom.decode_public(h(m["chip_public"])))
    assert dom.encode(shared) == h(m["shared_secret_H"])
    mapped = dom.generic_map(int(p["nonce"]["s_decrypted"], 16), shared)
    assert mapped.encode(mapped.generator) == h(m["mapped_generator"])
    assert mapped.public_key(int(ka["terminal_private"], 16)) == h(ka["terminal_public"])
    assert mapped.public_key(int(ka["chip_private"], 16)) == h(ka["chip_public"])
    k = mapped.agree(int(ka["terminal_private"], 16), mapped.decode_public(h(ka["chip_public"])))
    assert k == h(ka["shared_secret_K"])
    ks_enc, ks_mac = suite.kdf(k, KDF_ENC), suite.kdf(k, KDF_MAC)
    assert (ks_enc, ks_mac) == (h(p["session_keys"]["KS_enc"]), h(p["session_keys"]["KS_mac"]))
    tokens = list(p["authentication_tokens"].values())
    assert authentication_token(suite, ks_mac, spec.oid.value, dom, h(ka["chip_public"])) == h(tokens[0])
    assert authentication_token(suite, ks_mac, spec.oid.value, dom, h(ka["terminal_public"])) == h(tokens[1])
    enc, mac = p["secure_messaging_samples"]["encrypt"], p["secure_messaging_samples"]["mac"]
    iv = suite.encrypt_block(ks_enc, h(enc["SSC"]))
    assert suite.encrypt(ks_enc, pad(h(enc["plaintext"]), 16), iv) == h(enc["ciphertext"])
    assert suite.mac(ks_mac, pad(h(mac["SSC"]) + h(mac["data"]), 16)) == h(mac["mac"])


def _chain(ex):
    cv = ex["terminal_authentication"]["cv_certificates"]
    return [parse_cv_certificate(h(cv[k])) for k in ("CVCA", "DV", "terminal")]


def test_ta_certificate_chain_verifies_link_by_link(ex):
    cvca, dv, term = _chain(ex)
    assert cvca.is_self_signed and (dv.car, term.car) == (cvca.chr, dv.chr)
    domain = cvca.public_key.domain
    assert verify_signature(cvca.public_key, cvca.body, cvca.signature)
    assert verify_signature(cvca.public_key, dv.body, dv.signature)
    assert verify_signature(dv.public_key.with_domain(domain), term.body, term.signature)
    assert not verify_signature(cvca.public_key, term.body, term.signature)  # wrong issuer
    assert parse_cv_certificate(term.encoded) == term


def _ta_inputs(ex):
    ta, ka = ex["terminal_authentication"], ex["pace"]["key_agreement"]
    _, _, _, pace_dom = _pace_parts(ex)
    ca_dom = standardized(ex["pace"]["protocol"]["parameter_id"])
    id_picc = compressed(pace_dom, h(ka["chip_public"]))
    comp = compressed(ca_dom, h(ex["chip_authentication"]["terminal_ephemeral_public"]))
    return ta, id_picc, comp


def test_ta_signature_of_the_example_verifies(ex):
    ta, id_picc, comp = _ta_inputs(ex)
    cvca, _, term = _chain(ex)
    key = term.public_key.with_domain(cvca.public_key.domain)
    data = signed_data(id_picc, h(ta["r_PICC_challenge"]), comp, h(ta["auxiliary_data"]))
    assert verify_signature(key, data, h(ta["signature"]))
    assert not verify_signature(key, data[:-1] + bytes([data[-1] ^ 1]), h(ta["signature"]))


def test_ta_through_the_terminal_code(ex):
    ta, id_picc, comp = _ta_inputs(ex)
    cvca, dv, term = _chain(ex)
    creds = TerminalCredentials((dv, term), TerminalKey.load(h(ta["terminal_private_key_pkcs8"]), term.public_key.algorithm))
    sent: list[CommandApdu] = []

    def send(cmd):
        sent.append(cmd)
        return ResponseApdu(h(ta["r_PICC_challenge"]) if cmd.ins == 0x84 else b"", 0x9000)

    terminal_authentication(send, creds, version=TaVersion.V2, id_picc=id_picc, ephemeral_comp=comp)
    assert [(c.ins, c.p1, c.p2) for c in sent] == [
        (0x22, 0x81, 0xB6), (0x2A, 0x00, 0xBE), (0x22, 0x81, 0xB6), (0x2A, 0x00, 0xBE),
        (0x22, 0x81, 0xA4), (0x84, 0x00, 0x00), (0x82, 0x00, 0x00),
    ]
    assert sent[0].data == encode_tlv(0x83, dv.car.encode()) and sent[2].data == encode_tlv(0x83, term.car.encode())
    assert sent[1].data == dv.body + encode_tlv(0x5F37, dv.signature)
    assert sent[4].data == (
        encode_tlv(0x80, h("04007F00070202020205")) + encode_tlv(0x83, term.chr.encode()) + encode_tlv(0x91, comp)
    )
    key = term.public_key.with_domain(cvca.public_key.domain)
    assert verify_signature(key, signed_data(id_picc, h(ta["r_PICC_challenge"]), comp), sent[6].data)


def test_ca_v2_through_the_terminal_code(ex):
    ca = ex["chip_authentication"]
    cs = parse_signed_data(h(ex["EF_CardSecurity"]), what="EF.CardSecurity")
    infos = parse_security_infos(cs.content)
    oid = next(o for o in Oid if o.der_value == h(ca["protocol"]["oid_der_value"]))
    dom = standardized(ex["pace"]["protocol"]["parameter_id"])
    assert dom.public_key(int(ca["chip_static_private"], 16)) == h(ca["chip_static_public"])
    k = dom.agree(int(ca["terminal_ephemeral_private"], 16), dom.decode_public(h(ca["chip_static_public"])))
    assert k == h(ca["shared_secret_K"])
    sent: list[CommandApdu] = []

    def send(cmd):
        sent.append(cmd)
        if cmd.ins == 0x86:
            body = encode_tlv(0x81, h(ca["r_PICC_nonce"])) + encode_tlv(0x82, h(ca["T_PICC"]))
            return ResponseApdu(encode_tlv(0x7C, body), 0x9000)
        return ResponseApdu(b"", 0x9000)

    sm = chip_authentication(send, infos, private_key=int(ca["terminal_ephemeral_private"], 16))
    assert (sm.ks_enc, sm.ks_mac, sm.ssc) == (h(ca["KS_enc"]), h(ca["KS_mac"]), 0)
    assert sent[0].data[:12] == encode_tlv(0x80, oid.der_value)
    assert sent[1].data == encode_tlv(0x7C, encode_tlv(0x80, h(ca["terminal_ephemeral_public"])))


def test_ca_v2_refuses_a_wrong_chip_token(ex):
    ca = ex["chip_authentication"]
    infos = parse_security_infos(parse_signed_data(h(ex["EF_CardSecurity"])).content)
    bad = bytes([h(ca["T_PICC"])[0] ^ 1]) + h(ca["T_PICC"])[1:]

    def send(cmd):
        if cmd.ins == 0x86:
            return ResponseApdu(encode_tlv(0x7C, encode_tlv(0x81, h(ca["r_PICC_nonce"])) + encode_tlv(0x82, bad)), 0x9000)
        return ResponseApdu(b"", 0x9000)

    with pytest.raises(AccessError) as err:
        chip_authentication(send, infos, private_key=int(ca["terminal_ephemeral_private"], 16))
    assert str(err.value) == "the chip's CA authentication token does not verify"
