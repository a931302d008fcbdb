# SPDX-License-Identifier: Apache-2.0
"""The personalised demo card read through the host session, in process, verifies VALID."""

import pytest
from sim_issuer.conftest import NOW

from cardkit.icao.keys import MrzKey, cccd_can
from cardkit.icao.lds.ef import DataGroup
from cardkit.icao.verdict import Status
from cardkit.sim.factory import make_card, mrz_key_of
from cardkit.sim.issuer import personalise
from cardkit.sim.population import person
from cardkit.transport.inproc import InProcessConnection


@pytest.mark.parametrize("policy", ["bac", "auto"])
def test_personalised_card_reads_and_verifies(pki, trust, policy):
    from cardkit.icao import reading as session
    from cardkit.icao.session import AccessSpec

    img = personalise(person("nguyen-van-an").data(), profile="cccd2021", pki=pki, seed=2)
    card = make_card(img)
    key = mrz_key_of(img)
    access = AccessSpec(mrz_key=MrzKey.create(key.document_number, key.date_of_birth, key.date_of_expiry),
                        can=cccd_can(img.meta["id"]), policy=policy)
    result = session.read_and_verify(InProcessConnection(card), access, trust=trust, now=NOW)
    assert result.pa is not None and result.pa.overall is Status.VALID, result.pa.to_dict()
    assert set(result.read.files) >= {DataGroup.COM, DataGroup.SOD, DataGroup.DG1, DataGroup.DG2, DataGroup.DG13,
                                     DataGroup.DG14, DataGroup.DG15}
