# SPDX-License-Identifier: Apache-2.0
"""The pytest plugin as a downstream developer uses it (the README shows the first test).

These tests use only the plugin's fixtures and public cardkit APIs, like an integrator's suite.
"""

import pytest

from cardkit.icao.keys import cccd_can
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.session import AccessSpec, read_card


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


def test_in_process_eac_card_opens_dg3_to_the_simulators_terminal(cardkit_card):
    from cardkit.icao.reading import read_and_verify
    from cardkit.icao.ta import TerminalCredentials
    from cardkit.sim.eac import sim_eac_pki
    from cardkit.sim.pki import TestPki
    from cardkit.trustdir import load_trust_store

    conn = cardkit_card(profile="cancuoc2024", eac=True)
    pki = sim_eac_pki()
    terminal = TerminalCredentials((pki.dv.certificate, pki.terminal.certificate), pki.terminal.terminal_key())
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        TestPki().write_trust(tmp)
        result = read_and_verify(conn, AccessSpec(can=cccd_can(conn.image.meta["id"])), trust=load_trust_store(tmp),
                                 terminal=terminal)
    checks = {v.check: v.status.value for v in result.verdicts}
    assert (result.overall.value, checks["terminal_authentication"], checks["dg_hash:DG3"]) == ("VALID", "VALID", "VALID")
    assert result.read.files[DataGroup.DG3] == conn.image.app_files[DataGroup.DG3.fid]
