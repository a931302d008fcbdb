# SPDX-License-Identifier: Apache-2.0
"""The simulated chip keeps the ICAO / ISO 7816-4 rules a real eMRTD keeps."""

import pytest

from cardkit.apdu import CommandApdu, ResponseApdu
from cardkit.icao.bac import bac
from cardkit.icao.sm import SmState
from cardkit.sim.factory import make_card, mrz_key_of


def _tx(card, cmd: CommandApdu) -> ResponseApdu:
    return ResponseApdu.decode(card.transmit(cmd.encode()))


def _sw(card, hexstr: str) -> int:
    return ResponseApdu.decode(card.transmit(bytes.fromhex(hexstr))).sw


@pytest.fixture
def card(minimal_card_image):
    return make_card(minimal_card_image)


def _open(card) -> SmState:
    assert _sw(card, "00a4040c07a0000002471001") == 0x9000
    return bac(lambda c: _tx(card, c), mrz_key_of(card.image))


def _secure(card, sm: SmState, cmd: CommandApdu) -> ResponseApdu:
    return sm.unprotect(_tx(card, sm.protect(cmd)))


def test_data_groups_unreadable_before_access_control(card):
    assert _sw(card, "00a4040c07a0000002471001") == 0x9000
    assert _sw(card, "00a4020c020101") == 0x6982
    assert _sw(card, "00b0810000") == 0x6982  # DG1 by short EF identifier
    assert _sw(card, "00a4020c02011e") == 0x6982  # even EF.COM


def test_select_mf_is_refused_like_the_cccd(card):
    assert _sw(card, "00a4000c023f00") == 0x6982


def test_after_bac_files_read_and_dg3_is_protected(card):
    sm = _open(card)
    assert _secure(card, sm, CommandApdu(0, 0xB0, 0x9E, 0, le=4)).data[:1] == b"\x60"  # EF.COM via SFI
    assert _secure(card, sm, CommandApdu(0, 0xA4, 2, 0x0C, b"\x01\x03")).sw == 0x6982  # DG3 needs TA
    assert _secure(card, sm, CommandApdu(0, 0xA4, 2, 0x0C, b"\x01\x0b")).sw == 0x6A82  # DG11 absent


def test_offset_past_the_end_is_6b00(card):
    sm = _open(card)
    assert _secure(card, sm, CommandApdu(0, 0xA4, 2, 0x0C, b"\x01\x01")).sw == 0x9000
    assert _secure(card, sm, CommandApdu(0, 0xB0, 0x10, 0x00, le=8)).sw == 0x6B00


def test_bad_mac_is_6988_and_ends_the_session(card):
    sm = _open(card)
    protected = bytearray(sm.protect(CommandApdu(0, 0xA4, 2, 0x0C, b"\x01\x01")).encode())
    protected[-3] ^= 0xFF  # inside DO'8E'
    assert _sw(card, protected.hex()) == 0x6988
    assert card.sm is None
    assert _sw(card, "00a4020c020101") == 0x6982  # session gone: back to no access


def test_plain_command_inside_sm_session_ends_it(card):
    _open(card)
    assert _sw(card, "00a4020c020101") == 0x6987
    assert card.sm is None


@pytest.mark.parametrize("raw", ["00", "00a4", "00a4040c05a000", "ffa4040c00", "00ee000000", "00b1000002540100"])
def test_malformed_commands_get_a_status_word_not_a_crash(card, raw):
    sw = _sw(card, raw)
    assert sw >> 8 in (0x67, 0x6A, 0x6D, 0x6E, 0x69, 0x6B)


def test_wrong_mrz_key_is_refused_with_6300(card):
    from cardkit.errors import WrongKeyError
    from cardkit.icao.keys import MrzKey

    _sw(card, "00a4040c07a0000002471001")
    with pytest.raises(WrongKeyError) as err:
        bac(lambda c: _tx(card, c), MrzKey.create("090012345", "900101", "300102"))
    assert err.value.sw == 0x6300 and card.sm is None


def test_odd_ins_b1_reads_above_32767(make_minimal_image):
    from cardkit.icao.files import FileReader
    from cardkit.icao.session import SecureSender

    image = make_minimal_image(dg2_size=40_000)
    card = make_card(image)
    sm = _open(card)
    send = SecureSender(lambda c: _tx(card, c))
    send.sm = sm
    seen = []
    reader = FileReader(lambda c: seen.append(c.ins) or send(c), extended=False)
    assert reader.read_file(0x0102, 0x02) == image.app_files[0x0102]
    assert 0xB1 in seen
