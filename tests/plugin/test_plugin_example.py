# SPDX-License-Identifier: Apache-2.0
"""The pytest plugin as a downstream developer uses it (the README shows the first test).

These tests use only the plugin's fixtures and public cardkit APIs, like an integrator's suite.
"""

import pytest

from cardkit.icao.keys import cccd_can
from cardkit.icao.session import AccessSpec, read_card
from cardkit.icao.lds.ef import DataGroup


def test_my_integration_reads_a_virtual_cccd(cardkit_reader):
    from cardkit.transport.pcsc import find_reader

    reader = cardkit_reader(person="tran-thi-ngoc-anh")
    with find_reader(reader).connect() as conn:
        read = read_card(conn, AccessSpec(can=cccd_can("079185004217")))
    assert read.access.protocol == "PACE" and DataGroup.DG13 in read.files


def test_in_process_card_with_a_fault(cardkit_card):
    from cardkit.errors import CardRemovedError

    conn = cardkit_card(faults=["remove-during:DG2"])
    with pytest.raises(CardRemovedError):
        read_card(conn, AccessSpec(can=cccd_can(conn.image.meta["id"])))


def test_in_process_card_exposes_its_keys(cardkit_card):
    conn = cardkit_card(profile="cancuoc2024")
    meta = conn.image.meta
    assert len(meta["id"]) == 12 and meta["can"] == meta["id"][-6:]
    read = read_card(conn, AccessSpec(can=cccd_can(meta["id"])))
    from cardkit.icao.lds.dg1 import parse_dg1

    assert parse_dg1(read.files[DataGroup.DG1]).mrz.id_number == meta["id"]
