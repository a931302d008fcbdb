# SPDX-License-Identifier: Apache-2.0
"""Reading a card that misbehaves: each fault has one pinned outcome."""

import pytest

from cardkit.errors import CardRemovedError, ParseError, SecureMessagingError, WrongKeyError
from cardkit.icao.keys import MrzKey, cccd_mrz_key
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.session import AccessSpec, FileEvent, read_card
from cardkit.sim.factory import make_card
from cardkit.transport.inproc import InProcessConnection

KEY = AccessSpec(mrz_key=cccd_mrz_key("001090012345", "1990-01-01", "2030-01-01"))


def _read(image, faults=(), access=KEY, progress=None, extended=True):
    card = make_card(image, faults)
    return read_card(InProcessConnection(card, extended_length=extended), access, progress=progress), card


def _assert_identical(read, image):
    for dg in (DataGroup.COM, DataGroup.SOD, DataGroup.DG1, DataGroup.DG2, DataGroup.DG13):
        assert read.files[dg] == image.app_files[dg.fid], dg.label


def test_reads_every_file_byte_identical(minimal_card_image):
    read, _ = _read(minimal_card_image)
    _assert_identical(read, minimal_card_image)
    assert read.errors == {DataGroup.DG3: "not readable: protected (6982)"}
    assert read.access.protocol == "BAC"


def test_short_apdus_only_use_223_byte_blocks(minimal_card_image):
    read, _ = _read(minimal_card_image, extended=False)
    _assert_identical(read, minimal_card_image)
    assert read.apdus > 90  # 20 KB of DG2 in 223-byte blocks


def test_wrong_mrz_key_is_access_denied(minimal_card_image):
    bad = AccessSpec(mrz_key=MrzKey.create("090012345", "900101", "300102"))
    with pytest.raises(WrongKeyError) as err:
        _read(minimal_card_image, access=bad)
    assert "Sai khóa" in err.value.message_vi


def test_card_removed_mid_dg2_is_a_transport_error_with_nothing_presented(minimal_card_image):
    events: list[FileEvent] = []
    with pytest.raises(CardRemovedError):
        _read(minimal_card_image, ["remove-during:DG2"], progress=events.append)
    done = [e.name for e in events if e.kind == "done"]
    assert "DG2" not in done and "DG13" in done  # DG2 never reported complete


def test_card_removed_after_n_apdus(minimal_card_image):
    with pytest.raises(CardRemovedError):
        _read(minimal_card_image, ["remove-after:6"])


def test_wrong_mac_in_a_response_discards_the_data(minimal_card_image):
    with pytest.raises(SecureMessagingError, match="MAC"):
        _read(minimal_card_image, ["bad-mac:3"])


@pytest.mark.parametrize("fault", ["max-le:128", "max-le:100:6C", "eof-6282", "max-le:200"])
def test_reader_steps_down_and_still_reads_everything(minimal_card_image, fault):
    read, _ = _read(minimal_card_image, [fault])
    _assert_identical(read, minimal_card_image)


def test_hostile_card_claiming_a_huge_file_gives_a_parse_error(minimal_card_image):
    minimal_card_image.app_files[DataGroup.COM.fid] = bytes.fromhex("6084 7fffffff") + b"\x00" * 16
    with pytest.raises(ParseError):
        _read(minimal_card_image)


def test_hostile_card_with_a_file_shorter_than_its_header(minimal_card_image):
    dg13 = minimal_card_image.app_files[DataGroup.DG13.fid]
    minimal_card_image.app_files[DataGroup.DG13.fid] = dg13[: len(dg13) // 2]
    with pytest.raises(ParseError, match="ended after"):
        _read(minimal_card_image)


def test_malformed_ef_com_is_advisory_and_nothing_unsigned_decides_what_is_read(minimal_card_image):
    minimal_card_image.app_files[DataGroup.COM.fid] = bytes.fromhex("6006 5f0102 3031 5c")  # 5C truncated
    read, _ = _read(minimal_card_image)
    # EF.COM is kept as read; the placeholder EF.SOD lists nothing parseable, so nothing else is read
    assert set(read.files) == {DataGroup.COM, DataGroup.SOD}
    assert read.files[DataGroup.COM] == minimal_card_image.app_files[DataGroup.COM.fid]
