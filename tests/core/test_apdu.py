# SPDX-License-Identifier: Apache-2.0
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardkit.apdu import CommandApdu, ResponseApdu, StatusWord, sw_name
from cardkit.errors import CardkitError, ParseError

CASES = [
    # case 1, 2S, 3S, 4S, 2E, 3E, 4E (ISO/IEC 7816-3 §12.1.3)
    (CommandApdu(0x00, 0x84, 0, 0), "00840000"),
    (CommandApdu(0x00, 0x84, 0, 0, le=8), "0084000008"),
    (CommandApdu(0x00, 0xB0, 0, 0, le=256), "00b0000000"),
    (CommandApdu(0x00, 0xA4, 2, 0x0C, b"\x01\x1e"), "00a4020c02011e"),
    (CommandApdu(0x10, 0x86, 0, 0, b"\x7c\x00", le=256), "10860000027c0000"),
    (CommandApdu(0x00, 0xB0, 0, 0, le=1024), "00b00000000400"),
    (CommandApdu(0x00, 0xB0, 0, 0, le=65536), "00b00000000000"),
    (CommandApdu(0x00, 0xD6, 0, 0, b"\xaa" * 300), "00d6000000012c" + "aa" * 300),
    (CommandApdu(0x0C, 0xB0, 0, 0, b"\x97\x02\x04\x00", le=65536, extended=True), "0cb0000000000497020400" + "0000"),
]


@pytest.mark.parametrize("cmd, hexstr", CASES)
def test_command_encoding_and_decoding(cmd, hexstr):
    assert cmd.encode().hex() == hexstr
    back = CommandApdu.decode(bytes.fromhex(hexstr))
    assert (back.cla, back.ins, back.p1, back.p2, back.data, back.le) == (cmd.cla, cmd.ins, cmd.p1, cmd.p2, cmd.data, cmd.le)


@pytest.mark.parametrize("raw", ["00a4", "00a4020c05011e", "00a4020c0000", "00b000000004"])
def test_malformed_commands_raise_parse_error(raw):
    with pytest.raises(ParseError):
        CommandApdu.decode(bytes.fromhex(raw))


def test_status_words_known_and_unknown_are_kept():
    assert StatusWord.of(0x6982) is StatusWord.SECURITY_STATUS_NOT_SATISFIED
    assert StatusWord.of(0x6A99) == 0x6A99 and not isinstance(StatusWord.of(0x6A99), StatusWord)
    assert "WRONG_LE(exact 223)" in sw_name(0x6CDF)
    assert "tries left 2" in sw_name(0x63C2)
    r = ResponseApdu.decode(bytes.fromhex("01029000"))
    assert r.ok and r.data == b"\x01\x02" and r.encode().hex() == "01029000"


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=600))
def test_fuzz_command_decode_only_parse_errors(data):
    try:
        cmd = CommandApdu.decode(data)
    except CardkitError:
        return
    assert CommandApdu.decode(cmd.encode()).data == cmd.data
