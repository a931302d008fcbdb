# SPDX-License-Identifier: Apache-2.0
"""``station_tui.py --demo``: everything a newcomer needs on a fresh machine, under
``$CARDKIT_HOME/demo``: pcscd (started if not running), the bundled virtual card served to the
vpcd driver (port 35963, reader "Virtual PCD 00 00"), a synthetic registry in SQLite that
includes the card's holder (so the check-in finds a match, with valid health insurance), a
trust store holding the simulator's test CSCA (so the card verifies as VALID), and the local
stand-in of the BHXH gateway on 127.0.0.1 (any free port; its account written 0600 to
``demo/bhyt.toml``) so the clinic panel shows a BHYT status looked up over HTTP.

The TUI may use the simulator; the library never does (import-linter contract).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import date
from pathlib import Path

from cardkit.errors import TransportError
from cardkit.home import cardkit_home
from cardkit.person import PersonData
from cardkit.station.config import StationConfig

logger = logging.getLogger(__name__)

READER = "Virtual PCD 00 00"
PORT = 35963
SYNTHETIC_RESIDENTS = 2000
DEMO_OPERATOR = ("Nguyễn Thị Lan", "001099012345")


def demo_resident(person, *, today: date | None = None):
    """The demo holder as a clinic registry knows them, insured for the current year."""
    from cardkit.registry.row import Resident

    year = (today or date.today()).year
    return Resident(
        id_number=person.id_number, old_id_number=person.old_id_number, full_name=person.full_name,
        date_of_birth=person.date_of_birth, sex=person.sex, place_of_origin=person.place_of_origin,
        residence=person.residence, ethnicity=person.ethnicity, religion=person.religion,
        card_issue_date=person.issue_date, card_expiry_date=person.expiry_date,
        insurance_code="DN4010123456789", insurance_valid_from=date(year, 1, 1),
        insurance_valid_to=date(year, 12, 31), insurance_facility="Bệnh viện Đa khoa Thành phố Hà Nội",
    )


def build_registry(url: str, holder) -> None:
    from cardkit.registry.store import open_store
    from cardkit.registry.synth import Synth

    with open_store(url) as store:
        if store.get(holder.id_number) is None:
            synth = Synth(seed=1)
            with store.bulk_load():
                store.upsert(synth.resident() for _ in range(SYNTHETIC_RESIDENTS))
            store.upsert([demo_resident(holder)])


class Demo:
    def __init__(self, home: Path | None = None, port: int = PORT) -> None:
        self.dir = (home or cardkit_home()) / "demo"
        self.port = port
        self.pcscd = None
        self.bridge = None
        self.image = None
        self.standin = None

    @property
    def registry_url(self) -> str:
        return str(self.dir / "registry.sqlite3")

    @property
    def trust_path(self) -> str:
        return str(self.dir / "trust")

    def start(self, timeout: float = 15.0) -> Demo:
        from cardkit.sim.factory import make_card
        from cardkit.sim.pcscd import Pcscd
        from cardkit.sim.pki import TestPki
        from cardkit.sim.population import builtin_card
        from cardkit.sim.vpcd import VpcdBridge

        self.dir.mkdir(parents=True, exist_ok=True)
        self.pcscd = Pcscd(log=self.dir / "pcscd.log").start()
        self.image = builtin_card()
        TestPki().write_trust(self.trust_path)
        build_registry(self.registry_url, PersonData.from_dict(self.image.meta["person"]))
        self._start_standin()
        self.bridge = VpcdBridge(make_card(self.image), port=self.port)
        threading.Thread(target=self.bridge.serve_forever, name="vpcd-demo-card", daemon=True).start()
        self._wait_for_reader(timeout)
        return self

    @property
    def account_path(self) -> Path:
        return self.dir / "bhyt.toml"

    def _start_standin(self) -> None:
        from cardkit.insurance.settings import GatewayAccount, write_account
        from cardkit.insurance.standin import StandIn, StandInState

        state = StandInState(operators={DEMO_OPERATOR[1]: DEMO_OPERATOR[0]})
        self.standin = StandIn(state).start()
        write_account(self.account_path, GatewayAccount(self.standin.url, state.username, state.password,
                                                        name="stand-in"))

    def _wait_for_reader(self, timeout: float) -> None:
        from cardkit.errors import CardkitError
        from cardkit.transport.pcsc import list_readers

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if any(READER in r.name and r.card_present() for r in list_readers()):
                    return
            except CardkitError:
                pass
            time.sleep(0.2)
        raise TransportError(f"the virtual reader {READER!r} did not show the demo card "
                             "(is vsmartcard-vpcd installed?)",
                             message_vi="Không thấy đầu đọc ảo của bản demo (đã cài vsmartcard-vpcd chưa?).")

    @property
    def qr_text(self) -> str | None:
        return self.image.meta.get("qr") if self.image is not None else None

    def toggle_card(self) -> bool:
        """Pull or put back the virtual card; returns whether it is now inserted."""
        return self.bridge.toggle() if self.bridge is not None else False

    def config(self, base: StationConfig) -> StationConfig:
        operator, operator_id = base.operator or DEMO_OPERATOR[0], base.operator_id or DEMO_OPERATOR[1]
        if self.standin is not None:  # the stand-in knows the demo's operator, as BHXH would
            self.standin.state.operators[operator_id] = operator
        return base.with_(reader=READER, registry_url=self.registry_url, trust_path=self.trust_path,
                          operator=operator, operator_id=operator_id, mode="clinic", insurance="gateway",
                          insurance_account=str(self.account_path))

    def stop(self) -> None:
        if self.standin is not None:
            self.standin.stop()
        if self.bridge is not None:
            self.bridge.stop()
        if self.pcscd is not None:
            self.pcscd.stop()
