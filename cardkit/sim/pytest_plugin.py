# SPDX-License-Identifier: Apache-2.0
"""pytest plugin (entry point ``pytest11``): virtual CCCD cards for your own tests.

Fixtures:

``cardkit_card``
    factory ``cardkit_card(person=None, profile="cccd2021", faults=(), eac=False)`` -> an
    in-process :class:`~cardkit.transport.base.Connection` to a simulated card; ``.card`` is the
    chip, ``.image.meta`` its access data (``id``, ``dob``, ``expiry``, ``can``, ``mrz``);
    ``eac=True``: DG3/DG4 open only after Terminal Authentication by a chain of the simulator's
    CVCA (``cardkit.sim.eac.sim_eac_pki()``, ``cardkit sim make-terminal``).
``cardkit_reader``
    factory with the same arguments that serves the card to the real pcscd through vpcd and
    returns the PC/SC reader name; any PC/SC code (pyscard, your own) can then read it.
    Starts pcscd when it is not running; skips when pcscd/vpcd are not installed.

Example::

    def test_my_clinic_app_reads_a_cccd(cardkit_reader):
        reader = cardkit_reader(person="tran-thi-bich")
        patient = my_app.read_patient(reader, id_number="079301012345")
        assert patient.name == "Trần Thị Bích"
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest


def _image(person: str | None, profile: str, content_faults=()):
    from cardkit.sim.population import builtin_card

    return builtin_card(person, profile=profile, faults=tuple(content_faults))


@pytest.fixture
def cardkit_card():
    from cardkit.sim.factory import make_card
    from cardkit.sim.faults import split_faults
    from cardkit.transport.inproc import InProcessConnection

    def factory(person: str | None = None, profile: str = "cccd2021", faults=(), eac: bool = False):
        from cardkit.sim.eac import trust_point

        runtime, content = split_faults(faults)
        image = _image(person, profile, content)
        conn = InProcessConnection(make_card(image, runtime, eac=trust_point() if eac else None))
        conn.image = image  # type: ignore[attr-defined]
        return conn

    return factory


@pytest.fixture(scope="session")
def _cardkit_pcscd():
    if not (shutil.which("pcscd") or Path("/usr/sbin/pcscd").exists()):
        pytest.fail("pcscd is not installed: apt-get install pcscd vsmartcard-vpcd (end-to-end tests must "
                    "run, not skip)")
    from cardkit.sim.pcscd import Pcscd

    daemon = Pcscd().start()
    yield daemon
    daemon.stop()


def _wait_present(name: str, present: bool, timeout: float = 10.0) -> None:
    from cardkit.errors import CardkitError
    from cardkit.transport.pcsc import list_readers

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if any(r.name == name and r.card_present() == present for r in list_readers()):
                return
        except CardkitError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{name}: card_present={present} not reached")


@pytest.fixture
def cardkit_reader(_cardkit_pcscd):
    from cardkit.sim.factory import make_card
    from cardkit.sim.faults import split_faults
    from cardkit.sim.vpcd import VpcdBridge

    bridges = []

    def factory(person: str | None = None, profile: str = "cccd2021", faults=(), slot: int = 0) -> str:
        runtime, content = split_faults(faults)
        bridge = VpcdBridge(make_card(_image(person, profile, content), runtime), port=35963 + slot)
        thread = threading.Thread(target=bridge.serve_forever, daemon=True)
        thread.start()
        bridges.append((bridge, thread, slot))
        name = f"Virtual PCD 00 {slot:02d}"
        _wait_present(name, True)
        return name

    yield factory
    for bridge, thread, slot in bridges:
        bridge.stop()
        thread.join(5)
        _wait_present(f"Virtual PCD 00 {slot:02d}", False)
