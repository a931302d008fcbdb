# SPDX-License-Identifier: Apache-2.0
"""The ISO/IEC 14443-4 link model (cardkit.transport.link): exact times for known exchanges."""

import pytest

from cardkit.errors import InputError
from cardkit.transport.link import BITRATES, LinkModel, parse_link


def test_defaults_are_the_issue_s():
    m = LinkModel()
    assert (m.bitrate, m.t_apdu, m.fsc, m.framing, m.t_frame) == (424_000, 0.005, 256, 3, 0.0003)
    assert BITRATES == (106_000, 212_000, 424_000, 848_000)


@pytest.mark.parametrize("n,frames", [(0, 1), (1, 1), (253, 1), (254, 2), (506, 2), (507, 3), (65538, 260)])
def test_frames_hold_fsc_minus_framing_bytes(n, frames):
    m = LinkModel()
    assert m.frames(n) == frames
    assert m.air_bytes(n) == n + 3 * frames


def test_an_extended_read_of_a_1024_byte_block():
    m = LinkModel(bitrate=106_000)
    cmd, resp = 7 + 12 + 11, 1024 + 2 + 4 + 10 + 16  # a protected READ BINARY, Le 1024, under AES SM
    air = m.air_bytes(cmd) + m.air_bytes(resp)
    assert air == 30 + 3 + 1056 + 3 * 5
    assert m.exchange(cmd, resp) == pytest.approx(0.005 + 8 * air / 106_000 + 4 * 0.0003)


def test_a_smaller_fsc_chains_more():
    assert LinkModel(fsc=64).frames(1000) == 17  # 61 bytes a frame
    assert LinkModel(fsc=64).exchange(0, 1000) > LinkModel().exchange(0, 1000)


def test_floor_is_the_file_bits_plus_the_handshake():
    m = LinkModel(bitrate=212_000)
    assert m.floor(21_200, 0.05) == pytest.approx(0.8 + 0.05)


@pytest.mark.parametrize("spec,model", [
    ("424k", LinkModel()),
    ("106k:5ms", LinkModel(bitrate=106_000)),
    ("848k:2ms,fsc=128,frame=0.5ms", LinkModel(bitrate=848_000, t_apdu=0.002, fsc=128, t_frame=0.0005)),
    ("1m:0", LinkModel(bitrate=1_000_000, t_apdu=0.0)),
])
def test_parse(spec, model):
    assert parse_link(spec) == model


@pytest.mark.parametrize("spec", ["fast", "424k:xms", "424k,fsc=2", "0k", "424k,mtu=9", "-1k"])
def test_bad_specs_are_input_errors(spec):
    with pytest.raises(InputError):
        parse_link(spec)
