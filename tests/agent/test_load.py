# SPDX-License-Identifier: Apache-2.0
"""Many desks: 20 agents (real uvicorn servers, in-process virtual cards) doing check-ins at once
against one PostgreSQL started by the test: nothing lost, no duplicate check-in ids.
(The latency figures are the benchmark's business: ``cardkit bench agent``.)"""

from __future__ import annotations

import psycopg
import pytest

from cardkit.cli.bench_agent import percentile, run_desks
from cardkit.registry.journal import Journal
from cardkit.registry.store import open_store

pytestmark = pytest.mark.postgres
DESKS, CHECKINS = 20, 3


def test_twenty_desks_check_in_concurrently_on_one_postgresql(postgres_server):
    with psycopg.connect(postgres_server, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA agent_load")
    url = f"{postgres_server}?options=-csearch_path%3Dagent_load"
    run = run_desks(url, desks=DESKS, checkins=CHECKINS)
    assert run.failures == []
    assert len(run.results) == DESKS * CHECKINS
    ids = [r[1] for r in run.results]
    assert len(set(ids)) == len(ids)
    assert len({r[2] for r in run.results}) == len(ids)  # journal sequence numbers too
    with open_store(url) as store:
        journal = Journal(store).list()
    assert sorted(j.checkin_id for j in journal) == sorted(ids)
    by_id = {j.checkin_id: j for j in journal}
    for desk, cid, seq, _ in run.results:
        row = by_id[cid]
        assert (row.station, row.seq, row.overall_verdict, row.match_outcome, row.extra["origin"]) == (
            desk, seq, "VALID", "exact_id", f"app:{desk}")
    per_desk = {}
    for desk, *_ in run.results:
        per_desk[desk] = per_desk.get(desk, 0) + 1
    assert per_desk == {f"desk-{i:02d}": CHECKINS for i in range(DESKS)}


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50.0, 99.0, 100.0)
    assert percentile([7.0], 99) == 7.0
