# SPDX-License-Identifier: Apache-2.0
"""The desk state is frozen and replaced; the app's fields are read-only views of it."""

from __future__ import annotations

import dataclasses

import pytest

from cardkit.tui.state import DeskState, Progress, read_only_fields


def test_without_card_drops_the_card_and_keeps_the_key():
    desk = DeskState(holder="someone", face=b"jpeg", key_text="001090012345", qr="qr", reading=True,
                     progress=Progress("DG2", 10, 20), status=("Đang đọc", "info"))
    after = desk.without_card()
    assert (after.holder, after.face, after.checkin, after.bhyt, tuple(after.progress)) == (
        None, None, None, None, ("", 0, None))
    assert (after.key_text, after.qr, after.reading, after.status) == ("001090012345", "qr", True, ("Đang đọc", "info"))
    assert desk.face == b"jpeg"  # the old state is untouched
    with pytest.raises(dataclasses.FrozenInstanceError):
        desk.reading = False


def test_read_only_fields_view_the_desk():
    @read_only_fields
    class Host:
        desk = DeskState(key_text="042")

    host = Host()
    assert (host.key_text, host.reading, host.checkin) == ("042", False, None)
    with pytest.raises(AttributeError):
        host.reading = True
