# SPDX-License-Identifier: Apache-2.0
from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

from cardkit.cli import main
from cardkit.registry.journal import CheckInRecord, Journal
from cardkit.registry.store import open_store


def run(*argv: str) -> int:
    """The `cardkit` entry point itself (its one-line error handling included)."""
    return main(list(argv))


def test_synth_import_match_journal_discrepancies(db_url, tmp_path, capsys):
    src = tmp_path / "s.csv"
    assert run("registry", "synth", "--count", "200", "--out", str(src), "--seed", "3", "--broken", "0.05") == 0
    capsys.readouterr()
    assert run("registry", "import", str(src), "--db", db_url) == 1  # 1: some rows were rejected
    out, err = capsys.readouterr()
    rejected = [line for line in err.splitlines() if line.startswith("line ")]
    assert rejected and f"{len(rejected)} rejected" in out
    assert run("registry", "import", str(src), "--db", db_url) == 1
    assert " 0 inserted, 0 updated" in capsys.readouterr().out

    with open(src, encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if len(r["id_number"]) == 12 and r["date_of_birth"][5:7] != "02")
    assert run("registry", "match", "--db", db_url, "--id", row["id_number"], "--json") == 0
    [c] = json.loads(capsys.readouterr().out)["candidates"]
    assert c["id_number"] == row["id_number"] and c["score"] == 100
    assert run("registry", "match", "--db", db_url, "--name", row["full_name"].upper(), "--dob",
               row["date_of_birth"], "--json") == 0
    cands = json.loads(capsys.readouterr().out)["candidates"]
    assert cands[0]["id_number"] == row["id_number"] and cands[0]["exact"] is False
    assert [c["score"] for c in cands] == sorted((c["score"] for c in cands), reverse=True)

    with open_store(db_url) as store:
        Journal(store).append(CheckInRecord(
            at=datetime(2025, 6, 30, 8, tzinfo=UTC), station="desk-1", operator="lan",
            access_method="PACE-CAN", match_outcome="exact_id", id_number=row["id_number"],
            discrepancies=[{"kind": "name_form", "field": "full_name", "severity": "info"}]))
    assert run("journal", "list", "--db", db_url, "--since", "2025-06-30", "--json") == 0
    assert [r["id_number"] for r in json.loads(capsys.readouterr().out)] == [row["id_number"]]
    assert run("journal", "list", "--db", db_url, "--since", "2025-07-01", "--json") == 0
    assert json.loads(capsys.readouterr().out) == []

    out_csv = tmp_path / "d.csv"
    assert run("registry", "discrepancies", "--db", db_url, "--out", str(out_csv), "--today", "2025-06-30") == 0
    with open(out_csv, encoding="utf-8") as fh:
        origins = {r["origin"] for r in csv.DictReader(fh)}
    assert origins == {"journal", "registry"}


def test_errors_are_one_line_with_vietnamese(tmp_path, capsys):
    assert run("registry", "match", "--db", str(tmp_path / "x.db"), "--id", "123") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "12 chữ số" in err and "Traceback" not in err
    assert run("registry", "import", str(tmp_path / "missing.csv"), "--db", str(tmp_path / "x.db")) == 2
    assert "Không tìm thấy tệp" in capsys.readouterr().err


def test_bench_reuse_db_queries_the_existing_file(tmp_path, capsys):
    args = ("bench", "registry", "--rows", "300", "--queries", "50", "--workdir", str(tmp_path), "--json")
    assert run(*args) == 0
    first = json.loads(capsys.readouterr().out)
    assert run(*args, "--reuse-db") == 0
    again = json.loads(capsys.readouterr().out)
    assert not first["reused_db"] and again["reused_db"] and again["import_seconds"] == 0
    assert again["fuzzy_top1_rate"] == first["fuzzy_top1_rate"] >= 0.9
