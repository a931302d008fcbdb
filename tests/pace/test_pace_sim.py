# SPDX-License-Identifier: Apache-2.0
"""Terminal side against the simulated chip's PACE handler, in process."""

import pytest

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.errors import WrongKeyError
from cardkit.icao.domain import standardized
from cardkit.icao.keys import MrzKey, PasswordType, SecretPassword, can
from cardkit.icao.lds.com import build_com
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.lds.security_infos import PaceInfo, build_security_infos, parse_security_infos
from cardkit.icao.oids import Oid
from cardkit.icao.pace import pace
from cardkit.sim.card import CardConfig, SimCard
from cardkit.sim.image import CardImage
from cardkit.sim.pace_card import PaceCardConfig, PaceCardHandler

CCCD_CARD_ACCESS = bytes.fromhex(
    "3134300d060804007f00070202020201 01300f060a04007f000702020302020201 "
    "013012060a04007f0007020204020202 010202010d".replace(" ", "")
)
MRZ = MrzKey.create("090012345", "900101", "300101")
CAN = "012345"
COM = build_com([DataGroup.DG1, DataGroup.DG2, DataGroup.DG13])
SELECT_APPLET = CommandApdu(0x00, 0xA4, 0x04, 0x0C, bytes.fromhex("A0000002471001"))


def make_card(card_access: bytes = CCCD_CARD_ACCESS, pace_config: PaceCardConfig | None = None) -> SimCard:
    image = CardImage({DataGroup.COM.fid: COM}, {DataGroup.CARD_ACCESS.fid: card_access}, {})
    config = CardConfig(mrz_key=MRZ, can=CAN)
    return SimCard(image, config, handlers=[PaceCardHandler(pace_config)])


def sender(card: SimCard):
    return lambda cmd: ResponseApdu.decode(card.transmit(cmd.encode()))


def read_com_under(sm, card: SimCard) -> bytes:
    send = sender(card)
    for cmd in (SELECT_APPLET, CommandApdu(0x00, 0xA4, 0x02, 0x0C, b"\x01\x1e"), CommandApdu(0x00, 0xB0, 0, 0, le=256)):
        resp = sm.unprotect(send(sm.protect(cmd)))
        assert resp.sw in (0x9000, 0x6282), f"{cmd}: {resp.sw:04X}"
    return resp.data


def only_pace_info(card_access: bytes) -> PaceInfo:
    (info,) = parse_security_infos(card_access).pace_infos
    return info


@pytest.mark.parametrize("password", [can(CAN), MRZ], ids=["CAN", "MRZ"])
def test_cccd_pace_gm_ecdh_brainpool_aes128_opens_an_aes_session(password):
    card = make_card()
    result = pace(sender(card), password, only_pace_info(CCCD_CARD_ACCESS))
    assert (result.mapping, result.cipher, result.key_agreement) == ("GM", "AES-128", "ECDH")
    assert result.sm.ssc == 0 and card.sm is not None and card.sm.ks_enc == result.sm.ks_enc
    assert read_com_under(result.sm, card) == COM


def test_wrong_can_is_a_wrong_key_and_opens_no_session():
    card = make_card()
    with pytest.raises(WrongKeyError) as err:
        pace(sender(card), can("999999"), only_pace_info(CCCD_CARD_ACCESS))
    assert err.value.sw == 0x6300 and err.value.step.startswith("GA step 4")
    assert card.sm is None
    assert sender(card)(CommandApdu(0x00, 0xB0, 0x9E, 0, le=256)).sw != 0x9000


def test_a_second_run_after_a_wrong_password_succeeds():
    card = make_card()
    with pytest.raises(WrongKeyError):
        pace(sender(card), can("111111"), only_pace_info(CCCD_CARD_ACCESS))
    result = pace(sender(card), can(CAN), only_pace_info(CCCD_CARD_ACCESS))
    assert read_com_under(result.sm, card) == COM


VARIANTS = [
    (Oid.PACE_DH_GM_AES_CBC_CMAC_128, 0),
    (Oid.PACE_ECDH_GM_AES_CBC_CMAC_256, 12),
    (Oid.PACE_ECDH_GM_3DES_CBC_CBC, 13),
    (Oid.PACE_ECDH_IM_AES_CBC_CMAC_128, 13),
]


@pytest.mark.parametrize("oid,pid", VARIANTS, ids=lambda v: getattr(v, "name", str(v)))
def test_other_variants_against_the_simulator(oid, pid):
    card_access = build_security_infos([PaceInfo(oid, 2, pid)])
    card = make_card(card_access)
    result = pace(sender(card), MRZ, only_pace_info(card_access))
    assert result.protocol is oid
    assert read_com_under(result.sm, card) == COM


ROUND_TRIPS = [
    (Oid.PACE_ECDH_IM_3DES_CBC_CBC, 13),
    (Oid.PACE_ECDH_IM_AES_CBC_CMAC_192, 16),
    (Oid.PACE_ECDH_IM_AES_CBC_CMAC_256, 17),
    (Oid.PACE_DH_IM_3DES_CBC_CBC, 0),
    (Oid.PACE_DH_IM_AES_CBC_CMAC_128, 1),
    (Oid.PACE_DH_IM_AES_CBC_CMAC_256, 2),
]


@pytest.mark.parametrize("oid,pid", ROUND_TRIPS, ids=lambda v: getattr(v, "name", str(v)))
def test_integrated_mapping_round_trip_with_the_simulator(oid, pid):
    card_access = build_security_infos([PaceInfo(oid, 2, pid)])
    card = make_card(card_access)
    sent = []

    def send(cmd):
        sent.append(cmd)
        return sender(card)(cmd)

    result = pace(send, MRZ, only_pace_info(card_access))
    assert (result.protocol, result.mapping) == (oid, "IM")
    assert len(sent[2].data) == 4 + result.sm.suite.key_size  # GA step 2: 7C L 81 L t (k bits)
    assert read_com_under(result.sm, card) == COM


def test_pace_cam_against_the_simulator_verifies_the_chip_key():
    sk_ic = 0x86C88A4579CE48135878E6348A734B5D47CE5BC1E54C0E8978687B49FDE2E2C2
    pk_ic = standardized(13).public_key(sk_ic)
    card_access = build_security_infos([PaceInfo(Oid.PACE_ECDH_CAM_AES_CBC_CMAC_128, 2, 13)])
    card = make_card(card_access, PaceCardConfig(cam_private_key=sk_ic))
    result = pace(sender(card), SecretPassword(PasswordType.CAN, CAN), only_pace_info(card_access), chip_public_key=pk_ic)
    assert result.mapping == "CAM" and result.cam is not None
    result.cam.verify(pk_ic)
    assert read_com_under(result.sm, card) == COM


def test_card_rejects_an_invalid_terminal_point():
    card = make_card()
    send = sender(card)
    assert send(CommandApdu(0x00, 0x22, 0xC1, 0xA4, bytes.fromhex("800a04007f00070202040202830102"))).sw == 0x9000
    assert send(CommandApdu(0x10, 0x86, 0, 0, bytes.fromhex("7c00"), le=256)).sw == 0x9000
    bad = bytes.fromhex("7c4381410400") + bytes(63)
    assert send(CommandApdu(0x10, 0x86, 0, 0, bad, le=256)).sw == 0x6A80
    assert card.sm is None


def test_card_refuses_an_unknown_password_reference_or_protocol():
    card = make_card()
    send = sender(card)
    assert send(CommandApdu(0x00, 0x22, 0xC1, 0xA4, bytes.fromhex("800a04007f00070202040202830103"))).sw == 0x6A88
    assert send(CommandApdu(0x00, 0x22, 0xC1, 0xA4, bytes.fromhex("800a04007f00070202040102830102"))).sw == 0x6A88


def test_reading_session_opens_the_simulated_cccd_with_pace(minimal_card_image):
    from cardkit.icao.keys import cccd_can
    from cardkit.icao.session import AccessSpec, read_card
    from cardkit.transport.inproc import InProcessConnection

    minimal_card_image.mf_files[DataGroup.CARD_ACCESS.fid] = CCCD_CARD_ACCESS
    can_value = minimal_card_image.meta["can"]
    card = SimCard(minimal_card_image, CardConfig(can=can_value), handlers=[PaceCardHandler()])
    read = read_card(InProcessConnection(card), AccessSpec(can=cccd_can("001090" + can_value)))
    assert (read.access.protocol, read.access.mapping, read.access.cipher) == ("PACE", "GM", "AES-128")
    assert {DataGroup.COM, DataGroup.DG1, DataGroup.DG13} <= set(read.files)


@pytest.mark.parametrize("kind,value", [(PasswordType.PIN, "123456"), (PasswordType.PUK, "9876543210")])
def test_pin_and_puk_passwords(kind, value):
    card = make_card(pace_config=PaceCardConfig(pin="123456", puk="9876543210"))
    result = pace(sender(card), SecretPassword(kind, value), only_pace_info(CCCD_CARD_ACCESS))
    assert read_com_under(result.sm, card) == COM
    card = make_card(pace_config=PaceCardConfig(pin="123456", puk="9876543210"))
    with pytest.raises(WrongKeyError):
        pace(sender(card), SecretPassword(kind, "000000"), only_pace_info(CCCD_CARD_ACCESS))
