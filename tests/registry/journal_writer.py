# SPDX-License-Identifier: Apache-2.0
"""Helper process for the crash test: appends check-ins forever, printing each acknowledged one."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from cardkit.registry.journal import CheckInRecord, Journal
from cardkit.registry.store import open_store


def main(url: str) -> None:
    journal = Journal(open_store(url))
    i = 0
    while True:
        rec = CheckInRecord(
            at=datetime.now(UTC), station="desk-1", operator="op", access_method="PACE-CAN",
            match_outcome="exact_id", id_number=f"001090{i:06d}", verdicts=[{"check": "pa", "result": "VALID"}],
            discrepancies=[{"kind": "name_form", "severity": "info"}] * 3, extra={"pad": "x" * 2000},
        )
        journal.append(rec)
        print(rec.checkin_id, flush=True)  # acknowledged: append() returned, so it is committed
        i += 1


if __name__ == "__main__":
    main(sys.argv[1])
