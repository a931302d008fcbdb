# SPDX-License-Identifier: Apache-2.0
"""Chip Authentication: the recorded passport sessions (test_vectors/icao/chip_authentication_examples.json)
re-created byte for byte, and the terminal against the simulated chip."""

import json
from pathlib import Path

import pytest

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import AccessError, SecureMessagingError
from cardkit.icao.ca import chip_authentication
from cardkit.icao.crypto import AES128, AES256, TDES
from cardkit.icao.domain import standardized
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.security_infos import (
    ChipAuthenticationInfo,
    ChipAuthenticationPublicKeyInfo,
    build_security_infos,
    parse_security_infos,
)
from cardkit.icao.oids import Oid
from cardkit.icao.sm import SmState
from cardkit.sim.ca_card import CaCardConfig, CaCardHandler
from cardkit.sim.card import CardConfig, SimCard
from cardkit.sim.image import CardImage

VECTORS = json.loads((Path(__file__).parents[2] / "test_vectors/icao/chip_authentication_examples.json").read_text())
EXAMPLES = VECTORS["examples"]
SELECT_DG14 = CommandApdu(0x00, 0xA4, 0x02, 0x0C, b"\x01\x0e")


def sm_of(d: dict, ssc_key: str = "SSC") -> SmState:
    enc = bytes.fromhex(d["KS_enc"])
    suite = TDES if d["alg"] == "TDES" else {16: AES128, 32: AES256}[len(enc)]
    return SmState(suite, enc, bytes.fromhex(d["KS_mac"]), int(d.get(ssc_key, "0"), 16))


class Recorded:
    """Protects with the old keys and checks each protected command against the recording."""

    def __init__(self, sm: SmState, apdus: list):
        self.sm, self.apdus, self.i = sm, apdus, 0

    def __call__(self, cmd: CommandApdu) -> ResponseApdu:
        rec = self.apdus[self.i]
        self.i += 1
        got = self.sm.protect(cmd).encode().hex()
        assert got == rec["protected_command"].lower(), f"{rec['step']}:\n sent     {got}\n recorded {rec['protected_command']}"
        return self.sm.unprotect(ResponseApdu.decode(bytes.fromhex(rec["protected_response"])))


@pytest.mark.parametrize("ex", EXAMPLES, ids=[e["name"] for e in EXAMPLES])
def test_recorded_chip_authentication_is_recreated(ex):
    infos = parse_security_infos(bytes.fromhex(ex["DG14"]))
    sk = int(ex["terminal_ephemeral_private"], 16)
    key = infos.ca_public_keys[0]
    assert key.domain.public_key(sk).hex() == ex["terminal_ephemeral_public"].lower()
    conn = Recorded(sm_of(ex["sm_before"]), ex["apdus"])
    new = chip_authentication(conn, infos, private_key=sk)
    assert conn.i == len(ex["apdus"]) - 1
    after = ex["sm_after"]
    assert new.suite.name == ("3DES" if after["alg"] == "TDES" else "AES-128")
    assert (new.ks_enc.hex(), new.ks_mac.hex(), new.ssc) == (after["KS_enc"].lower(), after["KS_mac"].lower(), 0)
    # the caller proves CA by reading on under the new keys
    select = ex["apdus"][-1]
    assert new.protect(SELECT_DG14).encode().hex() == select["protected_command"].lower()
    assert new.unprotect(ResponseApdu.decode(bytes.fromhex(select["protected_response"]))).sw == 0x9000
    assert new.ssc.to_bytes(new.suite.ssc_size, "big").hex() == after["SSC_after_select"]


def test_a_forged_chip_fails_the_first_mac_under_the_new_keys():
    ex = EXAMPLES[0]
    infos = parse_security_infos(bytes.fromhex(ex["DG14"]))
    new = chip_authentication(Recorded(sm_of(ex["sm_before"]), ex["apdus"]), infos,
                              private_key=int(ex["terminal_ephemeral_private"], 16))
    new.protect(SELECT_DG14)
    forged = bytearray(bytes.fromhex(ex["apdus"][-1]["protected_response"]))
    forged[-3] ^= 1
    with pytest.raises(SecureMessagingError):
        new.unprotect(ResponseApdu.decode(bytes(forged)))


def test_no_ca_key_in_dg14_is_an_access_error():
    infos = parse_security_infos(bytes.fromhex("3100"))
    with pytest.raises(AccessError):
        chip_authentication(lambda c: ResponseApdu(b"", 0x9000), infos)


def test_card_error_at_mse_names_the_step():
    infos = parse_security_infos(bytes.fromhex(EXAMPLES[0]["DG14"]))
    with pytest.raises(AccessError) as err:
        chip_authentication(lambda c: ResponseApdu(b"", 0x6A80), infos)
    assert err.value.step == "CA MSE:Set AT" and err.value.sw == 0x6A80


# -- against the simulator ---------------------------------------------------------------
SK_IC = 0x107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A
DOMAIN = standardized(13)


def dg14_infos(protocol: Oid = Oid.CA_ECDH_AES_CBC_CMAC_128, with_info: bool = True):
    key = ChipAuthenticationPublicKeyInfo(Oid.PK_ECDH, DOMAIN, DOMAIN.public_key(SK_IC))
    infos = [key] + ([ChipAuthenticationInfo(protocol, 1)] if with_info else [])
    return parse_security_infos(build_security_infos(infos))


def card_in_session(protocols=(Oid.CA_ECDH_AES_CBC_CMAC_128,)) -> tuple[SimCard, SmState]:
    image = CardImage({DataGroup.DG14.fid: b"\x6e\x00"}, {}, {})
    card = SimCard(image, CardConfig(), handlers=[CaCardHandler(CaCardConfig(SK_IC, DOMAIN, tuple(protocols)))])
    old = SmState(AES128, b"\x11" * 16, b"\x22" * 16, 0)
    card.sm = SmState(AES128, old.ks_enc, old.ks_mac, 0)  # as after PACE
    card.state.access = True
    return card, old


def protected(card: SimCard, sm: SmState):
    return lambda cmd: sm.unprotect(ResponseApdu.decode(card.transmit(sm.protect(cmd).encode())))


@pytest.mark.parametrize(
    "protocol,with_info,cipher",
    [(Oid.CA_ECDH_AES_CBC_CMAC_128, True, "AES-128"), (Oid.CA_ECDH_3DES_CBC_CBC, True, "3DES"), (None, False, "3DES")],
    ids=["AT+GA AES", "AT+GA 3DES", "KAT 3DES"],
)
def test_chip_authentication_against_the_simulator(protocol, with_info, cipher):
    card, old = card_in_session([protocol] if protocol else [])
    new = chip_authentication(protected(card, old), dg14_infos(protocol or Oid.CA_ECDH_3DES_CBC_CBC, with_info))
    assert new.suite.name == cipher and card.sm.ks_enc == new.ks_enc and card.sm.ssc == 0
    send = protected(card, new)
    assert send(CommandApdu(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001"))).sw == 0x9000
    assert send(SELECT_DG14).sw == 0x9000


def test_simulated_chip_with_another_key_fails_the_first_read():
    card, old = card_in_session()
    card.handlers[0].config.private_key = SK_IC + 1
    new = chip_authentication(protected(card, old), dg14_infos())
    with pytest.raises(SecureMessagingError, match="6988"):  # the chip cannot check our MAC
        protected(card, new)(SELECT_DG14)
    assert card.sm is None
