# SPDX-License-Identifier: Apache-2.0
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cardkit.discrepancy import Discrepancy, Severity
from cardkit.errors import InputError
from cardkit.registry.journal import CheckInRecord, Journal
from cardkit.registry.store import open_store

T0 = datetime(2025, 6, 30, 8, 0, tzinfo=UTC)


def _rec(i: int = 0, **kw) -> CheckInRecord:
    d = Discrepancy("dob_mismatch", "date_of_birth", Severity.BLOCKING, "chip", "1990-01-01", "registry",
                    "1991-01-01", "Ngày sinh khác hồ sơ", "date of birth differs").to_dict()
    base = dict(at=T0 + timedelta(minutes=i), station="desk-1", operator="lan", access_method="PACE-CAN",
                match_outcome="exact_id", id_number="001090012345", matched_key="001090012345",
                match_score=100.0, overall_verdict="VALID",
                verdicts=[{"check": "passive_auth", "result": "VALID", "reason": ""}], discrepancies=[d])
    return CheckInRecord(**{**base, **kw})


def test_append_and_list_round_trip(store):
    j = Journal(store)
    rec = _rec()
    seq = j.append(rec)
    [got] = j.list()
    assert got.seq == seq and got.to_dict() == {**rec.to_dict(), "seq": seq}


def test_append_is_idempotent_per_checkin_id(store):
    j = Journal(store)
    rec = _rec()
    assert j.append(rec) == j.append(rec) and j.count() == 1


def test_list_filters_by_since_and_query(store):
    j = Journal(store)
    for i in range(5):
        j.append(_rec(i, station=f"desk-{i % 2}", id_number=f"00109001234{i}"))
    assert [r.id_number for r in j.list(since=T0 + timedelta(minutes=3))] == ["001090012343", "001090012344"]
    assert len(j.list(query="desk-1")) == 2 and len(j.list(query="001090012342")) == 1
    assert len(j.list(limit=2)) == 2


def test_naive_time_and_face_image_are_refused(store):
    with pytest.raises(InputError):
        Journal(store).append(_rec(at=datetime(2025, 1, 1)))
    with pytest.raises(InputError):
        Journal(store).append(_rec(extra={"face": "jpeg..."}))


def test_kill_9_during_writes_keeps_every_committed_checkin(db_url):
    open_store(db_url).close()  # migrate first, so the child only appends
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("journal_writer.py")), db_url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    acked = []
    deadline = time.monotonic() + 20
    while len(acked) < 150 and time.monotonic() < deadline:
        line = child.stdout.readline()
        if not line:
            break
        acked.append(line.strip())
    child.send_signal(signal.SIGKILL)
    rest, err = child.communicate()
    acked += rest.split()
    assert len(acked) >= 150, err
    with open_store(db_url) as store:
        assert store.integrity_ok()
        records = Journal(store).list()
        assert len(records) >= len(acked)
        assert set(acked) <= {r.checkin_id for r in records}
        Journal(store).append(_rec())  # and the store still takes writes
